// A training run: any metric's curve by step with the detected problems and the resumes from a
// checkpoint marked on it, a second run overlaid (aligned by step), the problems found, and the run's
// GPU and host resources (the agent's metric events labelled with the run) on one time axis with the
// problems marked at the time they were found.
import uPlot from 'uplot';
import {h, fmt, time, message} from '../dom.js';
import {get} from '../api.js';
import {runHref} from './runs.js';

const PALETTE = ['#2f6fdf', '#d9822b', '#2e9e5b', '#b33f9e', '#7a5cc7', '#c23b3b'];

function cssVar(name) {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
}

/** A finite number, else null (uPlot draws a gap; NaN steps are listed as problems instead). */
function finite(v) {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

/**
 * A uPlot chart with vertical markers: {at (x value), color, label}.
 * xTime: x values are epoch seconds (uPlot's time scale), else plain steps.
 */
function markedChart(el, id, x, series, markers, {xTime = false, height = 220} = {}) {
  const axisColor = cssVar('--muted');
  const opts = {
    width: Math.max(280, el.clientWidth || 600),
    height,
    scales: {x: {time: xTime}},
    axes: [
      {stroke: axisColor, grid: {stroke: cssVar('--grid')}, label: xTime ? null : 'step'},
      {stroke: axisColor, grid: {stroke: cssVar('--grid')}, size: 60},
    ],
    series: [{label: xTime ? 'time' : 'step'}].concat(series.map((s, i) => ({
      label: s.label,
      stroke: PALETTE[i % PALETTE.length],
      width: 1.5,
      dash: s.dash ? [6, 4] : undefined,
      spanGaps: false,
      points: {show: x.length < 60},
    }))),
    hooks: {
      draw: [u => {
        const ctx = u.ctx;
        ctx.save();
        for (const m of markers) {
          const px = u.valToPos(m.at, 'x', true);
          if (!(px >= u.bbox.left && px <= u.bbox.left + u.bbox.width)) continue;
          ctx.strokeStyle = m.color;
          ctx.lineWidth = 2;
          ctx.setLineDash(m.dash ? [4, 4] : []);
          ctx.beginPath();
          ctx.moveTo(px, u.bbox.top);
          ctx.lineTo(px, u.bbox.top + u.bbox.height);
          ctx.stroke();
        }
        ctx.restore();
      }],
    },
  };
  const chart = new uPlot(opts, [x].concat(series.map(s => s.values)), el);
  chart.markers = markers;
  window.modelwatch.charts[id] = chart;
  return chart;
}

function markerColor(severity) {
  return severity === 'critical' ? cssVar('--crit') || '#c23b3b' : cssVar('--warn') || '#d9822b';
}

export default {
  id: 'run',
  title: 'Run',
  nav: false,
  href: '/ui/runs',
  path: /^\/ui\/runs\/([^/]+)\/([^/]+)$/,
  async render(ctx) {
    const [model, runName] = ctx.args;
    const root = ctx.root;
    const run = await get('/api/v1/runs/' + encodeURIComponent(runName), {model});
    const names = Object.keys(run.metrics);
    const metric = names.includes(ctx.params.get('metric')) ? ctx.params.get('metric')
      : names.includes('loss') ? 'loss' : names[0];
    const other = ctx.params.get('other') || '';

    const all = await get('/api/v1/runs');
    const others = all.runs.filter(r => !(r.model === model && r.run === runName));
    const metricSelect = h('select', {id: 'metric', 'aria-label': 'Metric'},
        names.map(n => h('option', {value: n, selected: n === metric ? true : null}, n)));
    const otherSelect = h('select', {id: 'other', 'aria-label': 'Overlay another run'},
        h('option', {value: ''}, 'no other run'),
        others.map(r => {
          const v = r.model + '/' + r.run;
          return h('option', {value: v, selected: v === other ? true : null}, r.run + ' (' + r.model + ')');
        }));
    metricSelect.addEventListener('change', () => ctx.navigate(runHref(model, runName) + '?' + new URLSearchParams(
        Object.entries({metric: metricSelect.value, other: otherSelect.value}).filter(([, v]) => v))));
    otherSelect.addEventListener('change', () => ctx.navigate(runHref(model, runName) + '?' + new URLSearchParams(
        Object.entries({metric: metricSelect.value, other: otherSelect.value}).filter(([, v]) => v))));

    const curve = h('div', {id: 'curve-chart', class: 'chart'});
    const curveNote = h('p', {class: 'help', id: 'curve-note'});
    const problems = h('section', {id: 'run-problems', 'aria-labelledby': 'problems-h'});
    const resources = h('section', {id: 'run-resources', 'aria-labelledby': 'resources-h'});
    root.append(
        h('p', {}, h('a', {href: '/ui/runs'}, '← all runs')),
        h('h1', {}, runName, h('span', {class: 'sub'}, ' of ', model)),
        h('p', {id: 'run-status'}, h('span', {class: 'badge ' + (run.status === 'running' ? 'ok'
            : run.status === 'finished' ? 'resolved' : 'critical')}, run.status),
            ' step ', fmt(run.last_step), ' · ', fmt(run.events), ' events · ', time(run.first_event), ' – ',
            time(run.last_event)),
        h('div', {class: 'filters'}, h('label', {for: 'metric'}, 'Metric '), metricSelect, ' ',
            h('label', {for: 'other'}, 'Overlay '), otherSelect),
        h('h2', {}, metric, ' by step'), curve, curveNote, problems, resources);

    // ---- the curve (and the other run's, aligned by step) with problems and resumes marked ----
    let x;
    const series = [];
    if (other) {
      const [otherModel, ...rest] = other.split('/');
      const cmp = await get('/api/v1/runs/' + encodeURIComponent(runName) + '/compare/' + encodeURIComponent(rest.join('/')),
          {metric, model, other_model: otherModel});
      x = cmp.points.map(p => p[0]);
      series.push({label: runName, values: cmp.points.map(p => finite(p[1]))});
      series.push({label: rest.join('/'), values: cmp.points.map(p => finite(p[2])), dash: true});
    } else if (metric) {
      const points = run.metrics[metric];
      x = points.map(p => p[0]);
      series.push({label: metric, values: points.map(p => finite(p[1]))});
    }
    const stepMarkers = run.problems.map(p => ({at: p.step, color: markerColor(p.severity), label: p.kind + ' (' + p.metric + ')'}));
    const resumeMarkers = run.resumes.map(r => ({at: r.to_step, color: cssVar('--muted') || '#888', dash: true,
      label: 'resumed from step ' + r.from_step}));
    if (x && x.length) {
      markedChart(curve, 'curve', x, series, stepMarkers.concat(resumeMarkers));
      curveNote.textContent = x.length + ' points' + (run.series[metric] && run.series[metric].bucket_steps > 1
        ? ', each the mean of ' + run.series[metric].bucket_steps + ' steps' : '')
        + (stepMarkers.length ? '; solid lines: problems' : '') + (resumeMarkers.length ? '; dashed: resumes from a checkpoint' : '');
      if (resumeMarkers.length) {
        curve.after(h('ul', {id: 'resumes'}, run.resumes.map(r =>
          h('li', {}, 'resumed at ', time(r.at), ': step ', fmt(r.from_step), ' → ', fmt(r.to_step)))));
      }
    } else {
      curve.appendChild(message('empty', 'This run has sent no metric yet.'));
    }

    // ---- problems ----
    problems.append(h('h2', {id: 'problems-h'}, 'Problems'));
    if (!run.problems.length) {
      problems.appendChild(message('empty', 'No problem found.'));
    } else {
      problems.appendChild(h('div', {class: 'scroll'}, h('table', {class: 'grid', id: 'problems'},
          h('thead', {}, h('tr', {}, ['Step', 'Kind', 'Severity', 'Metric', 'Found', 'What'].map(t => h('th', {scope: 'col'}, t)))),
          h('tbody', {}, run.problems.map(p => h('tr', {dataset: {kind: p.kind, severity: p.severity}},
              h('td', {class: 'num'}, fmt(p.step)),
              h('th', {scope: 'row'}, p.kind),
              h('td', {}, h('span', {class: 'badge ' + p.severity}, p.severity)),
              h('td', {}, p.metric),
              h('td', {}, p.at_ms ? time(new Date(p.at_ms).toISOString()) : '—'),
              h('td', {}, p.message)))))));
    }

    // ---- resources on one time axis, problems marked at the time found ----
    resources.append(h('h2', {id: 'resources-h'}, 'Resources'));
    const res = await get('/api/v1/resources', {run: runName, points: 300});
    if (!res.series.length) {
      resources.appendChild(message('empty', 'No resource readings labelled with this run (modelwatch agent --run '
          + runName + ').'));
    } else {
      const byName = new Map();
      for (const s of res.series) {
        if (!byName.has(s.name)) byName.set(s.name, []);
        byName.get(s.name).push(s);
      }
      const timeMarkers = run.problems.filter(p => p.at_ms).map(p => ({at: p.at_ms / 1000, color: markerColor(p.severity),
        label: p.kind}));
      for (const [name, group] of byName) {
        const times = [...new Set(group.flatMap(s => s.points.map(p => p[0])))].sort((a, b) => a - b);
        const index = new Map(times.map((t, i) => [t, i]));
        const lines = group.map(s => {
          const values = new Array(times.length).fill(null);
          for (const p of s.points) values[index.get(p[0])] = p[1];
          const tag = Object.entries(s.labels).filter(([k]) => k !== 'run' && k !== 'host').map(([k, v]) => k + '=' + v).join(' ');
          return {label: (s.labels.host || '') + (tag ? ' ' + tag : ''), values};
        });
        const el = h('div', {class: 'chart', id: 'resource-' + name});
        resources.append(h('h3', {}, name), el);
        markedChart(el, 'resource:' + name, times.map(t => t / 1000), lines, timeMarkers, {xTime: true, height: 160});
      }
      resources.appendChild(h('p', {class: 'help'}, res.events + ' readings from ' + time(res.from) + ' to '
          + time(res.to) + ', ' + Math.round(res.bucket_ms / 1000) + ' s per point (mean; min and max in the API)'));
    }
    ctx.ready();
    return {};
  },
};
