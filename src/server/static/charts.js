// Inline SVG charts, no library: the dashboard loads nothing from elsewhere.
const NS = 'http://www.w3.org/2000/svg';

function el(name, attrs, text) {
  const e = document.createElementNS(NS, name);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
}

/**
 * A line chart of points [{ label, value }] on a 0–100 axis, as an <svg> element.
 * Labels go through textContent, never markup.
 */
export function lineChart(points, { width = 640, height = 220 } = {}) {
  const pad = { l: 36, r: 12, t: 10, b: 28 };
  const svg = el('svg', { width, height, viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': 'quality score trend' });
  const x = (i) => pad.l + (points.length < 2 ? (width - pad.l - pad.r) / 2 : (i * (width - pad.l - pad.r)) / (points.length - 1));
  const y = (v) => pad.t + ((100 - v) * (height - pad.t - pad.b)) / 100;
  for (const v of [0, 25, 50, 75, 100]) {
    svg.append(el('line', { x1: pad.l, x2: width - pad.r, y1: y(v), y2: y(v), stroke: '#e3e7ee' }));
    svg.append(el('text', { x: 4, y: y(v) + 4 }, String(v)));
  }
  if (!points.length) {
    svg.append(el('text', { x: width / 2 - 40, y: height / 2 }, 'no runs yet'));
    return svg;
  }
  svg.append(el('polyline', { points: points.map((p, i) => `${x(i)},${y(p.value)}`).join(' '), fill: 'none', stroke: '#2458c6', 'stroke-width': 2 }));
  points.forEach((p, i) => {
    const dot = el('circle', { cx: x(i), cy: y(p.value), r: 3.5, fill: '#2458c6' });
    dot.append(el('title', {}, `${p.label}: ${p.value}`));
    svg.append(dot);
  });
  const first = points[0];
  const last = points[points.length - 1];
  svg.append(el('text', { x: pad.l, y: height - 8 }, first.label));
  if (points.length > 1) svg.append(el('text', { x: width - pad.r - 110, y: height - 8 }, last.label));
  return svg;
}
