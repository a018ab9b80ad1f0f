/**
 * A dependency-free SVG bar chart: per bar, what was paid (up, orange) and what was earned
 * (green), on one linear scale. Values are BigInt balance units; the scale is computed in
 * Number, which is exact enough for drawing (not for money). `format` writes an amount of units
 * for the axis and the tooltips (default: the units themselves).
 */
const SVG = 'http://www.w3.org/2000/svg';

function el(tag, attributes, text) {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, String(value));
  if (text !== undefined) node.textContent = text;
  return node;
}

/**
 * @param {{label: string, paid: bigint, earned: bigint}[]} bars
 * @param {{width?: number, height?: number, format?: (units: bigint) => string}} [options]
 * @returns {SVGSVGElement}
 */
export function billChart(bars, { width = 860, height = 220, format = (units) => `${units} units` } = {}) {
  const pad = { left: 90, right: 10, top: 10, bottom: 28 };
  const svg = el('svg', { class: 'chart', viewBox: `0 0 ${width} ${height}`, role: 'img',
    'aria-label': 'Paid and earned per interval', 'data-testid': 'bill-chart' });
  const max = Math.max(1, ...bars.flatMap(({ paid, earned }) => [Number(paid), Number(earned)]));
  const plotHeight = height - pad.top - pad.bottom;
  const slot = (width - pad.left - pad.right) / Math.max(1, bars.length);
  const barWidth = Math.max(2, Math.min(28, slot / 2 - 2));
  const y = (value) => pad.top + plotHeight - (Number(value) / max) * plotHeight;
  for (const fraction of [0, 0.5, 1]) {
    const value = max * fraction;
    svg.append(el('line', { x1: pad.left, x2: width - pad.right, y1: y(value), y2: y(value),
      stroke: '#d9dee7' }));
    svg.append(el('text', { x: pad.left - 6, y: y(value) + 4, 'text-anchor': 'end' },
      format(BigInt(Math.round(value)))));
  }
  bars.forEach(({ label, paid, earned }, i) => {
    const x = pad.left + i * slot + slot / 2;
    const paidBar = el('rect', { class: 'paid', x: x - barWidth, y: y(paid), width: barWidth,
      height: Math.max(0, y(0) - y(paid)) });
    paidBar.append(el('title', {}, `${label}: paid ${format(paid)}`));
    const earnedBar = el('rect', { class: 'earned', x, y: y(earned), width: barWidth,
      height: Math.max(0, y(0) - y(earned)) });
    earnedBar.append(el('title', {}, `${label}: earned ${format(earned)}`));
    svg.append(paidBar, earnedBar);
    if (bars.length <= 24 || i % Math.ceil(bars.length / 24) === 0) {
      svg.append(el('text', { x, y: height - 10, 'text-anchor': 'middle' }, label));
    }
  });
  return svg;
}
