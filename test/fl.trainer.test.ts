import { expect } from 'chai';
import * as tf from '@tensorflow/tfjs';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend } from '../src/tf/index.js';
import { disposeWeights, initModel, preset, type PretrainedModel } from '../src/models/index.js';
import { createLoraModel, loraTrainStep } from '../src/lora/index.js';
import { RandomStreams } from '../src/random/streams.js';
import { RunFolder } from '../src/results/run-folder.js';
import { NumericalError } from '../src/errors.js';
import { runFederated } from '../src/fl/trainer.js';
import { IdealAggregator, NoisyAggregator, createAggregator } from '../src/fl/aggregators/index.js';
import { stackBatches, disposeBatch } from '../src/fl/batches.js';
import { loadCheckpoint } from '../src/fl/checkpoint.js';
import { LORA, flConfig, modelFactory, tinyBase, tinyData } from './fl.fixture.js';

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

describe('fl: federated LoRA trainer', function () {
  let base: PretrainedModel;
  let prev: string;
  const dirs: string[] = [];
  const tmp = () => { const d = mkdtempSync(join(tmpdir(), 'airlora-fl-')); dirs.push(d); return d; };
  const { data } = tinyData(4);
  const one = tinyData(1);

  before(async () => {
    prev = tf.getBackend();
    await initBackend({ backend: 'wasm', quiet: true });
    base = tinyBase(96);
  });
  after(async () => {
    disposeWeights(base.weights);
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
    if (prev) await tf.setBackend(prev);
  });

  for (const algorithm of ['fedavg', 'fedsgd'] as const) {
    it(`one client + ideal aggregation equals centralised training step for step (${algorithm}, sgd)`, async () => {
      const rounds = 3, L = algorithm === 'fedavg' ? 2 : 1;
      const cfg = flConfig({ rounds, clients: 1, algorithm, optimizer: 'sgd', lr: 0.5, serverLr: algorithm === 'fedavg' ? 1 : 0.5, localSteps: L });
      const streams = new RandomStreams(11);
      const fl = await runFederated({ config: cfg, data: one.data, makeModel: modelFactory(base), aggregator: new IdealAggregator(), streams });
      // Centralised: one model, plain SGD over the same minibatches in the same order.
      const m = createLoraModel(base, LORA, 1, 7);
      const opt = tf.train.sgd(0.5);
      try {
        for (let r = 1; r <= rounds; r++) {
          let loss = 0;
          for (let s = 0; s < L; s++) {
            const b = stackBatches([one.data.clients[0]!.sampleBatch(streams.stream('batch', r, 0, s), cfg.batchSize)]);
            loss += loraTrainStep(m, b, opt) / L;
            disposeBatch(b);
          }
          expect(fl.rows[r]!['train_loss'] as number).to.be.closeTo(loss, 1e-5 * Math.abs(loss));
          // the global adapters after round r equal the centralised ones after r·L steps
          const upTo = await runFederated({ config: cfg, data: one.data, makeModel: modelFactory(base), aggregator: new IdealAggregator(), streams, stopAfterRound: r });
          expect(maxAbsDiff(upTo.global, m.getAdapters(0))).to.be.lessThan(1e-6);
        }
        expect(fl.rows.map((row) => row['nmse'])).to.deep.equal([null, 0, 0, 0]);
      } finally {
        opt.dispose();
        m.dispose();
      }
    });
  }

  it('batched clients equal a loop over clients (same metrics to float tolerance), with client sampling', async () => {
    const run = (mode: 'batched' | 'loop') => runFederated({
      config: flConfig({ rounds: 2, clients: 4, mode, selection: { count: 3 } }), data,
      makeModel: modelFactory(base), aggregator: new IdealAggregator(), streams: new RandomStreams(3),
    });
    const a = await run('batched'), b = await run('loop');
    expect(a.records.map((r) => r['clients'])).to.deep.equal(b.records.map((r) => r['clients']));
    for (let r = 0; r < a.rows.length; r++) {
      for (const c of ['train_loss', 'eval_loss', 'perplexity'] as const) {
        const x = a.rows[r]![c], y = b.rows[r]![c];
        if (x === null) expect(y).to.equal(null);
        else expect(x as number).to.be.closeTo(y as number, 1e-4 * Math.abs(y as number));
      }
    }
    expect(maxAbsDiff(a.global, b.global)).to.be.lessThan(1e-5);
    expect(a.rows[2]!['eval_loss'] as number).to.be.lessThan(a.rows[0]!['eval_loss'] as number);
  });

  it("uploading adapters ('weights') equals uploading deltas under ideal aggregation", async () => {
    const run = (upload: 'delta' | 'weights') => runFederated({
      config: flConfig({ rounds: 2, clients: 4, upload }), data,
      makeModel: modelFactory(base), aggregator: new IdealAggregator(), streams: new RandomStreams(6),
    });
    const a = await run('delta'), b = await run('weights');
    expect(maxAbsDiff(a.global, b.global)).to.be.lessThan(1e-6);
    expect(a.rows[2]!['eval_loss'] as number).to.be.closeTo(b.rows[2]!['eval_loss'] as number, 1e-5);
  });

  it('resume after a kill equals an uninterrupted run (metrics.csv identical but for wall time)', async () => {
    const cfg = flConfig({ rounds: 3, clients: 4 });
    const go = (dir: string, resume: boolean, stopAfterRound?: number) => runFederated({
      config: cfg, data, makeModel: modelFactory(base), aggregator: createAggregator({ scheme: 'noisy', label: 'noisy', streams: undefined, options: { nmse: 0.01 } }, { seed: 1 }),
      streams: new RandomStreams(8), folder: RunFolder.open(dir), resume, stopAfterRound,
    });
    const full = tmp(), killed = tmp();
    await go(full, false);
    await go(killed, false, 1);
    expect(loadCheckpoint(RunFolder.open(killed))!.round).to.equal(1);
    await go(killed, true);
    const strip = (p: string) => readFileSync(join(p, 'metrics.csv'), 'utf8').split('\n').map((l) => l.split(',').slice(0, -1).join(','));
    expect(strip(killed)).to.deep.equal(strip(full));
    expect(strip(full)).to.have.length(6); // header, rounds 0..3, trailing ''
    const jl = readFileSync(join(killed, 'rounds.jsonl'), 'utf8').trim().split('\n');
    expect(jl).to.have.length(4);
  });

  it('divergence (absurd learning rate) stops with a NumericalError and keeps the last good checkpoint', async () => {
    const dir = tmp();
    // An untied output head with LoRA on it: huge steps blow the logits (and the loss) up. (The tied
    // tiny GPT cannot diverge: its final LayerNorm bounds the logits.)
    const untied = initModel(preset('gpt-tiny', { vocabSize: 96, tieEmbeddings: false }), 3);
    const cfg = flConfig({ rounds: 4, clients: 4, optimizer: 'sgd', lr: 10, localSteps: 3 });
    let err: unknown;
    try {
      await runFederated({
        config: cfg, data, makeModel: modelFactory(untied, { ...LORA, target_modules: ['query', 'value', 'lm_head'] }),
        aggregator: new IdealAggregator(), streams: new RandomStreams(1), folder: RunFolder.open(dir),
      });
    } catch (e) { err = e; } finally { disposeWeights(untied.weights); }
    expect(err).to.be.instanceOf(NumericalError);
    expect((err as Error).message).to.match(/diverged in round (\d+).*last good checkpoint is round/);
    const bad = Number(/round (\d+)/.exec((err as Error).message)![1]);
    const ck = loadCheckpoint(RunFolder.open(dir))!;
    expect(ck.round).to.equal(bad - 1);
    for (const v of ck.global) expect(Number.isFinite(v)).to.equal(true);
  });

  it('noisy aggregation delivers the requested NMSE; aggregating B only leaves A at its initial value', async () => {
    const res = await runFederated({
      config: flConfig({ rounds: 2, clients: 4, aggregateFactors: ['B'] }), data,
      makeModel: modelFactory(base), aggregator: new NoisyAggregator(0.1), streams: new RandomStreams(2),
    });
    for (const r of res.rows.slice(1)) expect(r['nmse'] as number).to.be.within(0.07, 0.13); // thousands of entries
    const m = createLoraModel(base, LORA, 1, 7);
    const init = m.getAdapters(0);
    for (const b of m.adapterLayout()) {
      const n = b.shape[0]! * b.shape[1]!;
      const d = maxAbsDiff(res.global.subarray(b.offset, b.offset + n), init.subarray(b.offset, b.offset + n));
      if (b.factor === 'A') expect(d).to.equal(0); else expect(d).to.be.greaterThan(0);
    }
    m.dispose();
  });
});
