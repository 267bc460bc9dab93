// One incident: its state, owner and alerts; each probable cause with its evidence (the feature's
// distribution against the reference when the cause names a feature, and the evidence's numbers as a
// table), and charts of the evidence over the range the diagnosis examined, the time after the onset
// shaded: the segment's metric (its accuracy, or the mean of the feature its change is in) against all
// traffic, the version's metric beside the other versions', the serving hosts' resource series; the
// model's actions with a button to run one; notes; the timeline.
import {h, fmt, time, message} from '../dom.js';
import {get, send, modelPath} from '../api.js';
import {timeChart} from '../charts.js';
import {distribution, align} from './model.js';

const UNIT_MS = {ms: 1, s: 1000, m: 60000, h: 3600000, d: 86400000};

/** A step of about 200 points at most over [from, to): a whole number of the model's windows, in seconds. */
function stepOf(from, to, window) {
  const m = /^(\d+)(ms|s|m|h|d)$/.exec(window || '');
  const w = m ? Number(m[1]) * UNIT_MS[m[2]] : 1000;
  return Math.max(1, Math.ceil((to - from) / w / 200)) * w / 1000 + 's';
}

/**
 * Draws one chart of metric series (each {label, params}) from the model's metrics API over the
 * diagnosis's range; the chart is window.modelwatch.charts[id]. Nothing is drawn when no series has points.
 * A per-feature metric (feature_mean, ...) takes the series of {@code feature}; the others the model's own.
 */
async function metricChart(box, id, title, model, metric, lines, range, band, feature = null) {
  const info = await get(modelPath(model)).catch(() => ({}));
  const answers = await Promise.all(lines.map(l => get(modelPath(model) + '/metrics',
      {from: range.from, to: range.to, names: metric, step: stepOf(range.from, range.to, info.window), ...l.params})
      .catch(() => ({series: []}))));
  const wanted = s => s.name === metric && (feature === null ? Object.keys(s.labels).length === 0
      : s.labels.feature === feature && Object.keys(s.labels).length === 1);
  const series = answers.map(a => a.series.find(wanted) || null);
  if (series.every(s => !s || !s.points.length)) {
    box.appendChild(h('p', {class: 'help'}, 'No ' + metric + ' in the range examined.'));
    return;
  }
  const a = align(series);
  const el = h('div', {class: 'chart', id: 'chart-' + id.replace(/[^a-zA-Z0-9_-]/g, '-')});
  box.append(h('h4', {}, title), el);
  timeChart(el, id, a.x, lines.map((l, k) => ({label: l.label, values: a.values[k]})), {bands: [band], height: 180});
}

/** The evidence charts of cause n, by its kind; the shaded band is the time after the onset. */
async function evidenceCharts(box, i, c, n) {
  const range = {from: Date.parse(i.diagnosis_from), to: Date.parse(i.diagnosis_to)};
  const e = c.evidence || {};
  const onset = e.current && e.current.from ? Date.parse(e.current.from) : e.period && e.period.from ? Date.parse(e.period.from) : null;
  const band = {from: onset ?? range.from, to: range.to, label: 'after the onset'};
  if (c.kind === 'segment' && c.segment && e.symptom === 'accuracy') {
    await metricChart(box, `cause-${n}:segment`, `Accuracy of ${c.segment} against all traffic`, i.model, 'accuracy',
        // the diagnosis names a segment key=value, the metrics API takes key:value
        [{label: c.segment, params: {segment: c.segment.replace('=', ':')}}, {label: 'all traffic', params: {}}], range, band);
  } else if (c.kind === 'segment' && c.segment && String(e.symptom || '').startsWith('feature:')) {
    // a segment whose change is a feature's mean: that mean in the segment against all traffic
    const feature = e.symptom.slice('feature:'.length);
    await metricChart(box, `cause-${n}:segment`, `Mean of ${feature} in ${c.segment} against all traffic`, i.model,
        'feature_mean', [{label: c.segment, params: {segment: c.segment.replace('=', ':')}},
          {label: 'all traffic', params: {}}], range, band, feature);
  } else if (c.kind === 'version_regression' && c.version) {
    const metric = e.regressed && e.regressed.accuracy != null ? 'accuracy'
        : e.regressed && e.regressed.latency_p95_ms != null && e.others && e.others.latency_p95_ms != null
          && e.regressed.error_rate <= e.others.error_rate ? 'latency_p95_ms' : 'error_rate';
    // side by side: the version and the model's other versions (three at most), each over the same period
    const info = await get(modelPath(i.model)).catch(() => ({versions: []}));
    const others = (info.versions || []).filter(v => v !== c.version).slice(0, 3);
    const lines = [{label: 'version ' + c.version, params: {version: c.version}}].concat(others.length
      ? others.map(v => ({label: 'version ' + v, params: {version: v}})) : [{label: 'all versions', params: {}}]);
    await metricChart(box, `cause-${n}:version`, `${metric} of version ${c.version} against the other versions`, i.model,
        metric, lines, range, band);
  } else if (c.kind === 'infrastructure' && Array.isArray(e.resources)) {
    const metrics = [...new Set(e.resources.map(r => r.metric).filter(m => m !== 'traffic'))].slice(0, 3);
    if (metrics.length) {
      const res = await get('/api/v1/resources', {model: i.model, from: range.from, to: range.to, metrics: metrics.join(','), points: 200})
          .catch(() => ({series: []}));
      for (const metric of metrics) {
        const group = res.series.filter(s => s.name === metric);
        if (!group.length) continue;
        const a = align(group);
        const el = h('div', {class: 'chart', id: `chart-cause-${n}-resource-${metric}`});
        box.append(h('h4', {}, metric + ' of the serving hosts'), el);
        timeChart(el, `cause-${n}:resource:${metric}`, a.x, group.map((s, k) => ({
          label: (s.labels.host || 'host') + Object.entries(s.labels).filter(([key]) => key === 'gpu' || key === 'pid')
              .map(([key, v]) => ' ' + key + '=' + v).join(''),
          values: a.values[k]})), {bands: [band], height: 180, unit: metric.endsWith('_utilization') ? '%' : ''});
      }
    }
    const latency = e.symptom === 'error_rate' ? 'error_rate' : 'latency_p95_ms';
    await metricChart(box, `cause-${n}:symptom`, latency + ' of the model', i.model, latency,
        [{label: latency, params: {}}], range, band);
  }
}

/** The evidence object's values as rows [name, value]: nested objects by dotted names, lists of numbers joined. */
function flatten(value, prefix = '', out = []) {
  if (value == null) {
    out.push([prefix, null]);
  } else if (Array.isArray(value)) {
    if (value.every(v => typeof v !== 'object' || v === null)) out.push([prefix, value.map(v => typeof v === 'number' ? fmt(v, 4) : String(v)).join(', ')]);
    else value.forEach((v, i) => flatten(v, `${prefix}[${i}]`, out));
  } else if (typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) flatten(v, prefix ? prefix + '.' + k : k, out);
  } else {
    out.push([prefix, value]);
  }
  return out;
}

function evidenceTable(evidence, index) {
  const rows = flatten(evidence || {});
  if (!rows.length) return message('empty', 'No evidence numbers.');
  return h('table', {class: 'grid stats evidence', id: 'evidence-' + index}, h('tbody', {}, rows.map(([k, v]) =>
    h('tr', {}, h('th', {scope: 'row'}, k.replaceAll('_', ' ')), h('td', {class: 'num'}, typeof v === 'number' ? fmt(v, 4) : v == null ? '—' : String(v))))));
}

export default {
  id: 'incident',
  title: 'Incident',
  nav: false,
  href: '/ui/incidents',
  path: /^\/ui\/incidents\/([^/]+)$/,
  async render(ctx) {
    const root = ctx.root;
    const id = ctx.args[0];
    const head = h('div', {id: 'incident-head'});
    const alerts = h('section', {id: 'incident-alerts', 'aria-labelledby': 'alerts-h'});
    const causes = h('section', {id: 'causes', 'aria-labelledby': 'causes-h'});
    const actions = h('section', {id: 'actions', 'aria-labelledby': 'actions-h'});
    const notes = h('section', {id: 'notes', 'aria-labelledby': 'notes-h'});
    const timeline = h('section', {id: 'timeline', 'aria-labelledby': 'timeline-h'});
    root.append(h('nav', {class: 'crumbs', 'aria-label': 'Breadcrumb'}, h('a', {href: '/ui/incidents'}, 'Incidents'), ' / '),
        head, causes, alerts, actions, notes, timeline);
    const readonly = document.body.dataset.readonly === 'true';
    const name = () => localStorage.getItem('modelwatch.name') || '';
    let drawnCauses = null;

    const drawHead = i => {
      head.replaceChildren(h('h1', {}, 'Incident #' + i.id, h('span', {class: 'sub'}, ' of ',
          h('a', {href: '/ui/models/' + encodeURIComponent(i.model)}, i.model))),
      h('p', {id: 'incident-state'}, h('span', {class: 'badge ' + (i.state === 'open' ? 'firing' : 'resolved')}, i.state), ' ',
          i.severity ? h('span', {class: 'badge ' + i.severity}, i.severity) : null,
          ` opened ${time(i.opened_at)}`, i.resolved_at ? ` · resolved ${time(i.resolved_at)}` : '',
          ' · owner ', h('strong', {id: 'incident-owner'}, i.owner ?? 'nobody')));
    };

    const drawAlerts = i => {
      alerts.replaceChildren(h('h2', {id: 'alerts-h'}, 'Alerts'), h('div', {class: 'scroll'}, h('table', {class: 'grid'},
          h('thead', {}, h('tr', {}, ['Alert', 'State', 'Severity', 'Labels', 'Since', 'Resolved'].map(t => h('th', {scope: 'col'}, t)))),
          h('tbody', {}, i.alerts.map(a => h('tr', {dataset: {alert: a.id}},
              h('th', {scope: 'row'}, h('a', {href: '/ui/alerts?alert=' + encodeURIComponent(a.id)}, a.rule)),
              h('td', {}, h('span', {class: 'badge ' + a.state}, a.state)),
              h('td', {}, a.severity ?? '—'),
              h('td', {}, Object.entries(a.labels).map(([k, v]) => h('span', {class: 'chip'}, k + '=' + v))),
              h('td', {}, time(a.started_at)),
              h('td', {}, time(a.resolved_at))))))));
    };

    const drawCauses = async i => {
      // causes are redrawn only when the diagnosis changed: a chart is not rebuilt on every live update
      const key = i.diagnosed_at + JSON.stringify(i.causes);
      if (key === drawnCauses) return;
      drawnCauses = key;
      causes.replaceChildren(h('h2', {id: 'causes-h'}, 'Probable causes'));
      if (i.diagnosed_at) causes.append(h('p', {class: 'basis'}, 'Diagnosed ' + time(i.diagnosed_at) + ', ranked by score, best first.'));
      if (!i.causes.length) {
        causes.appendChild(message('empty', i.diagnosed_at ? 'The diagnosis found no probable cause.' : 'Not diagnosed yet.'));
        return;
      }
      let distributionDrawn = false;
      for (const [n, c] of i.causes.entries()) {
        const names = [c.feature && 'feature ' + c.feature, c.segment && 'segment ' + c.segment, c.version && 'version ' + c.version].filter(Boolean);
        const box = h('article', {class: 'cause', dataset: {kind: c.kind}, id: 'cause-' + n},
            h('h3', {}, `${n + 1}. ${c.kind.replaceAll('_', ' ')}`, ' ', h('span', {class: 'chip score'}, 'score ' + fmt(c.score, 2)),
                names.length ? h('span', {class: 'sub'}, ' · ' + names.join(' · ')) : null),
            c.summary ? h('p', {}, c.summary) : null,
            c.score_method ? h('p', {class: 'help'}, 'Score: ' + c.score_method) : null,
            h('h4', {}, 'Evidence'), evidenceTable(c.evidence, n),
            c.actions && c.actions.length ? h('p', {}, 'Suggested: ', c.actions.map(a => h('span', {class: 'chip', title: a.reason}, a.action))) : null);
        causes.appendChild(box);
        await evidenceCharts(box, i, c, n);
        if (c.feature && !distributionDrawn) {
          // the named feature's distribution, as the model page draws it, over the range the diagnosis examined
          distributionDrawn = true;
          const q = {from: Date.parse(i.diagnosis_from), to: Date.parse(i.diagnosis_to), version: c.version || null, segment: null};
          await distribution(box, i.model, c.feature, q);
        } else if (c.feature) {
          box.appendChild(h('p', {}, h('a', {href: `/ui/models/${encodeURIComponent(i.model)}?feature=${encodeURIComponent(c.feature)}#feature`},
              'The distribution of ' + c.feature + ' on the model page')));
        }
      }
    };

    const drawActions = i => {
      // drawn once: the model's actions do not change, and a redraw would clear the name typed and the status
      if (actions.dataset.incident === i.id) return;
      actions.dataset.incident = i.id;
      actions.replaceChildren(h('h2', {id: 'actions-h'}, 'Actions'));
      if (!i.actions.length) {
        actions.appendChild(message('empty', `Model ${i.model} has no actions (incidents.actions.${i.model} in the configuration).`));
        return;
      }
      const by = h('input', {id: 'action-by', required: true, maxlength: 128, autocomplete: 'name', value: name()});
      const dry = h('input', {id: 'action-dry-run', type: 'checkbox'});
      const status = h('p', {class: 'msg', role: 'status', id: 'action-status'});
      const run = async action => {
        if (!by.value) {
          status.textContent = 'Your name is required to run an action.';
          by.focus();
          return;
        }
        try {
          localStorage.setItem('modelwatch.name', by.value);
          await send('POST', '/api/v1/incidents/' + encodeURIComponent(i.id) + '/actions', {action, by: by.value, dry_run: dry.checked});
          await load();
          status.textContent = (dry.checked ? 'Dry run of ' : 'Started ') + action + '; its outcome follows in the timeline.';
        } catch (err) {
          status.textContent = err.message;
        }
      };
      actions.append(h('div', {class: 'scroll'}, h('table', {class: 'grid', id: 'action-list'},
          h('thead', {}, h('tr', {}, ['Action', 'Hook', 'Runs by itself', 'Guard rails', ''].map(t => h('th', {scope: 'col'}, t)))),
          h('tbody', {}, i.actions.map(a => h('tr', {dataset: {action: a.name}},
              h('th', {scope: 'row'}, a.name),
              h('td', {}, a.target),
              h('td', {}, a.automatic ? `for ${a.automatic.causes.join(', ')} scored ≥ ${a.automatic.min_score}`
                  + (a.automatic.severities.length ? ' at ' + a.automatic.severities.join(', ') : '') : 'no'),
              h('td', {}, `cool-down ${fmt(a.cooldown_seconds / 60)} min · at most ${a.max_per_day} a day` + (a.dry_run ? ' · dry run' : '')),
              h('td', {}, h('button', {type: 'button', class: 'run-action', disabled: readonly, onclick: () => run(a.name)}, 'Run'))))))),
      h('div', {class: 'toolbar'}, h('label', {for: 'action-by'}, 'Your name'), by,
          h('label', {}, dry, ' dry run (record what it would do, run nothing)')), status);
      if (readonly) actions.append(h('p', {class: 'help'}, 'Your token has the read scope only: it sees everything and changes nothing.'));
      if (readonly) [by, dry].forEach(el => el.disabled = true);
    };

    const drawNotes = i => {
      if (notes.dataset.incident === i.id) return; // the form is made once: a live update never clears what is typed
      notes.dataset.incident = i.id;
      const by = h('input', {id: 'note-by', required: true, maxlength: 128, autocomplete: 'name', value: name()});
      const text = h('textarea', {id: 'note-text', required: true, rows: 3, maxlength: 10000});
      const own = h('input', {id: 'note-owner', type: 'checkbox'});
      const status = h('p', {class: 'msg', role: 'status', id: 'note-status'});
      const form = h('form', {id: 'note-form', class: 'form', onsubmit: async e => {
        e.preventDefault();
        try {
          localStorage.setItem('modelwatch.name', by.value);
          await send('POST', '/api/v1/incidents/' + encodeURIComponent(i.id) + '/notes',
              {by: by.value, text: text.value, owner: own.checked ? by.value : null});
          text.value = '';
          own.checked = false;
          await load();
          status.textContent = 'Note added.';
        } catch (err) {
          status.textContent = err.message;
        }
      }}, h('label', {for: 'note-by'}, 'Your name'), by, h('label', {for: 'note-text'}, 'Note'), text,
      h('label', {}, own, ' I own this incident from now on'), h('button', {type: 'submit'}, 'Add note'), status);
      if (readonly) {
        form.querySelectorAll('input, textarea, button').forEach(el => el.disabled = true);
        form.appendChild(h('p', {class: 'help'}, 'Your token has the read scope only: it sees everything and changes nothing.'));
      }
      notes.replaceChildren(h('h2', {id: 'notes-h'}, 'Add a note'), form);
    };

    const drawTimeline = i => {
      timeline.replaceChildren(h('h2', {id: 'timeline-h'}, 'Timeline'), h('div', {class: 'scroll'}, h('table', {class: 'grid', id: 'timeline-list'},
          h('thead', {}, h('tr', {}, ['Time', 'What', 'Who', '', 'Outcome'].map(t => h('th', {scope: 'col'}, t)))),
          h('tbody', {}, i.timeline.map(e => h('tr', {dataset: {kind: e.kind, outcome: e.outcome ?? ''}},
              h('td', {}, time(e.at)),
              h('td', {}, e.kind.replaceAll('_', ' ')),
              h('td', {}, e.by ?? '—'),
              h('td', {}, e.text),
              h('td', {}, e.outcome ? h('span', {class: 'badge ' + ({succeeded: 'resolved', failed: 'firing', skipped: 'pending'}[e.outcome] || '')},
                  e.outcome.replaceAll('_', ' ')) : '')))))));
    };

    const load = async () => {
      const i = await get('/api/v1/incidents/' + encodeURIComponent(id));
      document.title = 'Incident #' + i.id + ' · ModelWatch';
      drawHead(i);
      drawAlerts(i);
      await drawCauses(i);
      drawActions(i);
      drawNotes(i);
      drawTimeline(i);
    };

    try {
      await load();
    } catch (e) {
      root.appendChild(message('error', e.message));
    }
    ctx.ready();
    return {
      onLive: async change => {
        if (change.alerts) await load();
      },
    };
  },
};
