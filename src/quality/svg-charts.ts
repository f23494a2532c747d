/**
 * Charts as inline SVG strings, drawn here rather than in the browser: the report needs no
 * script and no network, prints as it shows, and a test can count its marks. Every mark carries
 * a `<title>` (the browser's tooltip) and `data-value`.
 */

/** Escapes text for HTML and SVG content and attributes. */
export function esc(s: string | number): string {
  return String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const fmt = (x: number): string => (Math.round(x * 10) / 10).toFixed(1);
const px = (x: number): string => String(Math.round(x * 10) / 10);

/**
 * A colour for a 0–100 score: red at 50 and below, through amber, to green at 100. Scores
 * under 50 are all red on purpose: the differences that matter to a reader are above it.
 */
export function scoreColour(score: number): string {
  const t = Math.max(0, Math.min(1, (score - 50) / 50));
  return `hsl(${Math.round(t * 120)}, 65%, ${Math.round(78 - t * 6)}%)`;
}

const PALETTE = ['#1f5fa8', '#d9822b', '#2a9d5c', '#b5404a', '#7656b0', '#8a6d3b', '#3b8a8a', '#c05ea0'];

export interface LineSeries {
  name: string;
  /** One value per label; null where the series has none. */
  values: (number | null)[];
}

/** A line chart on a 0–100 axis (scores over runs); the first series is drawn bold. */
export function lineChart(opts: { id: string; title: string; labels: string[]; series: LineSeries[]; width?: number; height?: number }): string {
  const W = opts.width ?? 760;
  const H = opts.height ?? 260;
  const m = { l: 60, r: 130, t: 16, b: 40 };
  const iw = W - m.l - m.r;
  const ih = H - m.t - m.b;
  const n = opts.labels.length;
  const x = (i: number): number => m.l + (n <= 1 ? iw / 2 : (i * iw) / (n - 1));
  const values = opts.series.flatMap((s) => s.values.filter((v): v is number => v !== null));
  // Zoom the axis to the data (scores cluster high) but never to less than a 20-point span.
  const lo = Math.max(0, Math.min(80, Math.floor((Math.min(...values, 100) - 5) / 10) * 10));
  const y = (v: number): number => m.t + ih - ((v - lo) / (100 - lo)) * ih;
  const out: string[] = [];
  out.push(`<svg class="chart" data-chart="${esc(opts.id)}" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${esc(opts.title)}">`);
  for (let v = lo; v <= 100; v += lo >= 60 ? 5 : 10) {
    out.push(`<line class="grid" x1="${m.l}" x2="${m.l + iw}" y1="${px(y(v))}" y2="${px(y(v))}"/><text class="axis" x="${m.l - 6}" y="${px(y(v) + 4)}" text-anchor="end">${v}</text>`);
  }
  const step = Math.max(1, Math.ceil(n / 8));
  opts.labels.forEach((l, i) => {
    if (i % step === 0 || i === n - 1) out.push(`<text class="axis" x="${px(x(i))}" y="${H - m.b + 16}" text-anchor="middle">${esc(l)}</text>`);
  });
  opts.series.forEach((s, k) => {
    const colour = PALETTE[k % PALETTE.length]!;
    const pts = s.values.map((v, i) => (v === null ? null : `${px(x(i))},${px(y(v))}`)).filter((p): p is string => p !== null);
    if (pts.length > 1) out.push(`<polyline class="series" data-series="${esc(s.name)}" fill="none" stroke="${colour}" stroke-width="${k === 0 ? 3 : 1.5}" points="${pts.join(' ')}"/>`);
    s.values.forEach((v, i) => {
      if (v === null) return;
      out.push(`<circle class="point" data-series="${esc(s.name)}" data-value="${v}" cx="${px(x(i))}" cy="${px(y(v))}" r="${k === 0 ? 4 : 3}" fill="${colour}"><title>${esc(s.name)} · ${esc(opts.labels[i] ?? '')}: ${fmt(v)}</title></circle>`);
    });
    out.push(`<rect x="${W - m.r + 12}" y="${m.t + k * 18}" width="12" height="4" fill="${colour}"/><text class="legend" x="${W - m.r + 30}" y="${m.t + k * 18 + 6}">${esc(s.name)}</text>`);
  });
  out.push('</svg>');
  return out.join('');
}

/** A heat map of scores: one row per subject, one column per field; an empty cell is drawn grey with a dash. */
export function heatMap(opts: { id: string; title: string; rows: string[]; cols: string[]; cell: (row: string, col: string) => { score: number; title: string } | undefined }): string {
  const cw = 62;
  const ch = 28;
  const left = 90;
  const top = 96;
  const W = left + opts.cols.length * cw + 60;
  const H = top + opts.rows.length * ch + 8;
  const out: string[] = [];
  out.push(`<svg class="chart" data-chart="${esc(opts.id)}" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${esc(opts.title)}">`);
  opts.cols.forEach((c, j) => {
    const cx = left + j * cw + cw / 2;
    out.push(`<text class="axis" transform="translate(${px(cx)},${top - 8}) rotate(-40)">${esc(c)}</text>`);
  });
  opts.rows.forEach((r, i) => {
    const cy = top + i * ch;
    out.push(`<text class="axis" x="${left - 8}" y="${cy + ch / 2 + 4}" text-anchor="end">${esc(r)}</text>`);
    opts.cols.forEach((c, j) => {
      const v = opts.cell(r, c);
      const cx = left + j * cw;
      if (!v) {
        out.push(`<rect class="cell empty" x="${cx + 1}" y="${cy + 1}" width="${cw - 2}" height="${ch - 2}" fill="#eee"/><text class="cellval muted" x="${cx + cw / 2}" y="${cy + ch / 2 + 4}" text-anchor="middle">–</text>`);
        return;
      }
      out.push(
        `<rect class="cell" data-row="${esc(r)}" data-col="${esc(c)}" data-value="${v.score}" x="${cx + 1}" y="${cy + 1}" width="${cw - 2}" height="${ch - 2}" fill="${scoreColour(v.score)}"><title>${esc(v.title)}</title></rect>` +
          `<text class="cellval" x="${cx + cw / 2}" y="${cy + ch / 2 + 4}" text-anchor="middle">${fmt(v.score)}</text>`,
      );
    });
  });
  out.push('</svg>');
  return out.join('');
}

/** Horizontal bars with their labels and counts (rejects by reason). */
export function barChart(opts: { id: string; title: string; items: { label: string; value: number; title?: string }[]; width?: number }): string {
  const W = opts.width ?? 760;
  const bh = 20;
  const left = 260;
  const H = Math.max(1, opts.items.length) * (bh + 4) + 8;
  const max = Math.max(1, ...opts.items.map((i) => i.value));
  const iw = W - left - 60;
  const out: string[] = [];
  out.push(`<svg class="chart" data-chart="${esc(opts.id)}" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${esc(opts.title)}">`);
  opts.items.forEach((it, i) => {
    const y = 4 + i * (bh + 4);
    const w = Math.max(1, (it.value / max) * iw);
    out.push(
      `<text class="axis" x="${left - 8}" y="${y + bh / 2 + 4}" text-anchor="end">${esc(it.label)}</text>` +
        `<rect class="bar" data-value="${it.value}" x="${left}" y="${y}" width="${px(w)}" height="${bh}" fill="${PALETTE[0]}"><title>${esc(it.title ?? `${it.label}: ${it.value}`)}</title></rect>` +
        `<text class="axis" x="${px(left + w + 6)}" y="${y + bh / 2 + 4}">${it.value}</text>`,
    );
  });
  out.push('</svg>');
  return out.join('');
}

/**
 * Vertical bars (a histogram). With `log`, heights follow log10(1 + count) so that a few pairs
 * near a threshold stay visible next to thousands of clear non-matches; the counts are printed.
 * `markers` are vertical lines at positions 0–1 of the x range (thresholds).
 */
export function columnChart(opts: {
  id: string;
  title: string;
  bins: { label: string; value: number; title?: string }[];
  log?: boolean;
  markers?: { at: number; label: string }[];
  width?: number;
  height?: number;
}): string {
  const W = opts.width ?? 760;
  const H = opts.height ?? 240;
  const m = { l: 16, r: 16, t: 28, b: 36 };
  const iw = W - m.l - m.r;
  const ih = H - m.t - m.b;
  const n = Math.max(1, opts.bins.length);
  const bw = iw / n;
  const scale = (v: number): number => (opts.log ? Math.log10(1 + v) : v);
  const max = Math.max(1e-9, ...opts.bins.map((b) => scale(b.value)));
  const out: string[] = [];
  out.push(`<svg class="chart" data-chart="${esc(opts.id)}" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${esc(opts.title)}">`);
  out.push(`<line class="grid" x1="${m.l}" x2="${m.l + iw}" y1="${m.t + ih}" y2="${m.t + ih}"/>`);
  const labelStep = Math.max(1, Math.ceil(n / 10));
  opts.bins.forEach((b, i) => {
    const h = b.value ? Math.max(1, (scale(b.value) / max) * ih) : 0;
    const x = m.l + i * bw;
    out.push(`<rect class="bar" data-value="${b.value}" x="${px(x + 1)}" y="${px(m.t + ih - h)}" width="${px(bw - 2)}" height="${px(h)}" fill="${PALETTE[0]}"><title>${esc(b.title ?? `${b.label}: ${b.value}`)}</title></rect>`);
    if (b.value) out.push(`<text class="count" x="${px(x + bw / 2)}" y="${px(m.t + ih - h - 4)}" text-anchor="middle">${b.value}</text>`);
    if (i % labelStep === 0) out.push(`<text class="axis" x="${px(x + bw / 2)}" y="${H - m.b + 16}" text-anchor="middle">${esc(b.label)}</text>`);
  });
  for (const mk of opts.markers ?? []) {
    const x = m.l + mk.at * iw;
    out.push(`<line class="marker" x1="${px(x)}" x2="${px(x)}" y1="${m.t - 10}" y2="${m.t + ih}"/><text class="marker-label" x="${px(x + 4)}" y="${m.t - 14}">${esc(mk.label)}</text>`);
  }
  out.push('</svg>');
  return out.join('');
}
