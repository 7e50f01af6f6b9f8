import { expect } from 'chai';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../src/tf/index.js';
import { preset, initModel, bertLogits, type BertConfig } from '../src/models/index.js';
import { RandomStreams } from '../src/random/streams.js';
import { SplitLoraModel, splitLora } from '../src/split/model.js';
import { deviceEmbed, serverForward, deviceBackward, serverBackward, disposeDeviceGradients, uOnlyGradientError } from '../src/split/protocol.js';

function maxRelErr(a: Float32Array, b: Float32Array): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < a.length; i++) {
    num = Math.max(num, Math.abs(a[i]! - b[i]!));
    den = Math.max(den, Math.abs(b[i]!));
  }
  return num / Math.max(den, 1e-30);
}

describe('split: protocol gradients', () => {
  before(async () => {
    await initBackend({ backend: 'wasm', quiet: true });
  });

  it('gradients formed from the split messages equal those of the unsplit model', () => {
    const config = preset('bert-tiny', { layers: 2, maxPositions: 16 }) as BertConfig;
    const base = initModel(config, 3);
    const m = new SplitLoraModel(base, { lora: splitLora(4, 8), seed: 5 });
    // non-zero B everywhere so every LoRA path carries gradient
    const rng = new RandomStreams(9).stream('B');
    for (const v of [...m.serverVariables(), m.pooler.B]) {
      const vals = new Float32Array(v.size);
      for (let i = 0; i < vals.length; i++) vals[i] = 0.3 * rng.normal();
      v.assign(tf.tensor(vals, v.shape));
    }
    const S = 6;
    const T = 8;
    const tok = new Int32Array(S * T);
    const mask = new Float32Array(S * T);
    for (let s = 0; s < S; s++) {
      const len = 3 + rng.int(T - 2);
      for (let t = 0; t < len; t++) {
        tok[s * T + t] = t === 0 ? 4 : 6 + rng.int(50);
        mask[s * T + t] = 1;
      }
    }
    const tokens = tf.tensor2d(tok, [S, T], 'int32');
    const maskT = tf.tensor2d(mask, [S, T]);
    const labels = tf.tensor1d(Int32Array.from({ length: S }, (_, i) => i % 2), 'int32');

    // unsplit reference
    const ref = tf.variableGrads(() => tf.losses.softmaxCrossEntropy(tf.oneHot(labels, 2), bertLogits(config, base.weights, tokens, { mask: maskT, linear: m.linear })) as tf.Scalar, m.allVariables());

    // split: the messages
    const E = deviceEmbed(m, tokens);
    const c = serverForward(m, E, maskT);
    const up = deviceBackward(m, c, labels);
    const grads = serverBackward(m, E, maskT, c, up);
    expect(up.u.shape).to.deep.equal([S, 4]);
    expect(up.g.shape).to.deep.equal([S, config.hidden]);
    expect(up.loss).to.be.closeTo(ref.value.dataSync()[0]!, 1e-5);
    for (const v of m.allVariables()) {
      const a = grads[v.name]!.dataSync() as Float32Array;
      const b = ref.grads[v.name]!.dataSync() as Float32Array;
      expect(a.length).to.equal(b.length);
      expect(maxRelErr(a, b), v.name).to.be.lessThan(2e-4);
    }
    // the LoRA-A gradient of the pooler really is cᵀu, and not zero
    expect(Math.max(...Array.from(grads[m.pooler.A.name]!.dataSync()).map(Math.abs))).to.be.greaterThan(1e-4);

    // u-only: the device-side gradients stay exact, the encoder's lose the W0 path; the reported error
    // equals the relative distance to the unsplit model's exact gradients
    const approx = serverBackward(m, E, maskT, c, up, true);
    let num = 0;
    let den = 0;
    for (const v of m.serverVariables()) {
      const a = approx[v.name]!.dataSync();
      const b = ref.grads[v.name]!.dataSync();
      for (let i = 0; i < a.length; i++) {
        num += (a[i]! - b[i]!) ** 2;
        den += b[i]! ** 2;
      }
    }
    for (const v of [m.pooler.A, m.pooler.B, m.head.W, m.head.b]) {
      expect(maxRelErr(approx[v.name]!.dataSync() as Float32Array, ref.grads[v.name]!.dataSync() as Float32Array), v.name).to.be.lessThan(2e-4);
    }
    const measured = uOnlyGradientError(m, E, maskT, up);
    expect(Math.sqrt(num / den)).to.be.greaterThan(0.01);
    expect(measured).to.be.closeTo(Math.sqrt(num / den), 1e-3 * Math.sqrt(num / den) + 1e-5);
    disposeDeviceGradients(up);
    for (const t of [E, c, tokens, maskT, labels, ref.value, ...Object.values(ref.grads), ...Object.values(grads), ...Object.values(approx)]) t.dispose();
    m.dispose();
  });
});
