import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import * as tf from '@tensorflow/tfjs';
import { RandomStreams } from '../src/random/streams.js';
import { UserInputError } from '../src/errors.js';
import {
  initBackend, parseBackendFlag, withoutNewProcessHandlers, requireKernels, withKernelErrors, MissingKernelError,
  originalWasmKernels, loadNativeBlas, setNativeMatMul, matMulEngine, backendInfo, NATIVE_ADDON_PATH,
} from '../src/tf/index.js';
import { existsSync } from 'node:fs';

const streams = new RandomStreams(20261122);

function randArray(n: number, ...key: (string | number)[]): Float32Array {
  const r = streams.stream('tf.kernels', ...key);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = r.normal();
  return out;
}

const size = (s: number[]) => s.reduce((a, b) => a * b, 1);

/** Run `f` on the given backend from plain arrays and return plain arrays (no tensor crosses backends). */
async function onBackend(
  name: 'cpu' | 'wasm',
  inputs: { data: Float32Array | Int32Array; shape: number[]; dtype?: 'float32' | 'int32' }[],
  f: (...xs: tf.Tensor[]) => tf.Tensor | tf.Tensor[],
): Promise<{ data: Float32Array | Int32Array; shape: number[] }[]> {
  await tf.setBackend(name);
  return tf.tidy(() => {
    const xs = inputs.map((i) => tf.tensor(i.data, i.shape, i.dtype ?? 'float32'));
    const ys = f(...xs);
    return (Array.isArray(ys) ? ys : [ys]).map((y) => ({ data: y.dataSync() as Float32Array, shape: y.shape }));
  });
}

function expectClose(got: { data: ArrayLike<number>; shape: number[] }, want: { data: ArrayLike<number>; shape: number[] }, what: string, rel = 2e-5): void {
  expect(got.shape, `${what} shape`).to.deep.equal(want.shape);
  let scale = 0;
  for (let i = 0; i < want.data.length; i++) scale = Math.max(scale, Math.abs(want.data[i]!));
  let err = 0;
  for (let i = 0; i < want.data.length; i++) {
    const d = Math.abs(got.data[i]! - want.data[i]!);
    expect(Number.isFinite(got.data[i]!), `${what}[${i}] finite`).to.equal(true);
    err = Math.max(err, d);
  }
  expect(err, `${what}: max abs error (scale ${scale})`).to.be.at.most(rel * Math.max(1, scale));
}

/** Both backends, same inputs: forward and gradient must agree. */
async function compareBackends(
  what: string,
  inputs: { data: Float32Array | Int32Array; shape: number[]; dtype?: 'float32' | 'int32' }[],
  f: (...xs: tf.Tensor[]) => tf.Tensor | tf.Tensor[],
  rel?: number,
): Promise<void> {
  const want = await onBackend('cpu', inputs, f);
  const got = await onBackend('wasm', inputs, f);
  expect(got.length).to.equal(want.length);
  for (let i = 0; i < want.length; i++) expectClose(got[i]!, want[i]!, `${what} #${i}`, rel);
}

describe('tf/backend selection', function () {
  after(async () => { await initBackend({ backend: 'wasm', quiet: true }); });

  it('parseBackendFlag accepts the four choices and rejects others with UserInputError naming --backend', () => {
    for (const c of ['auto', 'wasm', 'node', 'cpu']) expect(parseBackendFlag(c)).to.equal(c);
    let err: unknown;
    try { parseBackendFlag('gpu'); } catch (e) { err = e; }
    expect(err).to.be.instanceOf(UserInputError);
    expect((err as UserInputError).field).to.equal('--backend');
    expect((err as Error).message).to.contain("'gpu'").and.contain('auto, wasm, node, cpu');
  });

  it('initBackend with an invalid name throws UserInputError', async () => {
    let err: unknown;
    try { await initBackend({ backend: 'webgl' as never, quiet: true }); } catch (e) { err = e; }
    expect(err).to.be.instanceOf(UserInputError);
    expect((err as UserInputError).field).to.equal('--backend');
  });

  it('forced backends run what was asked; auto is wasm whatever is installed; node without tfjs-node is a UserInputError', async () => {
    expect(await initBackend({ backend: 'cpu', quiet: true })).to.equal('cpu');
    expect(tf.getBackend()).to.equal('cpu');
    expect(await initBackend({ backend: 'wasm', quiet: true })).to.equal('wasm');
    expect(tf.env().getBool('PROD')).to.equal(true);
    // 'auto' defers to AIRLORA_BACKEND; without it, wasm (test/tf.backend.test.ts: also with a tfjs-node present).
    const saved = process.env.AIRLORA_BACKEND;
    delete process.env.AIRLORA_BACKEND;
    try { expect(await initBackend({ quiet: true })).to.equal('wasm'); } finally { if (saved !== undefined) process.env.AIRLORA_BACKEND = saved; }
    // Resolve, do not import: loading the real tfjs-node would register its backend in this process.
    let hasNode = true;
    try { createRequire(import.meta.url).resolve('@tensorflow/tfjs-node'); } catch { hasNode = false; }
    if (!hasNode) {
      let err: unknown;
      try { await initBackend({ backend: 'node', quiet: true }); } catch (e) { err = e; }
      expect(err).to.be.instanceOf(UserInputError);
      expect((err as Error).message).to.contain('@tensorflow/tfjs-node');
    }
  });

  it('native: false keeps products in XNNPACK; the default uses the addon exactly when it is built', async () => {
    await initBackend({ backend: 'wasm', quiet: true, native: false });
    expect(backendInfo()).to.include({ backend: 'wasm', matmul_engine: 'xnnpack', threads: 1 });
    await initBackend({ backend: 'wasm', quiet: true });
    const built = existsSync(NATIVE_ADDON_PATH) && process.env.AIRLORA_NATIVE !== '0';
    expect(backendInfo().matmul_engine).to.equal(built ? 'openblas' : 'xnnpack');
    await initBackend({ backend: 'cpu', quiet: true });
    expect(backendInfo()).to.deep.equal({ backend: 'cpu', matmul_engine: 'tfjs', threads: 1 });
  });

  it('the native addon refuses operands outside the heap view', function () {
    const blas = loadNativeBlas();
    if (!blas) this.skip();
    const heap = new Float32Array(64);
    expect(() => blas!.sgemmBatch(heap, 0, 0, 60, 1, 2, 4, 2, 0, 0, 0, 0, 0)).to.throw(RangeError, /outside/);
    expect(() => blas!.sgemmBatch(heap, 0, 16, 32, 3, 2, 2, 2, 0, 0, 4, 0, 8)).to.not.throw();
    expect(() => blas!.sgemmBatch(heap, -1, 0, 0, 1, 1, 1, 1, 0, 0, 0, 0, 0)).to.throw(RangeError);
  });

  it('withoutNewProcessHandlers removes uncaughtException/unhandledRejection listeners added inside', async () => {
    const before = process.listeners('uncaughtException').length;
    const added = () => undefined;
    await withoutNewProcessHandlers(async () => {
      process.on('uncaughtException', added);
      process.on('unhandledRejection', added);
    });
    expect(process.listeners('uncaughtException')).to.not.include(added);
    expect(process.listeners('unhandledRejection')).to.not.include(added);
    expect(process.listeners('uncaughtException').length).to.equal(before);
  });

  it('after wasm init an uncaught error prints its own message, not the emscripten module', function () {
    this.timeout(60_000);
    const code = [
      "const { initBackend } = await import('./src/tf/index.ts');",
      "await initBackend({ backend: 'wasm', quiet: true });",
      "setTimeout(() => { throw new Error('boom-h4-uncaught'); }, 0);",
    ].join('\n');
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { encoding: 'utf8' });
    expect(r.status).to.not.equal(0);
    expect(r.stderr).to.contain('boom-h4-uncaught');
    expect(r.stderr.length, 'stderr length').to.be.below(3000);
  });
});

describe('tf/wasm kernels against cpu', function () {
  before(async () => { await initBackend({ backend: 'wasm', quiet: true }); });
  after(async () => { await tf.setBackend('wasm'); });

  it('BatchMatMul on wasm is our kernel', () => {
    expect(originalWasmKernels.has('BatchMatMul')).to.equal(true);
    expect(tf.getKernel('BatchMatMul', 'wasm')!.kernelFunc).to.not.equal(originalWasmKernels.get('BatchMatMul')!.kernelFunc);
  });

  // Both matrix-product engines of the wasm kernel: XNNPACK always, the native addon when built.
  const engines = loadNativeBlas() ? (['xnnpack', 'openblas'] as const) : (['xnnpack'] as const);
  for (const engine of engines) {
  describe(`BatchMatMul via ${engine}`, () => {
    before(() => setNativeMatMul(engine === 'openblas' ? loadNativeBlas() : null));
    after(() => setNativeMatMul(loadNativeBlas()));
    it('routes products to that engine', () => expect(matMulEngine()).to.equal(engine));

    const cases: [number[], number[], boolean, boolean][] = [
      [[5, 7], [7, 3], false, false],
      [[5, 7], [3, 7], false, true],
      [[7, 5], [7, 3], true, false],
      [[7, 5], [3, 7], true, true],
      [[1, 1], [1, 1], false, false],
      [[33, 65], [17, 65], false, true],
      [[4, 5, 7], [4, 7, 3], false, false],
      [[4, 7, 5], [4, 3, 7], true, true],
      [[4, 5, 7], [4, 3, 7], false, true],
      [[2, 3, 5, 7], [2, 3, 7, 6], false, false],
      [[4, 5, 7], [7, 3], false, false], // weight broadcast: a's batch folded into rows
      [[4, 7, 5], [3, 7], true, true],
      [[6, 5, 7], [1, 7, 3], false, false],
      [[5, 7], [4, 7, 3], false, false], // a broadcast
      [[2, 1, 5, 7], [1, 3, 7, 4], false, false], // mixed broadcast
      [[3, 1, 7, 5], [4, 3, 7], true, true],
      [[8, 16, 8], [8, 8, 16], false, false],
      [[1, 4, 5, 7], [4, 1, 7, 3], false, false], // mixed, equal batch sizes
    ];
    for (const [sa, sb, ta, tb] of cases) {
      it(`matMul ${JSON.stringify(sa)} x ${JSON.stringify(sb)} tA=${ta} tB=${tb}: forward and gradients`, async () => {
        const key = `${sa}|${sb}|${ta}|${tb}`;
        const mixed = sa.length > 2 && sb.length > 2 && sa.slice(0, -2).some((d, i) => d === 1 && sb[i] !== 1) &&
          sb.slice(0, -2).some((d, i) => d === 1 && sa[i] !== 1);
        const outShape = tf.tidy(() => tf.matMul(tf.zeros(sa), tf.zeros(sb), ta, tb).shape);
        const inputs: { data: Float32Array; shape: number[] }[] = [
          { data: randArray(size(sa), key, 'a'), shape: sa },
          { data: randArray(size(sb), key, 'b'), shape: sb },
          { data: randArray(size(outShape), key, 'w'), shape: outShape },
        ];
        const f = (w: tf.Tensor) => (x: tf.Tensor, y: tf.Tensor) => tf.matMul(x, y, ta, tb).mul(w).sum();
        const fwdGrad = (a?: tf.Tensor, b?: tf.Tensor, w?: tf.Tensor) => {
          const [da, db] = tf.grads(f(w!))([a!, b!]);
          return [tf.matMul(a!, b!, ta, tb), da!, db!];
        };
        // Reference: broadcast both operands explicitly (broadcastTo's own gradient sums), so the
        // product has no batch broadcasting left, and run it on cpu.
        const outer = outShape.slice(0, -2);
        const ref = await onBackend('cpu', inputs, (a, b, w) => {
          const full = (z: tf.Tensor) => tf.broadcastTo(z, [...outer, ...z.shape.slice(-2)]);
          const [da, db] = tf.grads((x: tf.Tensor, y: tf.Tensor) => f(w!)(full(x), full(y)))([a!, b!]);
          return [tf.matMul(full(a!), full(b!), ta, tb), da!, db!];
        });
        const wasm = await onBackend('wasm', inputs, fwdGrad);
        const cpu = await onBackend('cpu', inputs, fwdGrad);
        for (const [i, what] of ['forward', 'dA', 'dB'].entries()) {
          expectClose(wasm[i]!, ref[i]!, `wasm ${what}`);
          // tfjs-cpu's own forward pairs batches as (o mod batchA, o mod batchB): wrong for mixed broadcasts.
          if (!(i === 0 && mixed)) expectClose(cpu[i]!, ref[i]!, `cpu ${what}`);
        }
      });
    }

    it('matMul with an empty inner dimension gives zeros', async () => {
      const out = await onBackend('wasm', [], () => tf.matMul(tf.zeros([3, 0]), tf.zeros([2, 0, 4])));
      expect(out[0]!.shape).to.deep.equal([2, 3, 4]);
      expect(Array.from(out[0]!.data)).to.deep.equal(new Array(24).fill(0));
    });

    it('matMul shape mismatch still throws', async () => {
      await tf.setBackend('wasm');
      expect(() => tf.tidy(() => tf.matMul(tf.zeros([2, 3, 4]), tf.zeros([2, 5, 6])))).to.throw(/inner shapes/);
    });

    for (const [sa, sb, ta, tb, act, biasShape] of [
      [[5, 7], [7, 3], false, false, 'relu', [3]],
      [[5, 7], [3, 7], false, true, 'linear', [5, 3]],
      [[4, 7, 5], [4, 3, 7], true, true, 'sigmoid', [3]],
      [[4, 5, 7], [4, 7, 3], false, false, 'leakyrelu', null],
      [[4, 5, 7], [1, 7, 3], false, false, 'elu', [1, 3]],
    ] as [number[], number[], boolean, boolean, 'relu' | 'linear' | 'sigmoid' | 'leakyrelu' | 'elu', number[] | null][]) {
      it(`fused matMul ${JSON.stringify(sa)} x ${JSON.stringify(sb)} tA=${ta} tB=${tb} ${act} bias=${JSON.stringify(biasShape)}`, async () => {
        const key = `fused|${sa}|${sb}|${act}`;
        const inputs = [
          { data: randArray(size(sa), key, 'a'), shape: sa },
          { data: randArray(size(sb), key, 'b'), shape: sb },
          { data: randArray(size(biasShape ?? [1]), key, 'bias'), shape: biasShape ?? [1] },
        ];
        await compareBackends(key, inputs, (a, b, bias) => tf.fused.matMul({
          a: a as tf.Tensor3D, b: b as tf.Tensor3D, transposeA: ta, transposeB: tb, activation: act,
          bias: biasShape ? bias : undefined, leakyreluAlpha: 0.1,
        }));
      });
    }

    it('same inputs give identical bytes on repeated calls', async () => {
      const inputs = [{ data: randArray(6 * 33 * 40, 'det-a'), shape: [6, 33, 40] }, { data: randArray(40 * 17, 'det-b'), shape: [40, 17] }];
      const f = (a?: tf.Tensor, b?: tf.Tensor) => [tf.matMul(a!, b!), tf.matMul(a!, a!, false, true)];
      const r1 = await onBackend('wasm', inputs, f);
      const r2 = await onBackend('wasm', inputs, f);
      for (let i = 0; i < r1.length; i++) expect(Buffer.from(r2[i]!.data.buffer)).to.deep.equal(Buffer.from(r1[i]!.data.buffer));
    });

    it('no tensor or heap leak per batched call', async () => {
      await tf.setBackend('wasm');
      const a = tf.randomNormal([8, 16, 8]);
      const b = tf.randomNormal([8, 8, 16]);
      tf.matMul(a, b).dispose();
      const n0 = tf.memory().numTensors;
      const bytes0 = tf.memory().numBytes;
      for (let i = 0; i < 50; i++) tf.matMul(a, b, true, true).dispose();
      expect(tf.memory().numTensors).to.equal(n0);
      expect(tf.memory().numBytes).to.equal(bytes0);
      tf.dispose([a, b]);
    });
  });
  }

  it('Tanh (2·σ(2x) − 1 with a Taylor patch near 0): forward and gradient, tiny to saturated inputs', async () => {
    const v = randArray(997, 'tanh');
    const xs = Float32Array.from(v, (z, i) => (i % 3 === 0 ? z * 1e-3 : i % 3 === 1 ? z : z * 20));
    xs[0] = 0; xs[1] = 1e-30; xs[2] = -0.05; xs[3] = 0.0499; xs[4] = 50; xs[5] = -50;
    const inputs = [{ data: xs, shape: [997] }, { data: randArray(997, 'tanh-w'), shape: [997] }];
    const f = (x?: tf.Tensor, w?: tf.Tensor) => [tf.tanh(x!), tf.grad((z: tf.Tensor) => tf.tanh(z).mul(w!).sum())(x!)];
    await compareBackends('tanh', inputs, f, 3e-7);
    // Relative error below 4e-6 everywhere, down to 1e-30 (the plain 2σ(2x)−1 has only ~1e-7 absolute).
    const [got] = await onBackend('wasm', inputs, f);
    for (let i = 0; i < 997; i++) {
      const want = Math.tanh(xs[i]!);
      expect(Math.abs(got!.data[i]! - want), `tanh(${xs[i]})`).to.be.at.most(4e-6 * Math.abs(want));
    }
  });

  it('Identity shares the buffer: clones survive disposal of the source, no leak', async () => {
    await tf.setBackend('wasm');
    const n0 = tf.memory().numBytes;
    const a = tf.tensor1d([1, 2, 3]);
    const b = tf.clone(a);
    const c = tf.engine().runKernel('Identity', { x: b }) as tf.Tensor;
    a.dispose();
    expect(Array.from(b.dataSync())).to.deep.equal([1, 2, 3]);
    b.dispose();
    expect(Array.from(c.dataSync())).to.deep.equal([1, 2, 3]);
    c.dispose();
    expect(tf.memory().numBytes).to.equal(n0);
  });

  it('UnsortedSegmentSum: float32 and int32 rows, ids out of range dropped, rank-2 ids', async () => {
    const x = { data: randArray(6 * 3 * 2, 'uss'), shape: [6, 3, 2] };
    const ids1 = { data: Int32Array.from([2, 0, 2, 4, 1, 2]), shape: [6], dtype: 'int32' as const };
    await compareBackends('uss rank1', [x, ids1], (a, i) => tf.unsortedSegmentSum(a!, i! as tf.Tensor1D, 5));
    const xi = { data: Int32Array.from([1, 2, 3, 4, 5, 6]), shape: [6], dtype: 'int32' as const };
    await compareBackends('uss int', [xi, ids1], (a, i) => tf.unsortedSegmentSum(a!, i! as tf.Tensor1D, 5));
    // Closed form, with an id outside [0, numSegments) that TensorFlow drops.
    const [drop] = await onBackend('wasm', [{ data: Float32Array.from([1, 2, 3, 4]), shape: [4], dtype: 'float32' },
      { data: Int32Array.from([1, 7, 1, 0]), shape: [4], dtype: 'int32' }], (a, i) => tf.unsortedSegmentSum(a!, i! as tf.Tensor1D, 3));
    expect(Array.from(drop!.data)).to.deep.equal([4, 4, 0]);
    // Rank-2 ids (a prefix of x's shape; tfjs-cpu supports rank 1 only): equal to the flattened problem.
    const x2 = randArray(4 * 3 * 2, 'uss2');
    const ids2 = Int32Array.from([0, 1, 1, 3, 3, 3, 0, 2, 1, 1, 0, 0]);
    const [r2] = await onBackend('wasm', [{ data: x2, shape: [4, 3, 2] }, { data: ids2, shape: [4, 3], dtype: 'int32' }],
      (a, i) => tf.engine().runKernel('UnsortedSegmentSum', { x: a!, segmentIds: i! }, { numSegments: 4 }) as tf.Tensor);
    const [flat] = await onBackend('cpu', [{ data: x2, shape: [12, 2] }, { data: ids2, shape: [12], dtype: 'int32' }],
      (a, i) => tf.unsortedSegmentSum(a!, i! as tf.Tensor1D, 4));
    expectClose(r2!, flat!, 'uss rank2');
  });

  it('GatherV2: axis 0 row copies and the other cases (axis 1, batch dims) agree with cpu; bad index throws', async () => {
    const x = { data: randArray(11 * 3 * 4, 'g'), shape: [11, 3, 4] };
    const idx = { data: Int32Array.from([10, 0, 3, 3, 7, 1]), shape: [2, 3], dtype: 'int32' as const };
    await compareBackends('gather axis0', [x, idx], (a, i) => tf.gather(a!, i!), 0);
    await compareBackends('gather axis1', [x, { data: Int32Array.from([2, 0, 2]), shape: [3], dtype: 'int32' as const }],
      (a, i) => tf.gather(a!, i!, 1), 0);
    const xi = { data: Int32Array.from([5, 6, 7, 8]), shape: [4], dtype: 'int32' as const };
    await compareBackends('gather int', [xi, { data: Int32Array.from([3, 3, 0]), shape: [3], dtype: 'int32' as const }],
      (a, i) => tf.gather(a!, i!), 0);
    await tf.setBackend('wasm');
    const n0 = tf.memory().numBytes;
    expect(() => tf.tidy(() => tf.gather(tf.ones([3, 2]), tf.tensor1d([0, 3], 'int32')))).to.throw(/index value 3/);
    expect(tf.memory().numBytes).to.equal(n0);
  });

  it('gather gradient w.r.t. an embedding table (uses UnsortedSegmentSum)', async () => {
    const table = { data: randArray(11 * 4, 'emb'), shape: [11, 4] };
    const tok = { data: Int32Array.from(Array.from({ length: 12 }, (_, i) => (i * 7) % 11)), shape: [3, 4], dtype: 'int32' as const };
    const w = { data: randArray(3 * 4 * 4, 'embw'), shape: [3, 4, 4] };
    await compareBackends('gather grad', [table, tok, w], (t, i, wt) => {
      const g = tf.grad((tt: tf.Tensor) => tf.gather(tt, i!).mul(wt!).sum())(t!);
      return [tf.gather(t!, i!), g];
    });
  });

  it('a GPT-style LoRA training step (layer norm via moments, causal softmax attention, GELU tanh, dropout, softmax cross-entropy) matches cpu, loss and all gradients', async () => {
    const V = 13, D = 8, H = 2, T = 5, B = 3, R = 2, dh = D / H;
    const shapes: Record<string, number[]> = {
      emb: [V, D], pos: [T, D], wq: [D, D], wk: [D, D], wv: [D, D], wo: [D, D], w1: [D, 4 * D], w2: [4 * D, D],
      aq: [D, R], bq: [R, D], g: [D], beta: [D], head: [D, V],
    };
    const names = Object.keys(shapes);
    const inputs: { data: Float32Array | Int32Array; shape: number[]; dtype?: 'float32' | 'int32' }[] =
      names.map((n) => ({ data: randArray(size(shapes[n]!), 'gpt', n).map((v) => v * 0.3), shape: shapes[n]! }));
    const tokens = Int32Array.from(Array.from({ length: B * (T + 1) }, (_, i) => (i * 5 + 3) % V));
    inputs.push({ data: tokens, shape: [B, T + 1], dtype: 'int32' });
    const step = (...xs: tf.Tensor[]) => {
      const p = Object.fromEntries(names.map((n, i) => [n, xs[i]!])) as Record<string, tf.Tensor>;
      const tok = xs[names.length]!;
      const inp = tok.slice([0, 0], [B, T]);
      const tgt = tf.oneHot(tok.slice([0, 1], [B, T]).reshape([-1]), V);
      const layerNorm = (x: tf.Tensor) => {
        const { mean, variance } = tf.moments(x, -1, true);
        return x.sub(mean).div(variance.add(1e-5).sqrt()).mul(p.g!).add(p.beta!);
      };
      const gelu = (x: tf.Tensor) => x.mul(0.5).mul(tf.tanh(x.add(x.mul(x).mul(x).mul(0.044715)).mul(Math.sqrt(2 / Math.PI))).add(1));
      const mask = tf.linalg.bandPart(tf.ones([T, T]), -1, 0);
      const loss = (...train: tf.Tensor[]) => {
        const [emb, aq, bq] = train as [tf.Tensor, tf.Tensor, tf.Tensor];
        let x = tf.gather(emb, inp).add(p.pos!); // [B,T,D]
        const h = layerNorm(x);
        const q = h.matMul(p.wq!).add(h.matMul(aq).matMul(bq).mul(2));
        const split = (t: tf.Tensor) => t.reshape([B, T, H, dh]).transpose([0, 2, 1, 3]); // [B,H,T,dh]
        const att = tf.matMul(split(q), split(h.matMul(p.wk!)), false, true).mul(1 / Math.sqrt(dh));
        const masked = att.mul(mask).add(tf.scalar(1).sub(mask).mul(-1e9));
        const probs = tf.dropout(tf.softmax(masked), 0.1, undefined, 7);
        const ctx = tf.matMul(probs, split(h.matMul(p.wv!))).transpose([0, 2, 1, 3]).reshape([B, T, D]);
        x = x.add(ctx.matMul(p.wo!));
        x = x.add(gelu(layerNorm(x).matMul(p.w1!)).matMul(p.w2!));
        const logits = layerNorm(x).reshape([B * T, D]).matMul(p.head!);
        return tf.losses.softmaxCrossEntropy(tgt, logits) as tf.Scalar;
      };
      const { value, grads } = tf.valueAndGrads(loss)([p.emb!, p.aq!, p.bq!]);
      return [value, ...grads];
    };
    // Every kernel the step runs on cpu must exist on wasm (named error otherwise).
    await tf.setBackend('cpu');
    const prof = await tf.profile(() => tf.tidy(() => step(...inputs.map((i) => tf.tensor(i.data, i.shape, i.dtype ?? 'float32')))));
    // kernelNames also lists custom-gradient ops (e.g. softmaxCrossEntropy__op): keep real kernels.
    const used = [...new Set(prof.kernelNames)].filter((k) => tf.getKernel(k, 'cpu') !== undefined);
    expect(used).to.include.members(['BatchMatMul', 'UnsortedSegmentSum']);
    await tf.setBackend('wasm');
    requireKernels(used);
    await compareBackends('gpt step', inputs, step, 1e-4);
  });

  it('missing kernels raise MissingKernelError', async () => {
    await tf.setBackend('wasm');
    expect(() => requireKernels(['BatchMatMul', 'UnsortedSegmentSum'])).to.not.throw();
    expect(() => requireKernels(['Einsum', 'BatchMatMul'])).to.throw(MissingKernelError, /'Einsum'.*'wasm'/);
    let err: unknown;
    try { withKernelErrors(() => tf.tidy(() => tf.einsum('ij,jk->ik', tf.ones([2, 2]), tf.ones([2, 2])))); } catch (e) { err = e; }
    expect(err).to.be.instanceOf(MissingKernelError);
    expect((err as MissingKernelError).kernels).to.deep.equal(['Einsum']);
  });
});
