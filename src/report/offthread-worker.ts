// Worker side of offthread.ts: loads the renderer with an ESM import and answers one request.
import { parentPort, workerData } from 'node:worker_threads';
import { RunFolder } from '../results/run-folder.js';
import { drawFigures } from './draw.js';
import { renderSvg, svgToPng } from './render.js';

const req = workerData as { op: string; spec?: Record<string, unknown>; scale?: number; dir?: string; opts?: object };
(async () => {
  if (req.op === 'png') return svgToPng(await renderSvg(req.spec!), req.scale);
  if (req.op === 'svg') return renderSvg(req.spec!);
  if (req.op === 'draw') return drawFigures(RunFolder.open(req.dir!), req.opts);
  throw new Error(`unknown request ${req.op}`);
})().then(
  (value) => parentPort!.postMessage({ ok: true, value }),
  (e: unknown) => parentPort!.postMessage({ ok: false, error: e instanceof Error ? e.message : String(e) }),
);
