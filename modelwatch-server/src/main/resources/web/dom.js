// Builds DOM nodes. Strings become text nodes (textContent), never HTML: whatever a model, feature,
// segment or label is called, it is shown as that text.

/** h('td', {class: 'num'}, 'text', child, ...) */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v == null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k === 'value') el.value = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c == null || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else if (c instanceof Node) el.appendChild(c);
    else el.appendChild(document.createTextNode(String(c)));
  }
}

export function clear(el) {
  while (el.firstChild) el.removeChild(el.firstChild);
  return el;
}

const SVG = 'http://www.w3.org/2000/svg';

/** A tiny line of [x, y] points, for table rows; a chart library would be heavier than the row. */
export function sparkline(points, width = 96, height = 24) {
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('width', width);
  svg.setAttribute('height', height);
  svg.setAttribute('class', 'spark');
  svg.setAttribute('aria-hidden', 'true');
  if (points.length < 2) return svg;
  const xs = points.map(p => p[0]), ys = points.map(p => p[1]);
  const x0 = Math.min(...xs), x1 = Math.max(...xs), y0 = Math.min(...ys), y1 = Math.max(...ys);
  const sx = x => ((x - x0) / (x1 - x0 || 1)) * (width - 2) + 1;
  const sy = y => height - 1 - ((y - y0) / (y1 - y0 || 1)) * (height - 2);
  const line = document.createElementNS(SVG, 'polyline');
  line.setAttribute('points', points.map(p => sx(p[0]).toFixed(1) + ',' + sy(p[1]).toFixed(1)).join(' '));
  svg.appendChild(line);
  return svg;
}

export function fmt(v, digits = 3) {
  if (v == null || Number.isNaN(v)) return '—';
  if (typeof v !== 'number') return String(v);
  if (Number.isInteger(v)) return v.toLocaleString('en');
  return Math.abs(v) >= 100 ? v.toFixed(0) : v.toPrecision(digits);
}

export function pct(v) {
  return v == null ? '—' : (v * 100).toFixed(1) + ' %';
}

export function time(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  return d.toISOString().replace('T', ' ').slice(0, 19) + 'Z';
}

export function message(kind, text) {
  return h('p', {class: 'msg ' + kind, role: kind === 'error' ? 'alert' : null}, text);
}
