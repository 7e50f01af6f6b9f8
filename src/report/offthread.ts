/**
 * Rendering on a worker thread, for callers that load this package with require() (the tslab
 * notebook kernel compiles cells to CommonJS): vega's ESM build has a top-level await, so
 * require('airlora/report/index') fails with ERR_REQUIRE_ASYNC_MODULE, while this module does not
 * import vega and the worker loads it with a real ESM import.
 */
import { Worker } from 'node:worker_threads';
import type { DrawnFigure, DrawOptions } from './draw.js';
import type { VlSpec } from './spec.js';

type Request =
  | { op: 'png'; spec: VlSpec; scale: number }
  | { op: 'svg'; spec: VlSpec }
  | { op: 'draw'; dir: string; opts: DrawOptions };

function call<T>(req: Request): Promise<T> {
  const fromSource = import.meta.url.endsWith('.ts');
  let w: Worker;
  if (fromSource) {
    const url = new URL('./offthread-worker.ts', import.meta.url).href;
    const api = import.meta.resolve('tsx/esm/api');
    w = new Worker(`import(${JSON.stringify(api)}).then((t) => { t.register(); return import(${JSON.stringify(url)}); });`, { eval: true, workerData: req });
  } else {
    w = new Worker(new URL('./offthread-worker.js', import.meta.url), { workerData: req });
  }
  return new Promise<T>((resolve, reject) => {
    w.once('message', (m: { ok: boolean; value?: T; error?: string }) => {
      if (m.ok) resolve(m.value as T); else reject(new Error(m.error));
      void w.terminate();
    });
    w.once('error', reject);
  });
}

/** PNG bytes of a Vega-Lite spec (bundled font, as svgToPng). */
export async function renderPngOffThread(spec: VlSpec, scale = 2): Promise<Uint8Array> {
  return new Uint8Array(await call<Uint8Array>({ op: 'png', spec, scale }));
}

export function renderSvgOffThread(spec: VlSpec): Promise<string> {
  return call<string>({ op: 'svg', spec });
}

/** drawFigures(RunFolder.open(dir), opts) on a worker thread. */
export function drawFiguresOffThread(dir: string, opts: DrawOptions = {}): Promise<DrawnFigure[]> {
  return call<DrawnFigure[]>({ op: 'draw', dir, opts });
}
