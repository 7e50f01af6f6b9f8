/**
 * Rendering without a browser: vega-lite → vega → SVG (vega's RNG seeded so the bytes are stable),
 * then PNG through resvg and PDF through pdfkit, both with the bundled DejaVu font (system fonts
 * off, the font embedded in the PDF), so a figure looks the same on every machine.
 *
 * Print sizes: the specs use one SVG unit per point; `renderToWidth` adjusts the panel width until
 * the whole figure is the IEEE column width, `physicalSvg` states that width in inches, and the PNG
 * is rasterised at 300 dpi.
 */
import { Resvg } from '@resvg/resvg-js';
import { createRequire } from 'node:module';
import * as vega from 'vega';
import * as vl from 'vega-lite';
import { FONT_FAMILY, fontFiles, textWidth } from './fonts.js';
import type { VlSpec } from './spec.js';

// Present at runtime (vega-statistics re-exports) but missing from vega's typings.
const seeded = vega as unknown as { setRandom(f: () => number): void; randomLCG(seed: number): () => number };

export const DPI = 300;

let metricsInstalled = false;
/**
 * Vega lays text out with a rough 0.8 em-per-character estimate when there is no canvas (Node), so
 * titles, legends and axis labels got space they do not use. Measure with the bundled font's real
 * advance widths instead (what resvg and the PDF then draw), as vl-convert does.
 */
function installTextMetrics(): void {
  if (metricsInstalled) return;
  const tm = (vega as unknown as { textMetrics: { width: (item: Record<string, unknown>, text: unknown) => number } }).textMetrics;
  tm.width = (item, text) => {
    const size = item['fontSize'] != null ? Number(item['fontSize']) || 0 : 11;
    const w = item['fontWeight'];
    return textWidth(String(text ?? item['text'] ?? ''), size, w === 'bold' || Number(w) >= 600);
  };
  metricsInstalled = true;
}

export async function renderSvg(spec: VlSpec): Promise<string> {
  installTextMetrics();
  const compiled = vl.compile(spec as unknown as vl.TopLevelSpec).spec;
  seeded.setRandom(seeded.randomLCG(0));
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** Width and height of an SVG's viewBox (its own units). */
export function svgSize(svg: string): { width: number; height: number } {
  const vb = /viewBox="([-\d.e]+)[ ,]+([-\d.e]+)[ ,]+([\d.e]+)[ ,]+([\d.e]+)"/.exec(svg);
  if (vb) return { width: Number(vb[3]), height: Number(vb[4]) };
  const w = /<svg[^>]*\swidth="([\d.]+)/.exec(svg), h = /<svg[^>]*\sheight="([\d.]+)/.exec(svg);
  return { width: Number(w?.[1] ?? NaN), height: Number(h?.[1] ?? NaN) };
}

/**
 * Render a spec built for a panel width, adjusting that width so the whole figure (axes, legend,
 * padding) is `targetPt` wide: the figure width is linear in the panel width (slope = panels per row),
 * so two renders suffice.
 */
export async function renderToWidth(build: (panelWidth?: number) => VlSpec, targetPt: number, panelsPerRow: number): Promise<{ svg: string; spec: VlSpec }> {
  let spec = build();
  let svg = await renderSvg(spec);
  // a title or legend wider than the plots fixes the width: iterate a few times
  for (let k = 0; k < 3; k++) {
    const w = svgSize(svg).width;
    const pw = panelWidthOf(spec);
    if (pw === undefined || Math.abs(w - targetPt) <= 0.5) break;
    spec = build(Math.max(40, pw + (targetPt - w) / panelsPerRow));
    svg = await renderSvg(spec);
  }
  return { svg, spec };
}

function panelWidthOf(spec: VlSpec): number | undefined {
  const find = (s: unknown): number | undefined => {
    if (!s || typeof s !== 'object') return undefined;
    const o = s as Record<string, unknown>;
    if (Array.isArray(o['layer']) && typeof o['width'] === 'number') return o['width'];
    for (const k of ['spec', 'hconcat', 'vconcat']) {
      const v = o[k];
      const r = Array.isArray(v) ? find(v[0]) : find(v);
      if (r !== undefined) return r;
    }
    return undefined;
  };
  return find(spec);
}

/** The SVG with its physical size stated in inches (viewBox kept): what a paper's \includegraphics reads. */
export function physicalSvg(svg: string, widthIn: number): string {
  const { width, height } = svgSize(svg);
  const hIn = (widthIn * height) / width;
  return svg.replace(/<svg([^>]*?)\swidth="[^"]*"\s+height="[^"]*"/, `<svg$1 width="${widthIn.toFixed(3)}in" height="${hIn.toFixed(3)}in"`);
}

function resvgOptions(fit: { mode: 'zoom'; value: number } | { mode: 'width'; value: number }) {
  return {
    background: 'white',
    fitTo: fit,
    font: { loadSystemFonts: false, fontFiles: fontFiles(), defaultFontFamily: FONT_FAMILY, sansSerifFamily: FONT_FAMILY },
  };
}

export function svgToPng(svg: string, scale = 2): Uint8Array {
  return new Resvg(svg, resvgOptions({ mode: 'zoom', value: scale })).render().asPng();
}

/** PNG exactly `px` pixels wide (e.g. 3.5 in × 300 dpi = 1050 px). */
export function svgToPngWidth(svg: string, px: number): Uint8Array {
  return new Resvg(svg, resvgOptions({ mode: 'width', value: Math.round(px) })).render().asPng();
}

type PdfDoc = {
  registerFont(name: string, src: string): void;
  on(ev: string, f: (c?: Buffer) => void): void;
  end(): void;
};
type PdfKitCtor = new (opts: Record<string, unknown>) => PdfDoc;
type SvgToPdf = (doc: PdfDoc, svg: string, x: number, y: number, opts: Record<string, unknown>) => void;

/**
 * Vector PDF of an SVG (one point per SVG unit, so the page is the figure's print size), text set
 * in the embedded DejaVu Sans. Dates are fixed so the same figure gives the same bytes.
 */
export function svgToPdf(svg: string): Promise<Uint8Array> {
  const require = createRequire(import.meta.url);
  const PDFDocument = require('pdfkit') as PdfKitCtor;
  const SVGtoPDF = require('svg-to-pdfkit') as SvgToPdf;
  const { width, height } = svgSize(svg);
  const epoch = new Date(Date.UTC(2000, 0, 1));
  const doc = new PDFDocument({ size: [width, height], margin: 0, autoFirstPage: true, compress: true, info: { Producer: 'airlora', Creator: 'airlora', CreationDate: epoch, ModDate: epoch } });
  const [regular, bold, oblique] = fontFiles();
  doc.registerFont(FONT_FAMILY, regular!);
  doc.registerFont(`${FONT_FAMILY}-Bold`, bold!);
  doc.registerFont(`${FONT_FAMILY}-Italic`, oblique!);
  const chunks: Buffer[] = [];
  const done = new Promise<Uint8Array>((resolve, reject) => {
    doc.on('data', (c) => chunks.push(c!));
    doc.on('end', () => resolve(new Uint8Array(Buffer.concat(chunks))));
    doc.on('error', (e) => reject(e));
  });
  const warnings: string[] = [];
  SVGtoPDF(doc, svg, 0, 0, {
    width, height, assumePt: true,
    fontCallback: (_family: string, b: boolean, i: boolean) => (b ? `${FONT_FAMILY}-Bold` : i ? `${FONT_FAMILY}-Italic` : FONT_FAMILY),
    warningCallback: (w: string) => warnings.push(w),
  });
  doc.end();
  return done;
}
