// Training runs: every run with its model, status, last step and the problems its detectors found;
// a run's name opens its page.
import {h, fmt, time, message} from '../dom.js';
import {get} from '../api.js';

export function runHref(model, run) {
  return '/ui/runs/' + encodeURIComponent(model) + '/' + encodeURIComponent(run);
}

function problemChips(problems) {
  const bySeverity = {critical: 0, warning: 0};
  for (const p of problems) bySeverity[p.severity] = (bySeverity[p.severity] || 0) + 1;
  const kinds = [...new Set(problems.map(p => p.kind))];
  if (!problems.length) return h('span', {class: 'badge ok'}, 'none');
  return [
    bySeverity.critical ? h('span', {class: 'badge critical'}, bySeverity.critical + ' critical') : null,
    bySeverity.warning ? h('span', {class: 'badge warning'}, bySeverity.warning + ' warning') : null,
    kinds.map(k => h('span', {class: 'chip'}, k)),
  ];
}

function statusClass(status) {
  return {running: 'ok', finished: 'resolved', failed: 'critical', stalled: 'critical'}[status] || '';
}

export default {
  id: 'runs',
  title: 'Runs',
  nav: true,
  href: '/ui/runs',
  path: /^\/ui\/runs$/,
  async render(ctx) {
    const root = ctx.root;
    const model = ctx.params.get('model') || '';
    const list = h('div', {id: 'run-list'});
    root.append(h('h1', {}, 'Training runs', model ? h('span', {class: 'sub'}, ' of ', model) : null), list);

    const load = async () => {
      const answer = await get('/api/v1/runs', {model});
      list.replaceChildren();
      if (!answer.runs.length) {
        list.appendChild(message('empty', 'No training runs yet: send training events (the Python client\'s log_step).'));
        return;
      }
      list.appendChild(h('div', {class: 'scroll'}, h('table', {class: 'grid', id: 'runs'},
          h('thead', {}, h('tr', {}, ['Run', 'Model', 'Status', 'Last step', 'Events', 'Last event', 'Resumes', 'Problems']
              .map(t => h('th', {scope: 'col'}, t)))),
          h('tbody', {}, answer.runs.map(r => h('tr', {dataset: {run: r.run, model: r.model, status: r.status,
            problems: String(r.problems.length)}},
          h('th', {scope: 'row'}, h('a', {href: runHref(r.model, r.run)}, r.run)),
          h('td', {}, r.model),
          h('td', {}, h('span', {class: 'badge ' + statusClass(r.status)}, r.status)),
          h('td', {class: 'num'}, fmt(r.last_step)),
          h('td', {class: 'num'}, fmt(r.events)),
          h('td', {}, time(r.last_event)),
          h('td', {class: 'num'}, String(r.resumes.length)),
          h('td', {}, problemChips(r.problems))))))));
    };
    await load();
    ctx.ready();
    return {onLive: () => load().catch(() => {})};
  },
};
