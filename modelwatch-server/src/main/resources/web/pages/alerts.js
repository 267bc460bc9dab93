// Alerts: firing, pending and resolved alerts with their labels, value and history; acknowledge;
// silence from an alert (matchers filled in from its labels); silences and their expiry; rules with
// their last evaluation and error; the delivery log of an alert.
import {h, fmt, time, message} from '../dom.js';
import {get, send} from '../api.js';

const STATES = ['firing', 'pending', 'resolved', 'all'];

function quote(v) {
  return '"' + String(v).replaceAll('\\', '\\\\').replaceAll('"', '\\"') + '"';
}

export default {
  id: 'alerts',
  title: 'Alerts',
  nav: true,
  href: '/ui/alerts',
  path: /^\/ui\/alerts$/,
  async render(ctx) {
    const root = ctx.root;
    const state = ctx.params.get('state') || (ctx.params.get('alert') ? 'all' : 'firing');
    const model = ctx.params.get('model') || '';
    const tabs = h('div', {class: 'tabs', role: 'tablist', 'aria-label': 'Alert state'}, STATES.map(s =>
      h('a', {role: 'tab', href: '/ui/alerts?' + new URLSearchParams({state: s, ...(model ? {model} : {})}),
        'aria-selected': s === state ? 'true' : 'false'}, s)));
    const list = h('div', {id: 'alert-list'});
    const detail = h('section', {id: 'alert-detail', 'aria-live': 'polite'});
    const forms = h('div', {class: 'forms'});
    const silences = h('section', {id: 'silences', 'aria-labelledby': 'silences-h'});
    const rules = h('section', {id: 'rules', 'aria-labelledby': 'rules-h'});
    root.append(h('h1', {}, 'Alerts', model ? h('span', {class: 'sub'}, ' of ', model) : null), tabs, list, detail, silences, rules);

    const load = async () => {
      const [alerts, sil, ru] = await Promise.all([
        get('/api/v1/alerts', {state: state === 'all' ? null : state, model, limit: 1000}),
        get('/api/v1/silences'),
        get('/api/v1/rules'),
      ]);
      drawList(alerts.alerts);
      drawSilences(sil.silences);
      drawRules(ru.rules);
      const open = ctx.params.get('alert');
      if (open) await showAlert(open);
    };

    const drawList = alerts => {
      list.replaceChildren();
      if (!alerts.length) {
        list.appendChild(message('empty', `No ${state === 'all' ? '' : state + ' '}alerts.`));
        return;
      }
      list.appendChild(h('div', {class: 'scroll'}, h('table', {class: 'grid', id: 'alerts'},
          h('thead', {}, h('tr', {}, ['Alert', 'State', 'Severity', 'Labels', 'Value', 'Since', 'Acknowledged', ''].map(t => h('th', {scope: 'col'}, t)))),
          h('tbody', {}, alerts.map(a => h('tr', {dataset: {alert: a.id, state: a.state}},
              h('th', {scope: 'row'}, a.rule),
              h('td', {}, h('span', {class: 'badge ' + a.state}, a.state), a.silenced_by && a.silenced_by.length ? h('span', {class: 'chip'}, 'silenced') : null,
                  a.annotations && a.annotations.label_status ? h('span', {class: 'chip label-status', title: a.annotations.label_note || ''},
                      a.annotations.label_status + (a.annotations.label_coverage ? ' · ' + fmt(100 * Number(a.annotations.label_coverage), 1) + '% labelled' : '')) : null),
              h('td', {}, a.severity ?? '—'),
              h('td', {}, Object.entries(a.labels).map(([k, v]) => h('span', {class: 'chip'}, k + '=' + v))),
              h('td', {class: 'num'}, fmt(a.value, 4)),
              h('td', {}, time(a.started_at)),
              h('td', {}, a.acknowledged_by ?? '—'),
              h('td', {}, h('button', {type: 'button', class: 'open-alert', onclick: () => {
                ctx.setParams({alert: a.id});
                showAlert(a.id);
              }}, 'Open'))))))));
    };

    const showAlert = async id => {
      let a;
      try {
        a = await get('/api/v1/alerts/' + encodeURIComponent(id));
      } catch (e) {
        detail.replaceChildren(message('error', e.message));
        return;
      }
      // the forms are made once per opened alert: a live update refreshes what is shown around them, never what is typed
      if (detail.dataset.alert !== a.id) {
        const by = h('input', {id: 'ack-by', required: true, maxlength: 128, autocomplete: 'name', value: localStorage.getItem('modelwatch.name') || ''});
        const comment = h('textarea', {id: 'ack-comment', rows: 2, maxlength: 4096});
        const ackStatus = h('p', {class: 'msg', role: 'status'});
        const ackForm = h('form', {id: 'ack-form', class: 'form', onsubmit: async e => {
          e.preventDefault();
          try {
            localStorage.setItem('modelwatch.name', by.value);
            await send('POST', '/api/v1/alerts/' + encodeURIComponent(a.id) + '/ack', {by: by.value, comment: comment.value || null});
            ackStatus.textContent = 'Acknowledged.';
            await load();
          } catch (err) {
            ackStatus.textContent = err.message;
          }
        }}, h('h3', {}, 'Acknowledge'), h('label', {for: 'ack-by'}, 'Your name'), by, h('label', {for: 'ack-comment'}, 'Comment'), comment,
        h('button', {type: 'submit'}, 'Acknowledge'), ackStatus);

        const matchers = h('textarea', {id: 'silence-matchers', rows: 3, 'aria-describedby': 'matchers-help'});
        matchers.value = Object.entries(a.labels).map(([k, v]) => k + '=' + quote(v)).join('\n');
        const duration = h('select', {id: 'silence-duration'}, ['30m', '1h', '2h', '4h', '12h', '1d', '7d'].map(d => h('option', {value: d}, d)));
        duration.value = '2h';
        const silBy = h('input', {id: 'silence-by', required: true, value: localStorage.getItem('modelwatch.name') || ''});
        const silComment = h('textarea', {id: 'silence-comment', rows: 2});
        const silStatus = h('p', {class: 'msg', role: 'status'});
        const silenceForm = h('form', {id: 'silence-form', class: 'form', onsubmit: async e => {
          e.preventDefault();
          try {
            const created = await send('POST', '/api/v1/silences', {
              matchers: matchers.value.split('\n').map(s => s.trim()).filter(Boolean),
              duration: duration.value, created_by: silBy.value, comment: silComment.value || null});
            silStatus.textContent = 'Silence ' + created.id + ' created.';
            await load();
          } catch (err) {
            silStatus.textContent = err.message;
          }
        }}, h('h3', {}, 'Silence'), h('label', {for: 'silence-matchers'}, 'Matchers, one per line'), matchers,
        h('p', {id: 'matchers-help', class: 'help'}, 'name="value", name!="value", name=~"regex" or name!~"regex"'),
        h('label', {for: 'silence-duration'}, 'For'), duration, h('label', {for: 'silence-by'}, 'Created by'), silBy,
        h('label', {for: 'silence-comment'}, 'Comment'), silComment, h('button', {type: 'submit'}, 'Create silence'), silStatus);

        if (document.body.dataset.readonly === 'true') {
          for (const form of [ackForm, silenceForm]) {
            form.querySelectorAll('input, textarea, select, button').forEach(el => el.disabled = true);
            form.appendChild(h('p', {class: 'help'}, 'Your token has the read scope only: it sees everything and changes nothing.'));
          }
        }
        forms.replaceChildren(ackForm, silenceForm);
        detail.dataset.alert = a.id;
      }
      // replaceChildren would show a null as the text "null": the parts a given alert does not have are left out
      detail.replaceChildren(...[
          h('h2', {id: 'alert-detail-h'}, a.rule, ' ', h('span', {class: 'badge ' + a.state}, a.state)),
          h('p', {}, Object.entries(a.labels).map(([k, v]) => h('span', {class: 'chip'}, k + '=' + v))),
          Object.keys(a.annotations || {}).length ? h('dl', {}, Object.entries(a.annotations).map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)])) : null,
          h('p', {}, `value ${fmt(a.value, 4)} · since ${time(a.started_at)} · fired ${time(a.fired_at)} · resolved ${time(a.resolved_at)}`,
              a.acknowledgement ? ` · acknowledged by ${a.acknowledgement.by}${a.acknowledgement.comment ? ': ' + a.acknowledgement.comment : ''}` : ''),
          a.labels.model ? h('p', {}, h('a', {href: modelLink(a)}, 'Open the model at this alert\'s time')) : null,
          forms,
          h('h3', {}, 'History'),
          (a.history || []).length ? h('ul', {id: 'alert-history'}, a.history.map(x => h('li', {}, `${time(x.at)}: ${x.from} → ${x.to}`, x.value != null ? ` (value ${fmt(x.value, 4)})` : '')))
            : message('empty', 'No state changes recorded.'),
          h('h3', {}, 'Deliveries'),
          (a.deliveries || []).length ? h('table', {class: 'grid', id: 'deliveries'},
              h('thead', {}, h('tr', {}, ['Receiver', 'Integration', 'Status', 'Attempts', 'Created', 'Delivered', 'Last error'].map(t => h('th', {scope: 'col'}, t)))),
              h('tbody', {}, a.deliveries.map(d => h('tr', {}, h('td', {}, d.receiver), h('td', {}, d.integration ?? '—'), h('td', {}, d.status),
                  h('td', {class: 'num'}, String(d.attempts)), h('td', {}, time(d.created_at)), h('td', {}, time(d.delivered_at)), h('td', {}, d.last_error ?? '')))))
            : message('empty', 'No notifications sent for this alert.')].filter(x => x != null));
    };

    const drawSilences = list => {
      silences.replaceChildren(h('h2', {id: 'silences-h'}, 'Silences'));
      if (!list.length) {
        silences.appendChild(message('empty', 'No silences.'));
        return;
      }
      silences.appendChild(h('div', {class: 'scroll'}, h('table', {class: 'grid', id: 'silence-table'},
          h('thead', {}, h('tr', {}, ['Matchers', 'State', 'Starts', 'Ends', 'Created by', 'Comment', 'Suppressed', ''].map(t => h('th', {scope: 'col'}, t)))),
          h('tbody', {}, list.map(s => h('tr', {dataset: {silence: s.id, state: s.state}},
              h('td', {}, s.matchers.map(m => h('span', {class: 'chip'}, m))), h('td', {}, s.state), h('td', {}, time(s.starts_at)),
              h('td', {}, time(s.ends_at)), h('td', {}, s.created_by ?? ''), h('td', {}, s.comment ?? ''), h('td', {class: 'num'}, String(s.suppressed_alerts ?? 0)),
              h('td', {}, s.state === 'expired' ? '' : h('button', {type: 'button', class: 'expire', disabled: document.body.dataset.readonly === 'true', onclick: async () => {
                try {
                  await send('DELETE', '/api/v1/silences/' + encodeURIComponent(s.id));
                  await load();
                } catch (err) {
                  silences.appendChild(message('error', err.message));
                }
              }}, 'Expire'))))))));
    };

    const drawRules = list => {
      rules.replaceChildren(h('h2', {id: 'rules-h'}, 'Rules'), h('div', {class: 'scroll'}, h('table', {class: 'grid', id: 'rule-table'},
          h('thead', {}, h('tr', {}, ['Rule', 'Expression', 'For', 'Severity', 'Last evaluation', 'Last error', 'Alerts'].map(t => h('th', {scope: 'col'}, t)))),
          h('tbody', {}, list.map(r => h('tr', {}, h('th', {scope: 'row'}, r.name), h('td', {}, h('code', {}, r.expr)), h('td', {}, r.for + ' s'),
              h('td', {}, r.severity ?? '—'), h('td', {}, time(r.last_evaluation)), h('td', {class: r.last_error ? 'error' : ''}, r.last_error ?? ''),
              h('td', {}, Object.entries(r.alerts || {}).map(([k, v]) => k + ' ' + v).join(', '))))))));
    };

    await load();
    ctx.ready();
    return {onLive: change => {
      if (change.alerts) load().catch(() => {});
    }};
  },
};

const HOUR = 3600000;

/**
 * The alerted model's page from an hour before the alert started to an hour after it resolved (until
 * now while it has not), with the alert marked: the link notifications carry (AlertLinks).
 */
function modelLink(a) {
  const q = new URLSearchParams({range: 'custom'});
  if (a.started_at) q.set('from', String(Date.parse(a.started_at) - HOUR));
  else q.set('range', '24h');
  if (a.started_at && a.resolved_at) q.set('to', String(Date.parse(a.resolved_at) + HOUR));
  if (a.labels.version) q.set('version', a.labels.version);
  if (a.labels.feature) q.set('feature', a.labels.feature);
  q.set('alert', a.id);
  return '/ui/models/' + encodeURIComponent(a.labels.model) + '?' + q;
}
