// Issue 13, split learning: a learning rate that blows the loss up (0.69 → 1e7) stops with a named
// DivergenceError in the round it happens, instead of finishing a run that looks complete.
import { expect } from 'chai';
import { initBackend } from '../src/tf/index.js';
import { preset, initModel, disposeWeights, type BertConfig } from '../src/models/index.js';
import { RandomStreams } from '../src/random/streams.js';
import type { FederatedData, IntBatch } from '../src/data/federated.js';
import { trainSplit } from '../src/split/trainer.js';
import { splitLora } from '../src/split/model.js';
import { SplitChannel } from '../src/split/delay-sim.js';
import { LyapunovScheduler } from '../src/split/schedulers/lyapunov.js';
import { defaultRadio } from '../src/split/radio.js';
import { checkSplitDivergence } from '../src/split/divergence.js';
import { DivergenceError } from '../src/errors.js';

/** Label = whether token 7 occurs (as in split.runner.test.ts). */
function toyData(K: number, T: number): FederatedData {
  const make = (rng: { int(n: number): number }, B: number): IntBatch => {
    const tokens = new Int32Array(B * T);
    const labels = new Int32Array(B);
    for (let b = 0; b < B; b++) {
      tokens[b * T] = 4;
      for (let t = 1; t < T; t++) tokens[b * T + t] = 8 + rng.int(40);
      labels[b] = rng.int(2);
      if (labels[b]) tokens[b * T + 1 + rng.int(T - 1)] = 7;
    }
    return { size: B, seqLen: T, tokens, labels, mask: new Float32Array(B * T).fill(1) };
  };
  const evalB = make(new RandomStreams(99).stream('eval'), 20);
  return {
    kind: 'classifier', numClasses: 2, seqLen: T,
    clients: Array.from({ length: K }, (_, k) => ({
      index: k, size: 100, trainItems: [], testItems: [], labelCounts: {},
      sampleBatch: (rng, B) => make(rng, B), evalBatch: () => evalB,
    })),
  };
}

describe('reliability: split learning divergence', function () {
  this.timeout(60_000);
  before(async () => { await initBackend({ backend: 'wasm', quiet: true }); });

  const train = (lr: number) => {
    const config = preset('bert-tiny', { layers: 1, vocabSize: 64, maxPositions: 8 }) as BertConfig;
    const base = initModel(config, 2);
    const streams = new RandomStreams(3);
    try {
      return trainSplit({
        base, data: toyData(4, 8), streams, seed: 3,
        scheduler: new LyapunovScheduler({ V: 0.01 }),
        channel: new SplitChannel(streams, 0, { ...defaultRadio, devices: 4 }),
        cfg: { rounds: 12, batchSize: 8, lr, evalEvery: 4, lora: splitLora(4, 8), trial: 0, budgetS: 0.01 },
      });
    } finally {
      disposeWeights(base.weights);
    }
  };

  it('split.lr 1e6 stops with a DivergenceError naming the round; a sane rate trains to the end', () => {
    let err: unknown;
    try { train(1e6); } catch (e) { err = e; }
    expect(err).to.be.instanceOf(DivergenceError);
    expect((err as Error).message).to.match(/^split training diverged in round \d+: (training|test) loss .*lower split\.lr/);
    expect(train(0.03)).to.have.length(12);
  });

  it('the rule: non-finite, training loss > 10 ln C, test loss > 4 ln C', () => {
    expect(() => checkSplitDivergence(3, 2, NaN, null)).to.throw(DivergenceError, /round 3: training loss is NaN/);
    expect(() => checkSplitDivergence(3, 2, 7, null)).to.throw(DivergenceError, /training loss 7\.000 > 10 × ln 2/);
    expect(() => checkSplitDivergence(3, 2, 0.7, 2.8)).to.throw(DivergenceError, /test loss 2\.800 > 4 × ln 2/);
    expect(() => checkSplitDivergence(3, 2, 6.9, 2.7)).to.not.throw();
  });
});
