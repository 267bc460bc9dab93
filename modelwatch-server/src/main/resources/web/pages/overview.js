// Overview: every model with its health, last hour's traffic, key metric and drift share.
import {h, clear, sparkline, fmt, pct, time} from '../dom.js';
import {get} from '../api.js';

const HEALTH_ORDER = {critical: 0, warning: 1, ok: 2};
const COLUMNS = [
  {key: 'name', title: 'Model', cmp: (a, b) => a.name.localeCompare(b.name)},
  {key: 'health', title: 'Health', cmp: (a, b) => HEALTH_ORDER[a.health] - HEALTH_ORDER[b.health] || a.name.localeCompare(b.name)},
  {key: 'traffic_last_hour', title: 'Traffic (1 h)', cmp: (a, b) => b.traffic_last_hour - a.traffic_last_hour},
  {key: 'key_value', title: 'Key metric (1 h)', cmp: (a, b) => (a.key_value ?? Infinity) - (b.key_value ?? Infinity)},
  {key: 'drift_share', title: 'Drift share', cmp: (a, b) => (b.drift_share ?? -1) - (a.drift_share ?? -1)},
  {key: 'firing_alerts', title: 'Firing alerts', cmp: (a, b) => b.firing_alerts - a.firing_alerts},
  {key: 'last_event', title: 'Last event', cmp: (a, b) => String(b.last_event).localeCompare(String(a.last_event))},
];

export default {
  id: 'overview',
  title: 'Overview',
  nav: true,
  href: '/ui',
  path: /^\/ui(?:\/overview)?$/,
  async render(ctx) {
    const root = ctx.root;
    const search = h('input', {type: 'search', id: 'search', placeholder: 'Search models', 'aria-label': 'Search models',
      value: ctx.params.get('q') || ''});
    const health = h('select', {id: 'health-filter', 'aria-label': 'Filter by health'},
        ['all', 'critical', 'warning', 'ok'].map(v => h('option', {value: v}, v === 'all' ? 'Any health' : v)));
    health.value = ctx.params.get('health') || 'all';
    let sort = ctx.params.get('sort') || 'health';
    const summary = h('p', {class: 'summary', id: 'overview-summary', role: 'status'});
    const empty = h('p', {class: 'msg empty'});
    const table = h('table', {class: 'grid', id: 'models'});
    root.append(h('h1', {}, 'Models'), h('div', {class: 'toolbar'}, search, health), summary, h('div', {class: 'scroll'}, table), empty);
    let data = null;

    const draw = () => {
      clear(table);
      const q = search.value.trim().toLowerCase();
      const rows = data.models.filter(m => (health.value === 'all' || m.health === health.value)
          && (!q || m.name.toLowerCase().includes(q)));
      const col = COLUMNS.find(c => c.key === sort) || COLUMNS[1];
      rows.sort(col.cmp);
      const counts = {critical: 0, warning: 0, ok: 0};
      data.models.forEach(m => counts[m.health]++);
      summary.textContent = `${data.models.length} models · ${counts.critical} critical · ${counts.warning} warning · `
          + `${counts.ok} ok · showing ${rows.length} · as of ${time(data.at)}`;
      table.appendChild(h('thead', {}, h('tr', {}, COLUMNS.map(c => h('th', {scope: 'col', 'aria-sort': c.key === sort ? 'descending' : null},
          h('button', {type: 'button', class: 'sort', onclick: () => {
            sort = c.key;
            ctx.setParams({sort});
            draw();
          }}, c.title))))));
      const body = h('tbody');
      const frag = document.createDocumentFragment();
      for (const m of rows) {
        frag.appendChild(h('tr', {dataset: {model: m.name, health: m.health}},
            h('th', {scope: 'row'}, h('a', {href: '/ui/models/' + encodeURIComponent(m.name)}, m.name)),
            h('td', {}, h('span', {class: 'badge ' + m.health}, m.health)),
            h('td', {class: 'num'}, fmt(m.traffic_last_hour)),
            h('td', {class: 'metric'}, h('span', {class: 'label'}, m.key_metric.replace('_', ' ')), ' ',
                h('span', {class: 'num'}, fmt(m.key_value)), sparkline(m.sparkline)),
            h('td', {class: 'num'}, pct(m.drift_share)),
            h('td', {class: 'num'}, m.firing_alerts ? h('a', {href: '/ui/alerts?model=' + encodeURIComponent(m.name)}, String(m.firing_alerts)) : '0'),
            h('td', {}, time(m.last_event))));
      }
      body.appendChild(frag);
      table.appendChild(body);
      empty.textContent = rows.length ? '' : data.models.length ? 'No model matches.'
          : 'No models yet: send predictions to POST /api/v1/events.';
    };

    const load = async () => {
      data = await get('/api/v1/dashboard/overview');
      draw();
    };
    search.addEventListener('input', () => {
      ctx.setParams({q: search.value});
      draw();
    });
    health.addEventListener('change', () => {
      ctx.setParams({health: health.value === 'all' ? null : health.value});
      draw();
    });
    await load();
    ctx.ready();
    return {onLive: () => load()};
  },
};
