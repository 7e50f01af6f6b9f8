/**
 * Rendering without a browser: vega-lite → vega → SVG (vega's RNG seeded so the bytes are stable),
 * then PNG through resvg with the bundled DejaVu font and system fonts off.
 */
import { Resvg } from '@resvg/resvg-js';
import * as vega from 'vega';
import * as vl from 'vega-lite';
import { FONT_FAMILY, fontFiles } from './fonts.js';
import type { VlSpec } from './spec.js';

// Present at runtime (vega-statistics re-exports) but missing from vega's typings.
const seeded = vega as unknown as { setRandom(f: () => number): void; randomLCG(seed: number): () => number };

export async function renderSvg(spec: VlSpec): Promise<string> {
  const compiled = vl.compile(spec as unknown as vl.TopLevelSpec).spec;
  seeded.setRandom(seeded.randomLCG(0));
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

export function svgToPng(svg: string, scale = 2): Uint8Array {
  const r = new Resvg(svg, {
    background: 'white',
    fitTo: { mode: 'zoom', value: scale },
    font: { loadSystemFonts: false, fontFiles: fontFiles(), defaultFontFamily: FONT_FAMILY, sansSerifFamily: FONT_FAMILY },
  });
  return r.render().asPng();
}
