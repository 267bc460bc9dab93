// A training run: any metric's curve by step or by time (a toggle) with the detected problems and the
// resumes from a checkpoint marked on it, a second run overlaid (aligned by step, or each at its own
// times), the problems found, and the run's GPU and host resources (the agent's metric events labelled
// with the run) on one time axis with the problems marked at the time they were found; by time, the
// curve and the resources share that axis (same range, one cursor). The page follows the run live.
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
 * xTime: x values are epoch seconds (uPlot's time scale), else plain steps. A series with right: true is
 * drawn on a second scale with its axis on the right (a resource overlaid on a curve); one with
 * spanGaps: true joins its points across the x values it has no reading at.
 */
function markedChart(el, id, x, series, markers, {xTime = false, height = 220, range = null} = {}) {
  const axisColor = cssVar('--muted');
  const opts = {
    width: Math.max(280, el.clientWidth || 600),
    height,
    scales: {x: range ? {time: xTime, range: () => range} : {time: xTime}},
    cursor: xTime ? {sync: {key: 'run-time'}} : {},
    axes: [
      {stroke: axisColor, grid: {stroke: cssVar('--grid')}, label: xTime ? null : 'step'},
      {scale: 'y', stroke: axisColor, grid: {stroke: cssVar('--grid')}, size: 60},
    ].concat(series.some(s => s.right) ? [{scale: 'right', side: 1, stroke: axisColor, grid: {show: false}, size: 60}] : []),
    series: [{label: xTime ? 'time' : 'step'}].concat(series.map((s, i) => ({
      label: s.label,
      stroke: PALETTE[i % PALETTE.length],
      width: 1.5,
      dash: s.dash ? [6, 4] : undefined,
      scale: s.right ? 'right' : 'y',
      spanGaps: !!s.spanGaps,
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

/** Epoch seconds of an ISO time (uPlot's time scale), null when unknown. */
function seconds(iso) {
  return iso ? Date.parse(iso) / 1000 : null;
}

/** A run's curve of one metric as [x, value] by bucket: x the step, or the time of the bucket's last step. */
function curveOf(run, metric, byTime) {
  const s = run.series[metric];
  if (!s) return [];
  return s.buckets.filter(b => !byTime || b.at).map(b => [byTime ? seconds(b.at) : b.to_step,
    finite(b.count ? b.mean : NaN)]);
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
    const first = await get('/api/v1/runs/' + encodeURIComponent(runName), {model});
    const names = Object.keys(first.metrics);
    const metric = names.includes(ctx.params.get('metric')) ? ctx.params.get('metric')
      : names.includes('loss') ? 'loss' : names[0];
    const other = ctx.params.get('other') || '';
    const byTime = ctx.params.get('axis') === 'time';

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
    const axisSelect = h('select', {id: 'axis', 'aria-label': 'Horizontal axis'},
        h('option', {value: 'step', selected: byTime ? null : true}, 'by step'),
        h('option', {value: 'time', selected: byTime ? true : null}, 'by time'));
    // a resource overlaid on the curve, on the time axis (choosing one switches to it)
    const overlaid = ctx.params.get('resource') || '';
    const resourceSelect = h('select', {id: 'resource', 'aria-label': 'Overlay a resource'},
        h('option', {value: ''}, 'no resource'));
    const go = changed => {
      // back to steps drops the overlaid resource; choosing a resource goes to the time axis
      const resource = changed === axisSelect && axisSelect.value === 'step' ? '' : resourceSelect.value;
      ctx.navigate(runHref(model, runName) + '?' + new URLSearchParams(
          Object.entries({metric: metricSelect.value, other: otherSelect.value,
            axis: resource || axisSelect.value === 'time' ? 'time' : '', resource}).filter(([, v]) => v)));
    };
    for (const select of [metricSelect, otherSelect, axisSelect, resourceSelect]) {
      select.addEventListener('change', () => go(select));
    }

    const status = h('p', {id: 'run-status'});
    const curveBox = h('div', {id: 'run-curve'});
    const problems = h('section', {id: 'run-problems', 'aria-labelledby': 'problems-h'});
    const resources = h('section', {id: 'run-resources', 'aria-labelledby': 'resources-h'});
    root.append(
        h('p', {}, h('a', {href: '/ui/runs'}, '← all runs')),
        h('h1', {}, runName, h('span', {class: 'sub'}, ' of ', model)),
        status,
        h('div', {class: 'filters'}, h('label', {for: 'metric'}, 'Metric '), metricSelect, ' ',
            h('label', {for: 'other'}, 'Overlay '), otherSelect, ' ', h('label', {for: 'axis'}, 'Axis '), axisSelect, ' ',
            h('label', {for: 'resource'}, 'Resource '), resourceSelect),
        h('h2', {}, metric, byTime ? ' by time' : ' by step'), curveBox, problems, resources);

    const draw = async run => {
      status.replaceChildren(h('span', {class: 'badge ' + (run.status === 'running' ? 'ok'
          : run.status === 'finished' ? 'resolved' : 'critical')}, run.status),
          ' step ', fmt(run.last_step), ' · ', fmt(run.events), ' events · ', time(run.first_event), ' – ',
          time(run.last_event));
      // the resources first: by time, the curve takes the same range as the resource charts
      const res = await get('/api/v1/resources', {run: runName, points: 300});
      const resourceNames = [...new Set(res.series.map(s => s.name))].sort();
      resourceSelect.replaceChildren(h('option', {value: ''}, 'no resource'),
          ...resourceNames.map(n => h('option', {value: n, selected: n === overlaid ? true : null}, n)));
      const curveSeries = [];
      let x;
      if (other) {
        const [otherModel, ...rest] = other.split('/');
        const otherRun = rest.join('/');
        if (byTime) {
          // each run at its own times: one x axis holding both runs' bucket times
          const theirs = await get('/api/v1/runs/' + encodeURIComponent(otherRun), {model: otherModel, metrics: metric});
          const mine = curveOf(run, metric, true);
          const their = curveOf(theirs, metric, true);
          x = [...new Set(mine.concat(their).map(p => p[0]))].sort((a, b) => a - b);
          const index = new Map(x.map((t, i) => [t, i]));
          const line = points => {
            const values = new Array(x.length).fill(null);
            for (const [t, v] of points) values[index.get(t)] = v;
            return values;
          };
          curveSeries.push({label: runName, values: line(mine)});
          curveSeries.push({label: otherRun, values: line(their), dash: true});
        } else {
          const cmp = await get('/api/v1/runs/' + encodeURIComponent(runName) + '/compare/' + encodeURIComponent(otherRun),
              {metric, model, other_model: otherModel});
          x = cmp.points.map(p => p[0]);
          curveSeries.push({label: runName, values: cmp.points.map(p => finite(p[1]))});
          curveSeries.push({label: otherRun, values: cmp.points.map(p => finite(p[2])), dash: true});
        }
      } else if (metric) {
        const points = curveOf(run, metric, byTime);
        x = points.map(p => p[0]);
        curveSeries.push({label: metric, values: points.map(p => p[1])});
      }
      const ownPoints = x ? x.length : 0;
      if (byTime && overlaid && resourceNames.includes(overlaid) && x && x.length) {
        // the resource's lines (one per GPU or host) on the right-hand scale, on the union of both x values
        const group = res.series.filter(s => s.name === overlaid);
        const times = new Set(x);
        group.forEach(s => s.points.forEach(p => times.add(p[0] / 1000)));
        const merged = [...times].sort((a, b) => a - b);
        const index = new Map(merged.map((t, i) => [t, i]));
        for (const cs of curveSeries) {
          const values = new Array(merged.length).fill(null);
          x.forEach((t, i) => { values[index.get(t)] = cs.values[i]; });
          cs.values = values;
          cs.spanGaps = true;
        }
        for (const s of group) {
          const values = new Array(merged.length).fill(null);
          for (const p of s.points) values[index.get(p[0] / 1000)] = p[1];
          const tag = Object.entries(s.labels).filter(([k]) => k !== 'run' && k !== 'host').map(([k, v]) => k + '=' + v).join(' ');
          curveSeries.push({label: overlaid + (tag ? ' ' + tag : ''), values, right: true, spanGaps: true});
        }
        x = merged;
      }
      const problemMarkers = byTime
        ? run.problems.filter(p => p.at_ms).map(p => ({at: p.at_ms / 1000, color: markerColor(p.severity),
          label: p.kind + ' (' + p.metric + ')'}))
        : run.problems.map(p => ({at: p.step, color: markerColor(p.severity), label: p.kind + ' (' + p.metric + ')'}));
      const resumeMarkers = run.resumes.map(r => ({at: byTime ? seconds(r.at) : r.to_step, color: cssVar('--muted') || '#888',
        dash: true, label: 'resumed from step ' + r.from_step}));
      // by time, one range for the curve and the resources: from the first to the last reading of either
      let range = null;
      if (byTime) {
        const ends = (x || []).concat(res.series.flatMap(s => s.points.map(p => p[0] / 1000)));
        if (ends.length) range = [Math.min(...ends), Math.max(...ends)];
      }
      curveBox.replaceChildren();
      const curve = h('div', {id: 'curve-chart', class: 'chart'});
      const curveNote = h('p', {class: 'help', id: 'curve-note'});
      curveBox.append(curve, curveNote);
      if (x && x.length) {
        markedChart(curve, 'curve', x, curveSeries, problemMarkers.concat(resumeMarkers), {xTime: byTime, range});
        curveNote.textContent = ownPoints + ' points' + (run.series[metric] && run.series[metric].bucket_steps > 1
          ? ', each the mean of ' + run.series[metric].bucket_steps + ' steps' : '')
          + (byTime ? ', at the time of each one\'s last step' : '')
          + (problemMarkers.length ? '; solid lines: problems' : '') + (resumeMarkers.length ? '; dashed: resumes from a checkpoint' : '');
        if (resumeMarkers.length) {
          curveBox.appendChild(h('ul', {id: 'resumes'}, run.resumes.map(r =>
            h('li', {}, 'resumed at ', time(r.at), ': step ', fmt(r.from_step), ' → ', fmt(r.to_step)))));
        }
      } else {
        curve.appendChild(message('empty', 'This run has sent no metric yet.'));
      }

      // ---- problems ----
      problems.replaceChildren(h('h2', {id: 'problems-h'}, 'Problems'));
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
      resources.replaceChildren(h('h2', {id: 'resources-h'}, 'Resources'));
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
          markedChart(el, 'resource:' + name, times.map(t => t / 1000), lines, timeMarkers, {xTime: true, height: 160, range});
        }
        resources.appendChild(h('p', {class: 'help'}, res.events + ' readings from ' + time(res.from) + ' to '
            + time(res.to) + ', ' + Math.round(res.bucket_ms / 1000) + ' s per point (mean; min and max in the API)'));
      }
      window.modelwatch.runDraws = (window.modelwatch.runDraws || 0) + 1;
    };

    await draw(first);
    ctx.ready();
    const key = model + '/' + runName;
    return {
      onLive: change => {
        if (!change.runs || change.runs.includes(key)) {
          get('/api/v1/runs/' + encodeURIComponent(runName), {model}).then(draw).catch(() => {});
        }
      },
    };
  },
};
