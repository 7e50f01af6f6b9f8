import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend } from '../src/tf/index.js';
import { preset, initModel, disposeWeights, type BertConfig } from '../src/models/index.js';
import { RandomStreams } from '../src/random/streams.js';
import type { FederatedData, IntBatch } from '../src/data/federated.js';
import { roundPayload, roundFlops } from '../src/split/payload.js';
import { SplitLoads } from '../src/split/loads.js';
import { BowLogistic } from '../src/split/reference.js';
import { wilson } from '../src/split/wilson.js';
import { applyBaseInit } from '../src/models/base-init.js';
import { trainSplit } from '../src/split/trainer.js';
import { splitLora } from '../src/split/model.js';
import { SplitChannel } from '../src/split/delay-sim.js';
import { LyapunovScheduler } from '../src/split/schedulers/lyapunov.js';
import { defaultRadio } from '../src/split/radio.js';
import { split as splitSection } from '../src/scenario/sections/split.js';
import { runSplit, acrossTrials, pairedDifferences } from '../src/split/run.js';
import { columnInfo, csvFiles } from '../src/results/columns.js';
import { resolveScenario } from '../src/scenario/load.js';
import { resolveSplit } from '../src/scenario/resolve/split.js';
import { UserInputError } from '../src/errors.js';
import { loadTask } from '../src/split/tasks.js';
import { RunFolder } from '../src/results/run-folder.js';

/** A synthetic classification task: label = whether token 7 occurs (learnable, no corpus needed). */
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

describe('split: payloads, statistics, training loop and runner', () => {
  before(async () => {
    await initBackend({ backend: 'wasm', quiet: true });
  });

  it('payload bits have their closed forms; the low-rank saving is measured against the [CLS]-aware full-width uplink', () => {
    const p = roundPayload({ batch: 8, seqLen: 32, hidden: 64, rank: 8, classes: 2, serverParams: 1000 });
    expect(p.upEmbeddingsBits).to.equal(32 * (8 * 32 * 64 + 8));
    expect(p.upEmbeddingRowBits).to.equal(32 * (32 * 64 + 1));
    expect(p.downEncoderBits).to.equal(32 * 8 * 64);
    expect(p.upGradientBits).to.equal(32 * (8 * 64 + 8 * 8 + 8 * 64 + 64 * 2 + 2));
    expect(p.clsFullWidthGradientBits).to.equal(32 * (8 * 64 + 2 * 64 * 8 + 64 * 2 + 2));
    expect(p.fullHiddenGradientBits).to.equal(32 * (8 * 32 * 64 + 2 * 64 * 8 + 64 * 2 + 2));
    expect(p.uplinkBits).to.equal(p.upEmbeddingsBits + p.upGradientBits);
    // the scenario's shape: 1,666 against 1,218 values, 1.37×
    expect(p.clsFullWidthGradientBits / p.upGradientBits).to.be.closeTo(1666 / 1218, 1e-12);
    const u = roundPayload({ batch: 8, seqLen: 32, hidden: 64, rank: 8, classes: 2, serverParams: 1000, gradient: 'u-only' });
    expect(u.upGradientBits).to.equal(32 * (8 * 8 + 8 * 64 + 64 * 2 + 2));
  });

  it('FLOPs: the encoder forward has its closed form and the server side grows with sequence length squared', () => {
    const f = roundFlops({ batch: 2, seqLen: 4, hidden: 8, layers: 1, intermediate: 16, rank: 2, classes: 2, encoderLoraModules: 3 });
    const fwd = 8 * 2 * 4 * 64 + 4 * 2 * 16 * 8 + 4 * 2 * 4 * 8 * 16 + 3 * 4 * 2 * 4 * 8 * 2;
    expect(f.server).to.equal(3 * fwd);
    expect(f.device).to.equal(10 * 2 * 4 * 8 + 3 * (2 * 2 * 64 + 4 * 2 * 8 * 2 + 2 * 2 * 8 * 2));
  });

  it('cached embeddings: a row is uploaded once; repeats and later rounds send a reference', () => {
    const pay = roundPayload({ batch: 3, seqLen: 2, hidden: 4, rank: 2, classes: 2, serverParams: 10 });
    const rows: Record<string, string[]> = { '0,0': ['a', 'b', 'a'], '1,0': ['b', 'c', 'c'], '0,1': ['x', 'y', 'z'], '1,1': ['x', 'y', 'z'] };
    const timing = { deviceComputeS: 0, serverPerDeviceS: 0, downlink: false, downSnrPerUplinkDensity: 0 };
    const loads = new SplitLoads({ devices: 2, payload: pay, mode: 'cached-embeddings', timing, rows: (t, k) => rows[`${t},${k}`]! });
    const g = pay.upGradientBits;
    const e = pay.upEmbeddingRowBits;
    const ref = pay.rowReferenceBits;
    expect(Array.from(loads.upBits(0))).to.deep.equal([g + 2 * e + ref, g + 3 * e]);
    loads.commit(0, [0]); // device 1 was not scheduled: nothing of it is cached
    expect(Array.from(loads.upBits(1))).to.deep.equal([g + e + 2 * ref, g + 3 * e]);
    expect(Array.from(loads.fresh().upBits(1))).to.deep.equal([g + 2 * e + ref, g + 3 * e]);
  });

  it('bag-of-words logistic regression learns a token-presence task', () => {
    const d = toyData(1, 8);
    const rng = new RandomStreams(4).stream('bow');
    const train = d.clients[0]!.sampleBatch(rng, 200);
    const m = new BowLogistic({ classes: 2, vocab: 64 }).fit(train);
    expect(m.evaluate(d.clients[0]!.evalBatch()).accuracy).to.be.at.least(0.9);
  });

  it('paired differences: mean and paired t-interval of a − b over trials', () => {
    const rows = [0, 1, 2].flatMap((t) => [
      { task: 'x', trial: t, scheduler: 'a', last4_test_accuracy: 0.8 + 0.01 * t, final_test_accuracy: 0.8, avg_delay_s: 1, total_delay_s: 1 },
      { task: 'x', trial: t, scheduler: 'b', last4_test_accuracy: 0.7 + 0.02 * t, final_test_accuracy: 0.8, avg_delay_s: 1, total_delay_s: 1 },
    ]);
    const p = pairedDifferences(rows).find((r) => r['column'] === 'last4_test_accuracy')!;
    // differences 0.10, 0.09, 0.08: mean 0.09, sd 0.01
    expect(p['mean_diff'] as number).to.be.closeTo(0.09, 1e-12);
    expect((p['ci_high'] as number) - 0.09).to.be.closeTo(4.303 * 0.01 / Math.sqrt(3), 1e-3);
    expect(p['excludes_zero']).to.equal(1);
    expect(pairedDifferences(rows).find((r) => r['column'] === 'final_test_accuracy')!['excludes_zero']).to.equal(0);
  });

  it('lecun base init gives encoder kernels std 1/sqrt(fan_in); bert leaves the weights alone', () => {
    const config = preset('bert-small', { layers: 1, hidden: 64, heads: 4, intermediate: 256 }) as BertConfig;
    const a = initModel(config, 5);
    const b = initModel(config, 5);
    applyBaseInit(a, 'lecun');
    applyBaseInit(b, 'bert');
    for (const name of ['encoder.layer.0.attention.self.query.kernel', 'encoder.layer.0.output.dense.kernel']) {
      const v = a.weights[name]!.dataSync();
      const fanIn = a.weights[name]!.shape[0]!;
      let ss = 0;
      for (let i = 0; i < v.length; i++) ss += v[i]! * v[i]!;
      // sample variance of n normals: relative standard error sqrt(2/n)
      expect(ss / v.length * fanIn).to.be.closeTo(1, 5 * Math.sqrt(2 / v.length));
      expect(Array.from(b.weights[name]!.dataSync())).to.deep.equal(Array.from(initModel(config, 5).weights[name]!.dataSync()));
    }
    expect(Array.from(a.weights['pooler.dense.kernel']!.dataSync())).to.deep.equal(Array.from(b.weights['pooler.dense.kernel']!.dataSync()));
    disposeWeights(a.weights);
    disposeWeights(b.weights);
  });

  it('across-trial summary: mean and t-interval per scheduler; misses count as rounds + 1', () => {
    const rows = [0.7, 0.8, 0.9].map((a, i) => ({ task: 't', scheduler: 's', rounds: 10, final_test_accuracy: a, rounds_to_target: i === 2 ? null : 4 + i }));
    const [r] = acrossTrials(rows);
    expect(r!['trials']).to.equal(3);
    expect(r!['reached']).to.equal(2);
    expect(r!['final_test_accuracy']).to.be.closeTo(0.8, 1e-12);
    expect(0.8 - (r!['final_test_accuracy_ci_low'] as number)).to.be.closeTo(4.303 * 0.1 / Math.sqrt(3), 1e-9);
    expect(r!['final_test_accuracy_ci_high']).to.equal(1); // 0.8 + 0.248, cut to the range
    expect(r!['rounds_to_target']).to.be.closeTo((4 + 5 + 11) / 3, 1e-12);
  });

  it('across-trial intervals stay in the quantity\'s range (fractions in [0, 1], delays ≥ 0); one trial leaves them empty', () => {
    const rows = [1, 1, 0.9, 1].map((p, i) => ({ task: 't', scheduler: 's', rounds: 10, participation_nearest: p, delay_to_target_s: [0.1, 9, 0.2, 0.1][i]! }));
    const [r] = acrossTrials(rows);
    // the plain t-interval of these would be [0.895, 1.055] and [−4.6, 9.3]
    expect(r!['participation_nearest_ci_high']).to.equal(1);
    expect(r!['participation_nearest_ci_low'] as number).to.be.closeTo(0.975 - 3.182 * 0.05 / 2, 1e-9);
    expect(r!['delay_to_target_s_ci_low']).to.equal(0);
    expect(r!['delay_to_target_s_ci_high'] as number).to.be.greaterThan(9);
    const [one] = acrossTrials([rows[0]!]);
    expect(one!['participation_nearest']).to.equal(1);
    expect(one!['participation_nearest_ci_low']).to.equal(null);
    expect(one!['participation_nearest_ci_high']).to.equal(null);
  });

  it('a Dirichlet partition is redrawn until every device holds 2 items (seed 1, trial 1 of split-fedft gave a device 1 item and stopped the run)', function () {
    this.timeout(60_000);
    const streams = new RandomStreams(1).child('task', 'spam-dirichlet-0.3', 'trial', 1);
    const data = loadTask({ name: 'spam', partition: { kind: 'dirichlet', alpha: 0.3 }, testFraction: 0.2, seqLen: 32, maxItems: 3000, evalPerClient: 60, vocabSize: 512 }, 10, streams);
    for (const c of data.data.clients) expect(c.size + c.testItems!.length).to.be.at.least(2);
  });

  it('Wilson interval matches published values', () => {
    const [a, b] = wilson(5, 10);
    expect(a).to.be.closeTo(0.2366, 1e-4);
    expect(b).to.be.closeTo(0.7634, 1e-4);
    const [c, d] = wilson(0, 10);
    expect(c).to.equal(0);
    expect(d).to.be.closeTo(0.2775, 1e-4);
  });

  it('training is reproducible to the bit and learns a learnable toy task', () => {
    const config = preset('bert-tiny', { layers: 1, vocabSize: 64, maxPositions: 8 }) as BertConfig;
    const base = initModel(config, 2);
    const data = toyData(4, 8);
    const run = () => {
      const streams = new RandomStreams(3);
      return trainSplit({
        base, data, streams, seed: 3,
        scheduler: new LyapunovScheduler({ V: 0.01 }),
        channel: new SplitChannel(streams, 0, { ...defaultRadio, devices: 4 }),
        cfg: { rounds: 30, batchSize: 8, lr: 0.03, evalEvery: 30, lora: splitLora(4, 8), trial: 0, budgetS: 0.01 },
      }).map(({ wall_ms: _w, ...r }) => r);
    };
    const a = run();
    const b = run();
    expect(a).to.deep.equal(b);
    const first = a.slice(0, 5).reduce((s, r) => s + r.train_loss, 0) / 5;
    const last = a.slice(-5).reduce((s, r) => s + r.train_loss, 0) / 5;
    expect(last).to.be.lessThan(first);
    expect(a[a.length - 1]!.test_accuracy).to.be.greaterThan(0.6);
    disposeWeights(base.weights);
  });

  it('the split section fills defaults and names the field of a bad value', () => {
    const s = splitSection.parse({})!;
    expect(s.schedulers).to.deep.equal(['lyapunov', 'all-in', 'random', 'best-channel', 'round-robin']);
    expect(s.tasks[0]!.name).to.equal('spam');
    const bad = splitSection.safeParse({ schedulers: ['greedy'] });
    expect(bad.success).to.equal(false);
    expect(bad.error!.issues[0]!.path.join('.')).to.equal('schedulers.0');
  });

  it('split.lora uses PEFT names: lora_alpha maps onto the LoRA config; the old alpha key says what to write', () => {
    const cfg = resolveSplit(resolveScenario({ name: 'x', split: { devices: 3, lora: { r: 4, lora_alpha: 8 } } }, 'test'));
    expect(cfg.lora).to.include({ r: 4, lora_alpha: 8 });
    expect(cfg.lora.target_modules).to.deep.equal(['query', 'key', 'value', 'pooler']);
    expect(cfg.radio.devices).to.equal(3);
    let err: unknown;
    try { resolveScenario({ name: 'x', split: { lora: { r: 4, alpha: 8 } } }, 'test'); } catch (e) { err = e; }
    expect(err).to.be.instanceOf(UserInputError);
    expect(String((err as Error).message)).to.match(/split\.lora\.alpha/).and.to.match(/lora_alpha: 8/);
  });

  it('runSplit: one row per scheduler × round, baselines within budget, same seed gives the same bytes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'split-run-'));
    const scenario = () => resolveSplit(resolveScenario({
      name: 'x', seed: 4,
      model: { preset: 'bert-tiny', overrides: { layers: 1, hidden: 16, heads: 2, intermediate: 32 } },
      split: {
        devices: 4, rounds: 3, batch_size: 2, eval_every: 3, budget_s: 0.02, delay_rounds: 50,
        tasks: [{ name: 'brown-genre', genres: ['news', 'fiction'], seq_len: 8, vocab_size: 64, max_items: 120 }],
      },
    }, 'test'));
    try {
      const folder = RunFolder.create({ out: join(dir, 'run'), name: 'x' });
      const res = await runSplit(scenario(), folder);
      const metrics = folder.readCsv('metrics.csv');
      expect(metrics).to.have.length(5 * 3);
      expect(folder.readCsv('delay.csv')).to.have.length(5 * 50);
      for (const row of res.summary) {
        if (row['scheduler'] === 'random' || row['scheduler'] === 'round-robin' || row['scheduler'] === 'best-channel') {
          expect(Number(row['avg_delay_s'])).to.be.at.most(0.02);
        }
      }
      expect(folder.readJson<Record<string, unknown>>('payload.json')).to.have.property('brown-news-fiction');
      const again = RunFolder.create({ out: join(dir, 'again'), name: 'x' });
      await runSplit(scenario(), again);
      for (const f of ['metrics.csv', 'summary.csv', 'delay.csv', 'payload.json']) expect(again.readText(f), f).to.equal(folder.readText(f));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('runSplit, non-IID with cached embeddings, u-only gradients, a budget scaled to All-in and 2 resampled trials: paired.csv, flags and bits', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'split-run2-'));
    try {
      const cfg = resolveSplit(resolveScenario({
        name: 'x', seed: 5,
        model: { preset: 'bert-tiny', overrides: { layers: 1, hidden: 16, heads: 2, intermediate: 32 } },
        split: {
          devices: 4, rounds: 4, trials: 2, batch_size: 2, eval_every: 2, budget_all_in_fraction: 0.5, delay_rounds: 0,
          uplink: 'cached-embeddings', gradient: 'u-only', schedulers: ['lyapunov', 'all-in', 'round-robin'],
          tasks: [{ name: 'brown-genre', genres: ['news', 'fiction'], seq_len: 8, vocab_size: 64, max_items: 160, partition: { kind: 'dirichlet', alpha: 0.3 } }],
        },
      }, 'test'));
      const folder = RunFolder.create({ out: join(dir, 'run'), name: 'x' });
      await runSplit(cfg, folder);
      const sum = folder.readCsv('summary.csv');
      expect(sum).to.have.length(2 * 3);
      for (const r of sum) {
        const allIn = sum.find((x) => x['trial'] === r['trial'] && x['scheduler'] === 'all-in')!;
        // τ̄ is half All-in's own average delay on the same channel
        expect(Number(allIn['avg_delay_over_budget'])).to.be.closeTo(2, 1e-9);
        expect(allIn['over_budget']).to.equal('1');
        expect(Number(r['up_bits_total_gradients_only'])).to.be.lessThan(Number(r['up_bits_total_cached_embeddings']));
        expect(Number(r['up_bits_total_cached_embeddings'])).to.be.at.most(Number(r['up_bits_total_per_round_embeddings']));
        expect(Number(r['up_bits_total'])).to.equal(Number(r['up_bits_total_cached_embeddings']));
        expect(Number(r['mean_grad_rel_error'])).to.be.within(0, 1.5);
        expect(Number(r['participation_farthest'])).to.be.within(0, 1);
      }
      // the trials differ in their base encoder and data, not only in the channel
      expect(folder.readCsv('reference.csv').map((r) => r['train_examples'])).to.have.length(2);
      const paired = folder.readCsv('paired.csv');
      expect(paired.filter((r) => r['column'] === 'last4_test_accuracy')).to.have.length(3);
      for (const r of paired) expect(Number(r['trials'])).to.equal(2);
      // COLUMNS.md documents every column a split run writes (none falls back to "not in the catalogue")
      for (const f of csvFiles(folder)) {
        for (const c of folder.readText(f).split('\n')[0]!.split(',')) expect(columnInfo(c), `${f}: ${c}`).to.not.equal(undefined);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
