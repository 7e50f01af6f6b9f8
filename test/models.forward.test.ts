import { expect } from 'chai';
import * as tf from '@tensorflow/tfjs';
import { bertEmbed, bertEncode, bertLogits, bertTask, gptLogits, initModel, preset, disposeWeights, type BertConfig, type GptConfig } from '../src/models/index.js';
import { UserInputError } from '../src/errors.js';
import { gelu } from '../src/models/layers.js';
import { softmaxCrossEntropy } from '../src/models/loss.js';

describe('models: forward-pass properties', () => {
  let prev: string;
  before(async () => { prev = tf.getBackend(); await tf.setBackend('cpu'); });
  after(async () => { if (prev) await tf.setBackend(prev); });

  it('GPT is causal: changing token t changes no logits before t, and changes logits at t', () => {
    const cfg = preset('gpt-tiny') as GptConfig;
    const m = initModel(cfg, 2);
    const a = [[3, 7, 1, 9, 4, 4, 2, 8]];
    const b = [[3, 7, 1, 9, 5, 0, 6, 8]]; // differs from position 4 on
    const la = gptLogits(cfg, m.weights, tf.tensor2d(a, [1, 8], 'int32')).arraySync();
    const lb = gptLogits(cfg, m.weights, tf.tensor2d(b, [1, 8], 'int32')).arraySync();
    for (let t = 0; t < 4; t++) for (let v = 0; v < cfg.vocabSize; v++) expect(lb[t]![v]).to.equal(la[t]![v]);
    expect(Math.max(...la[4]!.map((x, v) => Math.abs(x - lb[4]![v]!)))).to.be.greaterThan(1e-4);
    disposeWeights(m.weights);
  });

  it('BERT ignores padded positions, and the three parts chained equal bertLogits', () => {
    const cfg = preset('bert-tiny') as BertConfig;
    const m = initModel(cfg, 3);
    const mask = tf.tensor2d([[1, 1, 1, 1, 0, 0]], [1, 6]);
    const a = tf.tensor2d([[4, 10, 11, 12, 0, 0]], [1, 6], 'int32');
    const b = tf.tensor2d([[4, 10, 11, 12, 33, 50]], [1, 6], 'int32');
    const la = bertLogits(cfg, m.weights, a, { mask }).dataSync();
    const lb = bertLogits(cfg, m.weights, b, { mask }).dataSync();
    for (let i = 0; i < la.length; i++) expect(lb[i]).to.be.closeTo(la[i]!, 1e-6);
    const h = bertEncode(cfg, m.weights, bertEmbed(cfg, m.weights, a), 1, 6, mask);
    const parts = bertTask(cfg, m.weights, h, 1, 6).dataSync();
    expect(Array.from(parts)).to.deep.equal(Array.from(la));
    const unmasked = bertLogits(cfg, m.weights, b).dataSync();
    expect(Math.abs(unmasked[0]! - lb[0]!)).to.be.greaterThan(1e-6);
    disposeWeights(m.weights);
  });

  it('GPT logits at initialisation are near uniform (loss ≈ ln V) and sequences longer than maxPositions are refused', () => {
    const cfg = preset('gpt-small', { vocabSize: 64 }) as GptConfig;
    const m = initModel(cfg, 4);
    const toks = tf.tensor2d([Array.from({ length: 32 }, (_, i) => (i * 7) % 64)], [1, 32], 'int32');
    const logits = gptLogits(cfg, m.weights, toks);
    const ce = tf.losses.softmaxCrossEntropy(tf.oneHot(tf.tensor1d(Array.from({ length: 32 }, (_, i) => (i * 5) % 64), 'int32'), 64), logits).dataSync()[0]!;
    expect(ce).to.be.closeTo(Math.log(64), 0.1);
    expect(() => gptLogits(cfg, m.weights, tf.zeros([1, 200], 'int32') as tf.Tensor2D)).to.throw(UserInputError, /maxPositions/);
    disposeWeights(m.weights);
  });
  it('GELU (sigmoid form, custom gradient) equals the tanh form and its autodiff gradient', () => {
    const x = tf.tensor2d([[-6, -3, -1.5, -0.5, -0.01, 0], [0.01, 0.3, 1, 2, 4, 8]]);
    const c = Math.sqrt(2 / Math.PI);
    const ref = (t: tf.Tensor) => tf.mul(tf.mul(t, 0.5), tf.add(tf.tanh(tf.mul(tf.add(t, tf.mul(tf.mul(tf.mul(t, t), t), 0.044715)), c)), 1));
    const w = tf.tensor2d([[1, -2, 3, 0.5, 1, 2], [-1, 1, 0.3, 2, -0.7, 1]]);
    const v = gelu(x).dataSync(), vr = ref(x).dataSync();
    const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(gelu(t as tf.Tensor2D), w)))(x).dataSync();
    const gr = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(ref(t), w)))(x).dataSync();
    for (let i = 0; i < 12; i++) {
      expect(v[i]).to.be.closeTo(vr[i]!, 1e-6);
      expect(g[i]).to.be.closeTo(gr[i]!, 1e-5);
    }
  });

  it('softmaxCrossEntropy equals tf.losses.softmaxCrossEntropy in value and gradient; a hopeless prediction stays finite', () => {
    const z = tf.tensor2d([[2, -1, 0.5, 3], [0, 0, 0, 0], [-4, 10, 1, 1]]);
    const lab = tf.tensor1d([3, 1, 0], 'int32');
    const w = tf.tensor1d([1, -0.5, 2]);
    const ref = (t: tf.Tensor) => tf.losses.softmaxCrossEntropy(tf.oneHot(lab, 4), t, undefined, 0, tf.Reduction.NONE);
    const v = softmaxCrossEntropy(z, lab).dataSync(), vr = ref(z).dataSync();
    const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(softmaxCrossEntropy(t as tf.Tensor2D, lab), w)))(z).dataSync();
    const gr = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(ref(t), w)))(z).dataSync();
    for (let i = 0; i < 3; i++) expect(v[i]).to.be.closeTo(vr[i]!, 1e-5);
    for (let i = 0; i < 12; i++) expect(g[i]).to.be.closeTo(gr[i]!, 1e-6);
    const far = softmaxCrossEntropy(tf.tensor2d([[0, 200]]), tf.tensor1d([0], 'int32')).dataSync()[0]!;
    expect(far).to.be.closeTo(-Math.log(1e-30), 1e-3);
  });
});
