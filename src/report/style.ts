/**
 * One look per scheme in every figure of every run: colour (Okabe–Ito, colour-blind safe), marker
 * and dash, so lines stay apart in greyscale prints too (no two known names share a marker or a
 * dash within their family). Names outside the table get a style derived from a hash of the name,
 * so the same unknown series looks the same in every figure and run.
 */

export interface SeriesStyle {
  color: string;
  /** Vega symbol shape. */
  shape: string;
  /** SVG dash array ([] = solid). */
  dash: number[];
  /** Legend text. */
  label: string;
}

const BLACK = '#000000', BLUE = '#0072B2', VERMILLION = '#D55E00', GREEN = '#009E73', PURPLE = '#CC79A7', ORANGE = '#E69F00', SKY = '#56B4E9';

/** Aggregation schemes (AirComp / digital / ideal) and split-learning schedulers. */
export const STYLES: Record<string, SeriesStyle> = {
  ideal: { color: BLACK, shape: 'circle', dash: [], label: 'ideal' },
  zf: { color: BLUE, shape: 'square', dash: [6, 3], label: 'ZF' },
  mmse: { color: VERMILLION, shape: 'triangle-up', dash: [2, 2], label: 'MMSE' },
  tci: { color: GREEN, shape: 'diamond', dash: [8, 3, 2, 3], label: 'TCI' },
  manifold: { color: PURPLE, shape: 'triangle-down', dash: [12, 4], label: 'manifold' },
  digital: { color: ORANGE, shape: 'cross', dash: [4, 2, 1, 2, 1, 2], label: 'digital' },
  lyapunov: { color: BLACK, shape: 'circle', dash: [], label: 'Lyapunov' },
  'all-in': { color: ORANGE, shape: 'square', dash: [6, 3], label: 'all-in' },
  random: { color: SKY, shape: 'triangle-up', dash: [2, 2], label: 'random' },
  'best-channel': { color: GREEN, shape: 'diamond', dash: [8, 3, 2, 3], label: 'best channel' },
  'round-robin': { color: PURPLE, shape: 'cross', dash: [12, 4], label: 'round robin' },
};

const FALLBACK_COLORS = ['#7F7F7F', '#8C510A', '#01665E', '#762A83', '#B2182B', '#2166AC', '#4D4D4D'];
const FALLBACK_SHAPES = ['triangle-left', 'triangle-right', 'wedge', 'arrow', 'diamond', 'square', 'circle'];
const FALLBACK_DASHES = [[3, 1], [10, 2, 2, 2], [1, 3], [5, 5], [14, 3, 3, 3]];

/** FNV-1a, so a name's fallback style does not depend on which other series are plotted. */
function hash(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) { h ^= s.charCodeAt(i); h = Math.imul(h, 0x01000193) >>> 0; }
  return h >>> 0;
}

/**
 * The style of a series value. Known names match exactly, or by their base name before a space,
 * parenthesis, '@' or '-' suffix ("zf (warm start)" and "tci-0.1" look like zf and tci).
 */
export function seriesStyle(name: string): SeriesStyle {
  const exact = STYLES[name] ?? STYLES[name.toLowerCase()];
  if (exact) return exact;
  const base = name.toLowerCase().split(/[\s(@]|-(?=[0-9.])/)[0]!;
  const b = STYLES[base];
  if (b) return { ...b, label: name };
  const h = hash(name);
  return {
    color: FALLBACK_COLORS[h % FALLBACK_COLORS.length]!,
    shape: FALLBACK_SHAPES[(h >>> 8) % FALLBACK_SHAPES.length]!,
    dash: FALLBACK_DASHES[(h >>> 16) % FALLBACK_DASHES.length]!,
    label: name,
  };
}

/** Scale domain/range triples for vega-lite (colour, shape, strokeDash), in the given order. */
export function styleScales(order: string[]): { color: { domain: string[]; range: string[] }; shape: { domain: string[]; range: string[] }; strokeDash: { domain: string[]; range: number[][] } } {
  const st = order.map(seriesStyle);
  return {
    color: { domain: order, range: st.map((s) => s.color) },
    shape: { domain: order, range: st.map((s) => s.shape) },
    strokeDash: { domain: order, range: st.map((s) => s.dash) },
  };
}
