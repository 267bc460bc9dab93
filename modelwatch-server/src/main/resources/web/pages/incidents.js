// Incidents: the open and resolved incidents of every model (or of one), newest first, with their
// severity, owner, alerts and best cause; each links to its page.
import {h, fmt, time, message} from '../dom.js';
import {get} from '../api.js';

const STATES = ['open', 'resolved', 'all'];

export default {
  id: 'incidents',
  title: 'Incidents',
  nav: true,
  href: '/ui/incidents',
  path: /^\/ui\/incidents$/,
  async render(ctx) {
    const root = ctx.root;
    const state = ctx.params.get('state') || 'open';
    const model = ctx.params.get('model') || '';
    const tabs = h('div', {class: 'tabs', role: 'tablist', 'aria-label': 'Incident state'}, STATES.map(s =>
      h('a', {role: 'tab', href: '/ui/incidents?' + new URLSearchParams({state: s, ...(model ? {model} : {})}),
        'aria-selected': s === state ? 'true' : 'false'}, s)));
    const list = h('div', {id: 'incident-list'});
    root.append(h('h1', {}, 'Incidents', model ? h('span', {class: 'sub'}, ' of ', model) : null), tabs, list);

    const load = async () => {
      const answer = await get('/api/v1/incidents', {state: state === 'all' ? null : state, model, limit: 1000});
      list.replaceChildren();
      if (!answer.incidents.length) {
        list.appendChild(message('empty', `No ${state === 'all' ? '' : state + ' '}incidents.`));
        return;
      }
      list.appendChild(h('div', {class: 'scroll'}, h('table', {class: 'grid', id: 'incidents'},
          h('thead', {}, h('tr', {}, ['Incident', 'Model', 'State', 'Severity', 'Opened', 'Resolved', 'Owner', 'Alerts', 'Best cause']
              .map(t => h('th', {scope: 'col'}, t)))),
          h('tbody', {}, answer.incidents.map(i => {
            const best = i.causes[0];
            return h('tr', {dataset: {incident: i.id, state: i.state}},
                h('th', {scope: 'row'}, h('a', {href: '/ui/incidents/' + encodeURIComponent(i.id)}, '#' + i.id)),
                h('td', {}, h('a', {href: '/ui/models/' + encodeURIComponent(i.model)}, i.model)),
                h('td', {}, h('span', {class: 'badge ' + (i.state === 'open' ? 'firing' : 'resolved')}, i.state)),
                h('td', {}, i.severity ?? '—'),
                h('td', {}, time(i.opened_at)),
                h('td', {}, time(i.resolved_at)),
                h('td', {}, i.owner ?? '—'),
                h('td', {class: 'num'}, String(i.alerts.length)),
                h('td', {}, best ? `${best.kind.replaceAll('_', ' ')} (${fmt(best.score, 2)})` + (best.feature ? ' · ' + best.feature : '') : '—'));
          })))));
    };
    await load();
    ctx.ready();
    return {
      onLive: async change => {
        if (change.alerts) await load();
      },
    };
  },
};
