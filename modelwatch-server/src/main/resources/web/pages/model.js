// A model: range, version and segment filters; performance (realized and estimated), latency,
// throughput and error rate over time with its alerts as bands; confusion matrix; drift heatmap,
// one feature's drift and the data-quality findings.
import {h, clear, fmt, pct, time, message} from '../dom.js';
import {get, modelPath} from '../api.js';
import {timeChart} from '../charts.js';

const MIN = 60000, HOUR = 3600000, DAY = 86400000;
const RANGES = {'15m': 15 * MIN, '1h': HOUR, '6h': 6 * HOUR, '24h': DAY, '7d': 7 * DAY, '30d': 30 * DAY};

function parseDuration(s) {
  const m = /^(\d+)(ms|s|m|h|d)$/.exec(s || '');
  if (!m) return MIN;
  return Number(m[1]) * {ms: 1, s: 1000, m: MIN, h: HOUR, d: DAY}[m[2]];
}

function stepName(ms) {
  if (ms % DAY === 0) return ms / DAY + 'd';
  if (ms % HOUR === 0) return ms / HOUR + 'h';
  if (ms % MIN === 0) return ms / MIN + 'm';
  return ms / 1000 + 's';
}

/** A step that keeps a chart at a few hundred points at most, a multiple of the model's window. */
function stepFor(spanMs, windowMs) {
  const want = spanMs <= 6 * HOUR ? windowMs : spanMs <= DAY ? 5 * MIN : HOUR;
  return Math.max(windowMs, Math.ceil(want / windowMs) * windowMs);
}

/** The smallest of 1m, 5m, 15m, 1h, 6h, 1d that splits {@code span} into at most {@code n} steps. */
function niceStep(span, n) {
  return [MIN, 5 * MIN, 15 * MIN, HOUR, 6 * HOUR, DAY].find(s => s >= span / n) || DAY;
}

function resolveRange(params, now) {
  const range = params.get('range') || (params.get('from') ? 'custom' : '1h');
  if (range === 'custom' && params.get('from')) {
    // a custom range without its end (a notification's link to an alert that still fires) runs until now
    const from = Number(params.get('from')) || Date.parse(params.get('from'));
    const to = params.get('to') ? Number(params.get('to')) || Date.parse(params.get('to')) : now + 1;
    if (from < to) return {range, from, to};
  }
  const span = RANGES[range] || HOUR;
  return {range: RANGES[range] ? range : '1h', from: now - span, to: now + 1};
}

/** Aligns series on one time axis: x is the union of their timestamps. */
export function align(seriesList) {
  const xs = [...new Set(seriesList.flatMap(s => s ? s.points.map(p => p[0]) : []))].sort((a, b) => a - b);
  const index = new Map(xs.map((t, i) => [t, i]));
  const values = seriesList.map(s => {
    const v = new Array(xs.length).fill(null);
    if (s) for (const [t, y] of s.points) v[index.get(t)] = (y == null || Number.isNaN(y)) ? null : y;
    return v;
  });
  return {x: xs, values};
}

/**
 * The server's time (its event time: a demo's clock, or a server whose clock differs from the browser's)
 * as the overview states it ("as of"); the browser's when the server does not say.
 */
async function serverNow() {
  try {
    const at = Date.parse((await get('/api/v1/dashboard/overview')).at);
    return Number.isFinite(at) ? at : Date.now();
  } catch (e) {
    return Date.now();
  }
}

function localInput(ms) {
  const d = new Date(ms - new Date().getTimezoneOffset() * MIN);
  return d.toISOString().slice(0, 16);
}

export default {
  id: 'model',
  title: 'Model',
  nav: false,
  path: /^\/ui\/models\/([^/]+)$/,
  async render(ctx) {
    const name = ctx.args[0];
    const root = ctx.root;
    const [info, now] = await Promise.all([get(modelPath(name)), serverNow()]);
    const windowMs = parseDuration(info.window);
    const p = ctx.params;
    // the last hour, and a still-firing alert's range, end at the server's now, not the browser's
    const r = resolveRange(p, now);
    const step = stepFor(r.to - r.from, windowMs);
    const estStep = Math.max(step, Math.ceil(niceStep(r.to - r.from, 48) / step) * step);
    const version = p.get('version') || '';
    const segment = p.get('segment') || '';
    const q = {from: r.from, to: r.to, version, segment};

    // ---- header and filters ----
    const rangeSelect = h('select', {id: 'range', 'aria-label': 'Time range'},
        Object.keys(RANGES).map(k => h('option', {value: k}, 'last ' + k)), h('option', {value: 'custom'}, 'custom'));
    rangeSelect.value = r.range;
    const fromInput = h('input', {type: 'datetime-local', id: 'from', 'aria-label': 'From', value: localInput(r.from)});
    const toInput = h('input', {type: 'datetime-local', id: 'to', 'aria-label': 'To', value: localInput(r.to)});
    const versionSelect = h('select', {id: 'version', 'aria-label': 'Version'}, h('option', {value: ''}, 'all versions'),
        info.versions.map(v => h('option', {value: v}, v)));
    versionSelect.value = version;
    const segmentInput = h('input', {id: 'segment', placeholder: 'segment key:value', 'aria-label': 'Segment (key:value)', value: segment});
    const apply = e => {
      e.preventDefault();
      const custom = rangeSelect.value === 'custom';
      ctx.navigate(link(name, {
        range: custom ? 'custom' : rangeSelect.value,
        from: custom ? Date.parse(fromInput.value) : null,
        to: custom ? Date.parse(toInput.value) : null,
        version: versionSelect.value, segment: segmentInput.value.trim(), feature: p.get('feature'),
      }));
    };
    rangeSelect.addEventListener('change', e => {
      if (rangeSelect.value !== 'custom') apply(e);
    });
    versionSelect.addEventListener('change', apply);
    const health = h('span', {class: 'badge', id: 'model-health'});
    root.append(
        h('nav', {class: 'crumbs', 'aria-label': 'Breadcrumb'}, h('a', {href: '/ui'}, 'Models'), ' / '),
        h('h1', {}, name, ' ', health),
        h('p', {class: 'sub'}, `${info.task.replaceAll('_', ' ')} · window ${info.window} · ${fmt(info.prediction_count)} predictions · last event ${time(info.last_event)}`),
        h('form', {class: 'toolbar', onsubmit: apply}, rangeSelect, fromInput, toInput, versionSelect, segmentInput,
            h('button', {type: 'submit'}, 'Apply')),
        h('p', {class: 'sub', id: 'range-text'}, `${time(new Date(r.from).toISOString())} – ${time(new Date(r.to).toISOString())} · step ${stepName(step)} · drag across a chart to zoom`));

    const sections = {};
    for (const [id, title] of [['performance', 'Performance'], ['operations', 'Latency, throughput, errors'],
      ['resources', 'Resources of the serving hosts'], ['confusion', 'Confusion matrix'], ['drift', 'Drift'], ['quality', 'Data quality'], ['model-alerts', 'Alerts']]) {
      sections[id] = h('section', {id, 'aria-labelledby': id + '-h'}, h('h2', {id: id + '-h'}, title));
      root.appendChild(sections[id]);
    }

    const onZoom = (from, to) => ctx.navigate(link(name, {range: 'custom', from, to, version, segment}));
    const classification = info.task !== 'regression';
    const perfNames = classification ? ['accuracy', 'precision', 'recall', 'f1'] : ['mae', 'rmse'];
    const estNames = classification ? ['estimated_accuracy', 'estimated_f1'] : [];
    const opNames = ['count', 'labeled', 'latency_p50_ms', 'latency_p95_ms', 'latency_p99_ms', 'throughput_per_s', 'error_rate'];

    const draw = async () => {
      const [metrics, summary, alertList, estimated, resources] = await Promise.all([
        get(modelPath(name) + '/metrics', {...q, names: perfNames.concat(opNames).join(','), step: stepName(step)}),
        get(modelPath(name) + '/summary', q),
        get('/api/v1/alerts', {model: name, limit: 500}),
        // estimates cost a drift report per step: at most ~48 of them
        estNames.length ? get(modelPath(name) + '/metrics', {...q, names: estNames.join(','), step: stepName(estStep)}).catch(() => ({series: []}))
          : Promise.resolve({series: []}),
        // the agent's readings of the hosts that serve the model (modelwatch agent --model)
        get('/api/v1/resources', {model: name, from: r.from, to: r.to, points: 300}).catch(() => ({series: []})),
      ]);
      const byName = n => metrics.series.concat(estimated.series).find(s => s.name === n && Object.keys(s.labels).length === 0);
      const bands = alertList.alerts.filter(a => a.started_at).map(a => ({
        from: Date.parse(a.started_at), to: a.resolved_at ? Date.parse(a.resolved_at) : r.to, label: a.rule}));
      const firing = alertList.alerts.filter(a => a.state === 'firing');
      health.textContent = firing.some(a => a.severity === 'critical') ? 'critical' : firing.length ? 'warning' : 'ok';
      health.className = 'badge ' + health.textContent;
      const events = summary.count || 0, labelled = summary.labeled || 0;
      const basis = `step ${stepName(step)} · ${fmt(events)} events · ${fmt(labelled)} labelled`;

      const chartBox = (section, id, title, names, labels, opts) => {
        const box = h('div', {class: 'chart', id: 'chart-' + id});
        const note = h('p', {class: 'basis'}, basis);
        section.append(h('h3', {}, title), note, box);
        const present = names.map(byName);
        if (!events) {
          note.textContent = 'No data in this range.';
          return;
        }
        if (present.every(s => !s)) {
          note.textContent = opts.noData || 'No values in this range.';
          return;
        }
        const shown = names.map((n, i) => ({n, label: labels[i], s: present[i]})).filter(x => x.s);
        const a = align(shown.map(x => x.s));
        timeChart(box, id, a.x, a.values.map((v, i) => ({label: shown[i].label, values: v, dash: shown[i].n.startsWith('estimated_'),
          spanGaps: shown[i].n.startsWith('estimated_')})),
            {bands, onZoom, unit: opts.unit || ''});
      };

      for (const s of Object.values(sections)) s.replaceChildren(s.firstChild);
      if (classification) {
        chartBox(sections.performance, 'performance', 'Realized and estimated performance',
            perfNames.concat(estNames), ['accuracy', 'precision', 'recall', 'F1', 'estimated accuracy', 'estimated F1'],
            {noData: labelled ? 'No values in this range.' : 'No labels yet, and no reference to estimate accuracy from.'});
        if (!labelled && events) sections.performance.appendChild(message('empty', 'No labels yet in this range: realized metrics appear when labels arrive; estimated ones (dashed) need a reference.'));
      } else {
        chartBox(sections.performance, 'performance', 'Errors', perfNames, ['MAE', 'RMSE'],
            {noData: 'No labels yet in this range.'});
      }
      chartBox(sections.operations, 'latency', 'Latency', ['latency_p50_ms', 'latency_p95_ms', 'latency_p99_ms'], ['p50', 'p95', 'p99'], {unit: ' ms'});
      chartBox(sections.operations, 'throughput', 'Throughput', ['throughput_per_s'], ['events/s'], {});
      chartBox(sections.operations, 'errors', 'Error rate', ['error_rate'], ['error rate'], {});
      resourceCharts(sections.resources, resources, bands, onZoom);
      confusion(sections.confusion, summary, labelled);
      alertsList(sections['model-alerts'], alertList.alerts, p.get('alert'));
      await drift(ctx, sections.drift, sections.quality, name, q, r, windowMs);
    };

    await draw();
    ctx.ready();
    return {
      onLive: change => {
        if (change.alerts || !change.models || change.models.includes(name)) draw().catch(() => {});
      },
    };
  },
};

function link(name, params) {
  const u = new URLSearchParams(Object.entries(params).filter(([, v]) => v != null && v !== '' && !Number.isNaN(v)));
  const s = u.toString();
  return '/ui/models/' + encodeURIComponent(name) + (s ? '?' + s : '');
}

/** Readings that are not loads: the agent's own counters, capacities and counts. */
const NOT_DRAWN = /^modelwatch_agent_|_total_bytes$|^host_cpu_count$/;

/**
 * One chart per resource metric on the page's time axis (same range, alert bands and zoom), a line per
 * host and GPU or process: what GET /api/v1/resources?model= answers for the range.
 */
function resourceCharts(section, res, bands, onZoom) {
  const series = res.series.filter(s => !NOT_DRAWN.test(s.name));
  if (!series.length) {
    section.appendChild(message('empty', 'No resource readings of this model in this range (modelwatch agent --model).'));
    return;
  }
  const byName = new Map();
  for (const s of series) {
    if (!byName.has(s.name)) byName.set(s.name, []);
    byName.get(s.name).push(s);
  }
  for (const [name, group] of byName) {
    const box = h('div', {class: 'chart', id: 'chart-resource-' + name});
    section.append(h('h3', {}, name), box);
    const a = align(group);
    const lines = group.map((s, i) => {
      const tag = Object.entries(s.labels).filter(([k]) => k !== 'host' && k !== 'run' && k !== 'uuid')
          .map(([k, v]) => k + '=' + v).join(' ');
      return {label: (s.labels.host || 'host') + (tag ? ' ' + tag : ''), values: a.values[i]};
    });
    timeChart(box, 'resource:' + name, a.x, lines, {bands, onZoom, unit: name.endsWith('_utilization') ? '%' : ''});
  }
  section.appendChild(h('p', {class: 'basis'}, `${fmt(res.events)} readings, ${Math.round(res.bucket_ms / 1000)} s per point (mean)`));
}

function confusion(section, summary, labelled) {
  const cm = summary.confusion_matrix;
  if (!labelled || !cm) {
    section.appendChild(message('empty', labelled ? 'No confusion matrix for this task.' : 'No labels yet in this range.'));
    return;
  }
  const labels = cm.labels || Object.keys(cm);
  const matrix = cm.matrix || labels.map(a => labels.map(b => (cm[a] || {})[b] || 0));
  section.append(h('p', {class: 'basis'}, `${fmt(labelled)} labelled events; rows: true class, columns: predicted`),
      h('div', {class: 'scroll'}, h('table', {class: 'grid confusion', id: 'confusion-matrix'},
          h('thead', {}, h('tr', {}, h('th', {scope: 'col'}, 'true \\ predicted'), labels.map(l => h('th', {scope: 'col'}, l)))),
          h('tbody', {}, labels.map((l, i) => h('tr', {}, h('th', {scope: 'row'}, l), matrix[i].map(v => h('td', {class: 'num'}, fmt(v)))))))));
}

function alertsList(section, alerts, selected) {
  if (!alerts.length) {
    section.appendChild(message('empty', 'No alerts for this model.'));
    return;
  }
  // the alert a notification's link names is marked (its entry on the alerts page is one click away)
  section.appendChild(h('ul', {class: 'alerts'}, alerts.map(a => h('li', a.id === selected
      ? {class: 'selected', 'aria-current': 'true', dataset: {alert: a.id}} : {dataset: {alert: a.id}},
      h('span', {class: 'badge ' + a.state}, a.state), ' ',
      h('a', {href: '/ui/alerts?alert=' + encodeURIComponent(a.id)}, a.rule), ' ',
      Object.entries(a.labels).map(([k, v]) => h('span', {class: 'chip'}, k + '=' + v)),
      ' since ', time(a.started_at), a.resolved_at ? ' until ' + time(a.resolved_at) : ''))));
}

async function drift(ctx, section, quality, name, q, r, windowMs) {
  const span = r.to - r.from;
  // each cell needs enough events for a test to decide: at least an hour once the range allows two columns
  let step = niceStep(span, 24);
  if (span >= 2 * HOUR) step = Math.max(step, HOUR);
  step = Math.max(windowMs, Math.ceil(step / windowMs) * windowMs);
  const [series, report] = await Promise.all([
    get(modelPath(name) + '/metrics', {...q, names: 'drift_psi,drift_js_distance,drift_detected', step: stepName(step)}).catch(() => ({series: []})),
    get(modelPath(name) + '/drift', q),
  ]);
  if (!report.reference) {
    section.appendChild(message('empty', report.reason || 'No reference yet.'));
    quality.appendChild(message('empty', 'No reference yet: data quality is checked against it.'));
    return;
  }
  const features = Object.keys(report.features || {}).sort();
  const times = [...new Set(series.series.flatMap(s => s.points.map(p => p[0])))].sort((a, b) => a - b);
  const score = new Map(), detected = new Map();
  for (const s of series.series) {
    const f = s.labels.feature;
    if (!f) continue;
    for (const [t, v] of s.points) {
      const key = f + '\u0000' + t;
      if (s.name === 'drift_detected') detected.set(key, v);
      else if (s.name === 'drift_psi' || !score.has(key)) score.set(key, v);
    }
  }
  section.appendChild(h('p', {class: 'basis'}, `features × time, step ${stepName(step)}, coloured by PSI (JS distance for features without PSI); `
      + `outlined cells are drifted · reference: ${report.reference.source} · ${fmt(report.events)} events in range. Click a cell to open the feature.`));
  const box = h('div', {class: 'heatmap', id: 'drift-heatmap', style: `height:${Math.max(160, 40 + features.length * 28)}px`});
  section.appendChild(box);
  if (!times.length || !features.length) {
    box.replaceWith(message('empty', 'No drift scores in this range.'));
  } else {
    const cells = [];
    features.forEach((f, yi) => times.forEach((t, xi) => {
      const key = f + '\u0000' + t;
      if (!score.has(key)) return;
      const drifted = detected.get(key) === 1;
      cells.push({value: [xi, yi, Math.round(score.get(key) * 1000) / 1000], feature: f, time: t, drifted,
        itemStyle: drifted ? {borderColor: '#111', borderWidth: 2} : undefined});
    }));
    const echarts = await import('echarts');
    const dark = document.documentElement.dataset.theme === 'dark';
    const chart = echarts.init(box, dark ? 'dark' : null, {renderer: 'canvas'});
    chart.setOption({
      animation: false,
      grid: {left: 8, right: 16, top: 8, bottom: 56, containLabel: true},
      tooltip: {formatter: p => `${p.data.feature} @ ${time(new Date(p.data.time).toISOString())}: ${p.data.value[2]}${p.data.drifted ? ' (drifted)' : ''}`,
        // tooltips carry data: let ECharts set them as text
        renderMode: 'richText'},
      xAxis: {type: 'category', data: times.map(t => new Date(t).toISOString().slice(5, 16).replace('T', ' '))},
      yAxis: {type: 'category', data: features, axisLabel: {formatter: v => v}},
      visualMap: {min: 0, max: 0.5, calculable: false, orient: 'horizontal', left: 'center', bottom: 0, itemHeight: 120,
        inRange: {color: ['#e8f1e4', '#f5d36b', '#d9482b']}},
      series: [{type: 'heatmap', name: 'drift', data: cells}],
    });
    chart.on('click', e => ctx.navigate(link(name, {...Object.fromEntries(ctx.params), feature: e.data.feature}) + '#feature'));
    window.modelwatch.heatmaps['drift'] = chart;
  }
  // one feature
  const featureName = ctx.params.get('feature') || report.features && features.find(f => report.features[f].drifted) || features[0];
  const f = featureName && report.features[featureName];
  const featureSection = h('div', {id: 'feature', class: 'feature'});
  section.appendChild(featureSection);
  if (f) {
    const select = h('select', {'aria-label': 'Feature'}, features.map(x => h('option', {value: x}, x)));
    select.value = featureName;
    select.addEventListener('change', () => ctx.navigate(link(name, {...Object.fromEntries(ctx.params), feature: select.value}) + '#feature'));
    const rows = Object.entries(f).filter(([k, v]) => typeof v !== 'object' || v === null);
    featureSection.append(h('h3', {}, 'Feature ', select),
        h('p', {class: 'decision ' + (f.drifted ? 'drifted' : 'stable'), id: 'feature-decision'},
            f.drifted ? `${featureName}: drifted (by ${f.method || 'the default test'})` : `${featureName}: no drift detected`),
        h('table', {class: 'grid stats', id: 'feature-stats'}, h('tbody', {}, rows.map(([k, v]) => h('tr', {}, h('th', {scope: 'row'}, k.replaceAll('_', ' ')), h('td', {class: 'num'}, typeof v === 'number' ? fmt(v, 4) : String(v)))))),
        (f.new_values && f.new_values.length) ? h('p', {}, 'New values: ', f.new_values.map(v => h('span', {class: 'chip'}, String(v)))) : null);
    await distribution(featureSection, name, featureName, q);
  }
  // data quality
  const dq = report.data_quality || [];
  if (!dq.length) {
    quality.appendChild(message('empty', 'No data-quality findings in this range (missing rates, NaN, new or vanished categories, ranges and types checked against the reference).'));
  } else {
    quality.appendChild(h('div', {class: 'scroll'}, h('table', {class: 'grid', id: 'data-quality'},
        h('thead', {}, h('tr', {}, ['Feature', 'Issue', 'Value', 'Reference'].map(t => h('th', {scope: 'col'}, t)))),
        h('tbody', {}, dq.map(d => h('tr', {}, h('td', {}, d.feature ?? '—'), h('td', {}, String(d.issue).replaceAll('_', ' ')),
            h('td', {class: 'num'}, typeof d.value === 'object' && d.value !== null ? JSON.stringify(d.value) : fmt(d.value, 4)),
            h('td', {class: 'num'}, typeof d.reference === 'object' && d.reference !== null ? JSON.stringify(d.reference) : fmt(d.reference, 4))))))));
  }
}

/** One feature's distribution against the reference over {@code q} (from, to, version, segment), drawn into {@code el}. */
export async function distribution(el, name, feature, q) {
  let d;
  try {
    d = await get('/api/v1/dashboard/models/' + encodeURIComponent(name) + '/distribution', {...q, feature});
  } catch (e) {
    el.appendChild(message('empty', 'Distribution: ' + e.message));
    return;
  }
  const box = h('div', {class: 'chart', id: 'chart-distribution'});
  el.append(h('h4', {}, d.type === 'numerical' ? 'Cumulative distribution: current over reference' : 'Category shares: current over reference'),
      h('p', {class: 'basis'}, `${fmt(d.current_count)} current values · ${fmt(d.reference_count)} reference values · from the stored sketches`), box);
  if (d.type === 'numerical') {
    if (!d.points.length) {
      box.replaceWith(message('empty', 'No values of this feature in this range.'));
      return;
    }
    const echarts = await import('echarts');
    const chart = echarts.init(box, document.documentElement.dataset.theme === 'dark' ? 'dark' : null);
    chart.setOption({animation: false, legend: {}, tooltip: {trigger: 'axis', renderMode: 'richText'},
      grid: {left: 8, right: 16, top: 32, bottom: 8, containLabel: true},
      xAxis: {type: 'value', scale: true}, yAxis: {type: 'value', min: 0, max: 1},
      series: [{name: 'current', type: 'line', showSymbol: false, data: d.points.map(p => [p.value, p.current])},
        {name: 'reference', type: 'line', showSymbol: false, lineStyle: {type: 'dashed'}, data: d.points.map(p => [p.value, p.reference])}]});
    window.modelwatch.heatmaps['distribution'] = chart;
  } else {
    const echarts = await import('echarts');
    const chart = echarts.init(box, document.documentElement.dataset.theme === 'dark' ? 'dark' : null);
    chart.setOption({animation: false, legend: {}, tooltip: {trigger: 'axis', renderMode: 'richText'},
      grid: {left: 8, right: 16, top: 32, bottom: 8, containLabel: true},
      xAxis: {type: 'category', data: d.categories.map(c => c.value)}, yAxis: {type: 'value', min: 0},
      series: [{name: 'current', type: 'bar', data: d.categories.map(c => c.current)},
        {name: 'reference', type: 'bar', data: d.categories.map(c => c.reference)}]});
    window.modelwatch.heatmaps['distribution'] = chart;
  }
}
