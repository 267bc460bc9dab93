// The public API as the dashboard calls it: same origin, session cookie (never a token in a URL).

export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

const listeners = new Set();
/** Called with the error whenever the server answers 401: the page asks for a token. */
export function onUnauthorized(f) {
  listeners.add(f);
}

async function handle(r) {
  const text = await r.text();
  let body = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch (e) {
    body = null;
  }
  if (!r.ok) {
    const err = new ApiError(r.status, (body && body.error) || r.status + ' ' + r.statusText);
    if (r.status === 401) listeners.forEach(f => f(err));
    throw err;
  }
  return body;
}

export async function get(path, params) {
  const q = params ? '?' + new URLSearchParams(Object.entries(params).filter(([, v]) => v != null && v !== '')) : '';
  return handle(await fetch(path + q, {credentials: 'same-origin', headers: {Accept: 'application/json'}}));
}

export async function send(method, path, body) {
  return handle(await fetch(path, {
    method,
    credentials: 'same-origin',
    headers: body === undefined ? {Accept: 'application/json'} : {'Content-Type': 'application/json', Accept: 'application/json'},
    body: body === undefined ? undefined : JSON.stringify(body),
  }));
}

export function modelPath(name) {
  return '/api/v1/models/' + encodeURIComponent(name);
}
