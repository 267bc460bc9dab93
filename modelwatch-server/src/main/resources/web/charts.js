// Time-series charts (uPlot): one chart per group of series, alerts drawn as bands on the same
// time axis, drag to zoom (the range goes into the URL).
import uPlot from 'uplot';

const PALETTE = ['#2f6fdf', '#d9822b', '#2e9e5b', '#b33f9e', '#7a5cc7', '#c23b3b'];

function cssVar(name) {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
}

/**
 * Draws a chart.
 * @param el      where
 * @param id      its name in window.modelwatch.charts (tests read the drawn data back from there)
 * @param x       bucket start times, epoch ms
 * @param series  [{label, values (aligned with x, null = no value), dash}]
 * @param bands   [{from, to, label}] alert intervals, epoch ms
 * @param onZoom  (fromMs, toMs) when a range is selected by dragging
 */
export function timeChart(el, id, x, series, {bands = [], onZoom, height = 200, unit = ''} = {}) {
  const axisColor = cssVar('--muted');
  const width = Math.max(280, el.clientWidth || 600);
  const opts = {
    width,
    height,
    cursor: {drag: {x: true, y: false}},
    scales: {x: {time: true}},
    axes: [
      {stroke: axisColor, grid: {stroke: cssVar('--grid')}},
      {stroke: axisColor, grid: {stroke: cssVar('--grid')}, size: 56, values: (u, vals) => vals.map(v => v + unit)},
    ],
    series: [{label: 'time'}].concat(series.map((s, i) => ({
      label: s.label,
      stroke: PALETTE[i % PALETTE.length],
      width: 1.5,
      dash: s.dash ? [6, 4] : undefined,
      spanGaps: !!s.spanGaps,
      points: {show: x.length < 60},
    }))),
    hooks: {
      drawClear: [u => {
        const ctx = u.ctx;
        ctx.save();
        ctx.fillStyle = cssVar('--alert-band');
        for (const b of bands) {
          const x0 = u.valToPos(Math.max(b.from, u.scales.x.min * 1000) / 1000, 'x', true);
          const x1 = u.valToPos(Math.min(b.to, u.scales.x.max * 1000) / 1000, 'x', true);
          if (x1 > x0) ctx.fillRect(x0, u.bbox.top, x1 - x0, u.bbox.height);
        }
        ctx.restore();
      }],
      setSelect: [u => {
        if (u.select.width > 4 && onZoom) {
          const from = u.posToVal(u.select.left, 'x') * 1000;
          const to = u.posToVal(u.select.left + u.select.width, 'x') * 1000;
          onZoom(Math.floor(from), Math.ceil(to));
        }
      }],
    },
  };
  const data = [x.map(t => t / 1000)].concat(series.map(s => s.values));
  const chart = new uPlot(opts, data, el);
  window.modelwatch.charts[id] = chart;
  return chart;
}

/** Resizes the charts to their containers (phone rotation, window resize). */
export function fitCharts() {
  for (const c of Object.values(window.modelwatch.charts)) {
    const w = c.root.parentElement ? c.root.parentElement.clientWidth : 0;
    if (w > 0 && Math.abs(w - c.width) > 8) c.setSize({width: w, height: c.height});
  }
}
window.addEventListener('resize', fitCharts);
