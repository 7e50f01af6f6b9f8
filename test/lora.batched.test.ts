import { expect } from 'chai';
import * as tf from '@tensorflow/tfjs';
import { initModel, preset, gptLogits, bertLogits, disposeWeights, type PretrainedModel } from '../src/models/index.js';
import { createLoraModel, loraTrainStep, type BatchedLora, type ClientBatch, type LoraConfig } from '../src/lora/index.js';
import { RandomStreams } from '../src/random/streams.js';
import { UserInputError } from '../src/errors.js';
import { initBackend } from '../src/tf/index.js';

const gptCfg = preset('gpt-tiny'); // V 32, d 16, 1 layer, 2 heads
const bertCfg = preset('bert-tiny'); // V 64, d 16, 1 layer, 2 heads, 2 labels

function randInts(seed: number, shape: number[], hi: number): tf.Tensor {
  const rng = new RandomStreams(seed).stream('test-data');
  const n = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(Int32Array.from({ length: n }, () => rng.int(hi)), shape, 'int32');
}

function randVec(seed: number, n: number, sd = 1): Float32Array {
  const rng = new RandomStreams(seed).stream('test-vec');
  return Float32Array.from({ length: n }, () => sd * rng.normal());
}

function lmBatch(C: number, B: number, T: number, seed: number): ClientBatch {
  return { tokens: randInts(seed, [C, B, T], gptCfg.vocabSize) };
}

function clsBatch(C: number, B: number, T: number, seed: number): ClientBatch {
  const mask = tf.tidy(() => {
    // Last two positions of every odd example are padding.
    const m = tf.buffer([C, B, T], 'float32');
    for (let c = 0; c < C; c++) for (let b = 0; b < B; b++) for (let t = 0; t < T; t++) m.set(b % 2 === 1 && t >= T - 2 ? 0 : 1, c, b, t);
    return m.toTensor();
  });
  return { tokens: randInts(seed, [C, B, T], bertCfg.vocabSize), labels: randInts(seed + 1, [C, B], 2), mask };
}

function sliceClient(batch: ClientBatch, c: number): ClientBatch {
  const one = (t?: tf.Tensor) => (t ? tf.slice(t, [c], [1]) : undefined);
  return { tokens: one(batch.tokens)!, targets: one(batch.targets), labels: one(batch.labels), mask: one(batch.mask) };
}

function maxRelDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let num = 0, den = 1e-12;
  for (let i = 0; i < a.length; i++) {
    num = Math.max(num, Math.abs(a[i]! - b[i]!));
    den = Math.max(den, Math.abs(b[i]!));
  }
  return num / den;
}

// cpu: exact float32 reference kernels; wasm: the default backend with airlora's kernel fixes
// (batched and transposed products, gather gradient), which these tests then also exercise.
for (const backend of ['cpu', 'wasm'] as const)
describe(`lora: batched per-client adapters (${backend} backend)`, function () {
  let gpt: PretrainedModel;
  let bert: PretrainedModel;
  let prevBackend: string;
  before(async () => {
    prevBackend = tf.getBackend();
    await initBackend({ backend, quiet: true });
    gpt = initModel(gptCfg, 11);
    bert = initModel(bertCfg, 12);
  });
  after(async () => {
    disposeWeights(gpt.weights);
    disposeWeights(bert.weights);
    if (prevBackend) await tf.setBackend(prevBackend);
  });

  const lora = (extra: Partial<LoraConfig> = {}): LoraConfig => ({
    r: 3, lora_alpha: 6, target_modules: ['query', 'value'], lora_dropout: 0, ...extra,
  });

  it('starts as the base model (B = 0): loss equals the base cross-entropy', () => {
    const m = createLoraModel(gpt, lora(), 2, 1);
    const batch = lmBatch(2, 2, 6, 3);
    const l = m.loss(batch, false).dataSync()[0]!;
    const ref = tf.tidy(() => {
      const toks = batch.tokens.reshape([4, 6]);
      const logits = gptLogits(gptCfg as never, gpt.weights, tf.slice(toks, [0, 0], [4, 5]) as tf.Tensor2D);
      const y = tf.oneHot(tf.slice(toks, [0, 1], [4, 5]).reshape([20]) as tf.Tensor1D, gptCfg.vocabSize);
      // two clients, each the mean over its 10 tokens
      return tf.losses.softmaxCrossEntropy(y, logits).mul(2).dataSync()[0]!;
    });
    expect(l).to.be.closeTo(ref, 1e-5 * ref);
    m.dispose();
  });

  for (const kind of ['lm', 'classifier'] as const) {
    it(`${kind}: gradients match central finite differences along random directions`, () => {
      const base = kind === 'lm' ? gpt : bert;
      const targets = kind === 'lm' ? ['query', 'value', 'fc'] : ['query', 'key', 'value', 'pooler'];
      const m = createLoraModel(base, lora({ target_modules: targets, init_lora_weights: false }), 2, 5);
      const batch = kind === 'lm' ? lmBatch(2, 2, 7, 8) : clsBatch(2, 3, 6, 8);
      const theta = [m.getAdapters(0), m.getAdapters(1)];
      const { grads } = tf.variableGrads(() => m.loss(batch, true), m.trainable);
      // Flatten the gradient in adapter order, per client.
      const g = [new Float32Array(m.adapterSize), new Float32Array(m.adapterSize)];
      let off = 0;
      for (const v of m.trainable) {
        const gv = grads[v.name]!.dataSync();
        const per = v.size / 2;
        for (let c = 0; c < 2; c++) g[c]!.set(gv.subarray(c * per, (c + 1) * per), off);
        off += per;
      }
      Object.values(grads).forEach((t) => t.dispose());
      const eps = 1e-2;
      for (let trial = 0; trial < 3; trial++) {
        const u = [randVec(100 + trial, m.adapterSize), randVec(200 + trial, m.adapterSize)];
        let analytic = 0;
        for (let c = 0; c < 2; c++) for (let i = 0; i < m.adapterSize; i++) analytic += g[c]![i]! * u[c]![i]!;
        const at = (s: number) => {
          for (let c = 0; c < 2; c++) m.setAdapters(c, theta[c]!.map((x, i) => x + s * u[c]![i]!));
          const v = m.loss(batch, true);
          const out = v.dataSync()[0]!;
          v.dispose();
          return out;
        };
        const fd = (at(eps) - at(-eps)) / (2 * eps);
        expect(Math.abs(analytic)).to.be.greaterThan(1e-3);
        expect(Math.abs(fd - analytic)).to.be.lessThan(2e-2 * Math.abs(analytic), `trial ${trial}: fd ${fd} vs analytic ${analytic}`);
      }
      m.dispose();
    });

    it(`${kind}: merged weights (W + (α/r)·A·B) give the same outputs as the adapter form`, () => {
      const base = kind === 'lm' ? gpt : bert;
      const targets = kind === 'lm' ? ['query', 'key', 'value', 'dense', 'fc', 'proj'] : ['query', 'key', 'value', 'dense'];
      const m = createLoraModel(base, lora({ target_modules: targets, init_lora_weights: false }), 1, 9);
      m.setAdapters(0, randVec(7, m.adapterSize, 0.5));
      const batch = kind === 'lm' ? lmBatch(1, 3, 8, 4) : clsBatch(1, 4, 8, 4);
      const adapterOut = m.logits(batch);
      const merged = m.merged();
      const mergedOut = tf.tidy(() => {
        if (kind === 'lm') return gptLogits(gptCfg as never, merged.weights, batch.tokens.reshape([3, 8]) as tf.Tensor2D);
        return bertLogits(bertCfg as never, merged.weights, batch.tokens.reshape([4, 8]) as tf.Tensor2D, { mask: batch.mask!.reshape([4, 8]) as tf.Tensor2D });
      });
      const baseOut = kind === 'lm'
        ? gptLogits(gptCfg as never, base.weights, batch.tokens.reshape([3, 8]) as tf.Tensor2D)
        : bertLogits(bertCfg as never, base.weights, batch.tokens.reshape([4, 8]) as tf.Tensor2D, { mask: batch.mask!.reshape([4, 8]) as tf.Tensor2D });
      const a = adapterOut.dataSync(), b = mergedOut.dataSync();
      // float32: the merged product sums in a different order (wasm uses fused kernels)
      expect(maxRelDiff(a, b)).to.be.lessThan(1e-4);
      // and the adapter really changed the outputs
      expect(maxRelDiff(a, baseOut.dataSync())).to.be.greaterThan(1e-2);
      disposeWeights(merged.weights);
      tf.dispose([adapterOut, mergedOut, baseOut]);
      m.dispose();
    });
  }

  it('C batched clients train exactly like C separate single-client runs (Adam, 3 steps)', () => {
    for (const kind of ['lm', 'classifier'] as const) {
      const C = 3;
      const base = kind === 'lm' ? gpt : bert;
      const cfg = lora({ target_modules: kind === 'lm' ? ['query', 'value'] : ['query', 'value', 'pooler'] });
      const batched = createLoraModel(base, cfg, C, 21);
      const singles = Array.from({ length: C }, () => createLoraModel(base, cfg, 1, 21));
      // Different starting adapters per client, as after a FedAvg round with local drift.
      for (let c = 0; c < C; c++) {
        const v = randVec(300 + c, batched.adapterSize, 0.3);
        batched.setAdapters(c, v);
        singles[c]!.setAdapters(0, v);
      }
      const optB = tf.train.adam(0.05);
      const optS = singles.map(() => tf.train.adam(0.05));
      for (let step = 0; step < 3; step++) {
        const batch = kind === 'lm' ? lmBatch(C, 2, 7, 40 + step) : clsBatch(C, 2, 6, 40 + step);
        const lb = loraTrainStep(batched, batch, optB);
        let ls = 0;
        for (let c = 0; c < C; c++) ls += loraTrainStep(singles[c]!, sliceClient(batch, c), optS[c]!);
        expect(lb).to.be.closeTo(ls, 1e-5 * Math.abs(ls));
        for (let c = 0; c < C; c++) {
          expect(maxRelDiff(batched.getAdapters(c), singles[c]!.getAdapters(0))).to.be.lessThan(1e-5, `${kind} step ${step} client ${c}`);
        }
      }
      batched.dispose();
      singles.forEach((s) => s.dispose());
    }
  });

  it('flat adapters: get/set round trip, setAllAdapters broadcasts, layout tiles the vector', () => {
    const m = createLoraModel(bert, lora({ target_modules: ['query', 'key', 'value', 'pooler'] }), 3, 2) as BatchedLora;
    const layout = m.adapterLayout();
    let off = 0;
    for (const b of layout) {
      expect(b.offset).to.equal(off);
      off += b.shape[0]! * b.shape[1]!;
    }
    expect(off).to.equal(m.adapterSize);
    expect(m.adapterSize).to.equal(4 * 3 * (16 + 16)); // 4 modules, r = 3, 16 → 16
    const v = randVec(1, m.adapterSize);
    m.setAdapters(1, v);
    expect(Array.from(m.getAdapters(1))).to.deep.equal(Array.from(v));
    expect(m.getAdapters(0).some((x, i) => x !== v[i])).to.equal(true);
    const g = randVec(2, m.adapterSize);
    m.setAllAdapters(g);
    for (let c = 0; c < 3; c++) expect(Array.from(m.getAdapters(c))).to.deep.equal(Array.from(g));
    expect(() => m.setAdapters(0, new Float32Array(5))).to.throw(UserInputError, /adapterSize/);
    expect(() => m.getAdapters(3)).to.throw(UserInputError, /client/);
    m.dispose();
  });

  it('frozen A (train_A: false): only B is trainable and flat; A stays at its initial value', () => {
    const m = createLoraModel(gpt, lora({ train_A: false }), 2, 3);
    expect(m.trainable.length).to.equal(2); // B of query and B of value
    expect(m.adapterSize).to.equal(2 * 3 * 16);
    expect(m.adapterLayout().every((b) => b.factor === 'B')).to.equal(true);
    const mergedBefore = m.merged();
    const opt = tf.train.adam(0.05);
    for (let s = 0; s < 2; s++) loraTrainStep(m, lmBatch(2, 2, 7, 60 + s), opt);
    expect(m.getAdapters(0).some((x) => x !== 0)).to.equal(true);
    // Setting B back to zero recovers exactly the base kernels: A never moved and B·A with B = 0 vanishes.
    m.setAllAdapters(new Float32Array(m.adapterSize));
    const mergedAfter = m.merged();
    for (const k of ['h.0.attn.query.kernel', 'h.0.attn.value.kernel']) {
      expect(Array.from(mergedAfter.weights[k]!.dataSync())).to.deep.equal(Array.from(gpt.weights[k]!.dataSync()));
    }
    // and A is the same as a fresh model with the same seed: B = e_0 reveals A's first column scaled by α/r.
    disposeWeights(mergedBefore.weights);
    disposeWeights(mergedAfter.weights);
    m.dispose();
  });

  it('same seed gives identical bytes; lora_dropout is seeded', () => {
    const run = () => {
      const m = createLoraModel(gpt, lora({ lora_dropout: 0.2 }), 2, 77);
      const opt = tf.train.adam(0.05);
      for (let s = 0; s < 2; s++) loraTrainStep(m, lmBatch(2, 2, 7, 90 + s), opt);
      const out = [m.getAdapters(0), m.getAdapters(1)];
      m.dispose();
      return out;
    };
    const a = run(), b = run();
    expect(Buffer.from(a[0]!.buffer).equals(Buffer.from(b[0]!.buffer))).to.equal(true);
    expect(Buffer.from(a[1]!.buffer).equals(Buffer.from(b[1]!.buffer))).to.equal(true);
  });

  it('evaluate returns per-client sums: token counts respect the mask, accuracy counts for the classifier', () => {
    const m = createLoraModel(gpt, lora(), 2, 4);
    const batch = lmBatch(2, 2, 6, 5);
    const mask = tf.tensor3d([[[1, 1, 1, 1, 1, 1], [1, 1, 1, 0, 0, 0]], [[1, 1, 1, 1, 1, 1], [1, 1, 1, 1, 1, 1]]]);
    const e = m.evaluate({ ...batch, mask });
    expect(Array.from(e.count)).to.deep.equal([7, 10]); // targets are positions 1..5
    const l = m.loss({ ...batch, mask }, false).dataSync()[0]!;
    expect(l).to.be.closeTo(e.loss[0]! / 7 + e.loss[1]! / 10, 1e-5);
    const mc = createLoraModel(bert, lora(), 2, 4);
    const ec = mc.evaluate(clsBatch(2, 3, 6, 1));
    expect(Array.from(ec.count)).to.deep.equal([3, 3]);
    expect(ec.correct!.every((x) => x >= 0 && x <= 3 && Number.isInteger(x))).to.equal(true);
    m.dispose();
    mc.dispose();
  });
});
