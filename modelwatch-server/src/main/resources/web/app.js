// The dashboard's frame: the page registry, the router (the URL holds page, model, range and
// filters, so that any view can be linked), the live connection, the theme and the login.
import {h, clear, message} from './dom.js';
import {onUnauthorized, send, get} from './api.js';
import overview from './pages/overview.js';
import model from './pages/model.js';
import alerts from './pages/alerts.js';
import runs from './pages/runs.js';
import run from './pages/run.js';
import incidents from './pages/incidents.js';
import incident from './pages/incident.js';

/**
 * A page: {id, title, nav (shown in the menu), path (a RegExp over location.pathname whose groups
 * are the page's arguments), href (the menu link), render(ctx) → {onLive(change), dispose()} }.
 * A new page is one module and one registerPage call.
 */
const pages = [];
export function registerPage(page) {
  pages.push(page);
}

registerPage(overview);
registerPage(model);
registerPage(alerts);
registerPage(runs);
registerPage(run);
registerPage(incidents);
registerPage(incident);

// For the browser tests and for people poking around in the console: the charts drawn, by id.
window.modelwatch = {charts: {}, heatmaps: {}, renders: 0, reconnects: 0};

const main = document.getElementById('main');
let current = null;

function match(pathname) {
  for (const p of pages) {
    const m = p.path.exec(pathname);
    if (m) return {page: p, args: m.slice(1).map(decodeURIComponent)};
  }
  return null;
}

export function navigate(url, replace = false) {
  if (replace) history.replaceState(null, '', url);
  else history.pushState(null, '', url);
  render();
}

/** Changes query parameters of the current view without a new history entry per keystroke. */
function setParams(changes, push = false) {
  const u = new URL(location.href);
  for (const [k, v] of Object.entries(changes)) {
    if (v == null || v === '') u.searchParams.delete(k);
    else u.searchParams.set(k, v);
  }
  if (push) history.pushState(null, '', u);
  else history.replaceState(null, '', u);
}

async function render() {
  if (current && current.view && current.view.dispose) current.view.dispose();
  Object.keys(window.modelwatch.charts).forEach(k => delete window.modelwatch.charts[k]);
  Object.keys(window.modelwatch.heatmaps).forEach(k => delete window.modelwatch.heatmaps[k]);
  main.removeAttribute('data-ready');
  clear(main);
  const found = match(location.pathname === '/' ? '/ui' : location.pathname.replace(/\/+$/, ''));
  drawNav(found && found.page);
  if (!found) {
    main.appendChild(message('error', 'No such page: ' + location.pathname));
    main.dataset.ready = 'true';
    return;
  }
  document.title = found.page.title + ' · ModelWatch';
  const ctx = {
    root: main,
    args: found.args,
    params: new URL(location.href).searchParams,
    setParams,
    navigate,
    ready: () => {
      window.modelwatch.readyMs = performance.now();
      main.dataset.ready = 'true';
      window.modelwatch.renders++;
    },
  };
  current = {page: found.page, view: null};
  const mine = current;
  try {
    const view = await found.page.render(ctx);
    if (current === mine) mine.view = view;
  } catch (e) {
    if (current !== mine) return;
    main.appendChild(message('error', e.message));
    ctx.ready();
  }
}

function drawNav(active) {
  const nav = clear(document.getElementById('nav'));
  for (const p of pages.filter(p => p.nav)) {
    nav.appendChild(h('a', {href: p.href, 'aria-current': p === active ? 'page' : null}, p.title));
  }
}

// Links inside the page change the view without a reload.
document.addEventListener('click', e => {
  const a = e.target.closest && e.target.closest('a[href]');
  if (!a || e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || a.target) return;
  const u = new URL(a.href);
  if (u.origin !== location.origin || !(u.pathname === '/' || u.pathname.startsWith('/ui'))) return;
  e.preventDefault();
  navigate(u.pathname + u.search + u.hash);
});
window.addEventListener('popstate', render);

// ---- live: server-sent events; the browser reconnects after a restart of the server ----
const liveBadge = document.getElementById('live');
let source = null;
let retryMs = 1000;
let lastLive = 0;
let queued = null;
// set when a stream ends (the server stops, say), across our own retries: the next stream's hello reloads the page's data
let reconnecting = false;

function connect() {
  source = new EventSource('/api/v1/dashboard/events');
  source.addEventListener('hello', () => {
    liveBadge.textContent = 'live';
    liveBadge.dataset.state = 'live';
    retryMs = 1000;
    if (reconnecting) {
      reconnecting = false;
      window.modelwatch.reconnects++;
      // what happened while the page was away is not known: everything may have changed
      deliver({models: null, alerts: true, runs: null, reconnected: true});
    }
  });
  source.addEventListener('change', e => deliver(JSON.parse(e.data)));
  source.onerror = () => {
    reconnecting = true;
    liveBadge.textContent = 'reconnecting';
    liveBadge.dataset.state = 'down';
    if (source.readyState === EventSource.CLOSED) {
      // the browser gave up (an error status): try again ourselves, slower each time
      setTimeout(connect, retryMs);
      retryMs = Math.min(retryMs * 2, 30000);
    }
  };
}

/** Hands a change to the page, at most once a second: a busy server sends one per second per model. */
function deliver(change) {
  const now = Date.now();
  if (queued) {
    queued.models = queued.models && change.models ? [...new Set([...queued.models, ...change.models])] : null;
    queued.alerts = queued.alerts || change.alerts;
    queued.runs = queued.runs && change.runs ? [...new Set([...queued.runs, ...change.runs])] : null;
    return;
  }
  const wait = Math.max(0, lastLive + 1000 - now);
  queued = change;
  setTimeout(() => {
    const c = queued;
    queued = null;
    lastLive = Date.now();
    if (current && current.view && current.view.onLive) current.view.onLive(c);
  }, wait);
}

// ---- theme ----
const themeButton = document.getElementById('theme');
function applyTheme(theme) {
  document.documentElement.dataset.theme = theme;
  themeButton.setAttribute('aria-pressed', theme === 'dark' ? 'true' : 'false');
  themeButton.textContent = theme === 'dark' ? 'Light theme' : 'Dark theme';
}
applyTheme(localStorage.getItem('modelwatch.theme')
    || (matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light'));
themeButton.addEventListener('click', () => {
  const next = document.documentElement.dataset.theme === 'dark' ? 'light' : 'dark';
  localStorage.setItem('modelwatch.theme', next);
  applyTheme(next);
  render();
});

// ---- login: the server wants a token; it is sent once and kept as an HttpOnly session cookie ----
let loginShown = false;
onUnauthorized(() => {
  if (loginShown) return;
  loginShown = true;
  if (source) source.close();
  const input = h('input', {id: 'token', type: 'password', autocomplete: 'off', required: true, 'aria-describedby': 'token-help'});
  const status = h('p', {class: 'msg', role: 'status'});
  const form = h('form', {class: 'login', onsubmit: async e => {
    e.preventDefault();
    try {
      await send('POST', '/api/v1/dashboard/session', {token: input.value});
      input.value = '';
      location.reload();
    } catch (err) {
      status.textContent = err.message;
    }
  }},
  h('h2', {}, 'Sign in'),
  h('label', {for: 'token'}, 'API token'),
  input,
  h('p', {id: 'token-help', class: 'help'}, 'This server requires a token (modelwatch token create). It is kept as a session cookie, never in the address.'),
  h('button', {type: 'submit'}, 'Sign in'), status);
  const dialog = h('dialog', {id: 'login', 'aria-labelledby': 'login-title'}, form);
  document.body.appendChild(dialog);
  dialog.addEventListener('cancel', e => e.preventDefault());
  dialog.showModal();
  input.focus();
});

export async function signOut() {
  await send('DELETE', '/api/v1/dashboard/session');
  location.reload();
}

// A read-scoped session sees everything and is offered no change: the forms say so and stay off.
async function session() {
  try {
    const s = await get('/api/v1/dashboard/session');
    if (s.signed_in) {
      document.body.dataset.readonly = s.scopes.includes('admin') ? 'false' : 'true';
      const out = h('button', {type: 'button', id: 'sign-out'}, 'Sign out');
      out.addEventListener('click', signOut);
      document.querySelector('.top').appendChild(out);
    }
  } catch (e) {
    // not signed in: the first 401 asks for a token
  }
}

await session();
connect();
render();
