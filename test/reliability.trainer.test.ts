// Issue 13, trainer side: resume reproduces metrics byte for byte (−∞ dB NMSE included), damaged
// checkpoints are refused by name, divergence is caught against uniform guessing and exploding updates.
import { expect } from 'chai';
import * as tf from '@tensorflow/tfjs';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend } from '../src/tf/index.js';
import { disposeWeights, initModel, preset, type PretrainedModel } from '../src/models/index.js';
import { RandomStreams } from '../src/random/streams.js';
import { RunFolder } from '../src/results/run-folder.js';
import { DivergenceError, UserInputError } from '../src/errors.js';
import { runFederated, type FederatedRunResult } from '../src/fl/trainer.js';
import { IdealAggregator } from '../src/fl/aggregators/ideal.js';
import { NoisyAggregator } from '../src/fl/aggregators/noisy.js';
import { CHECKPOINT_FILE, loadCheckpoint } from '../src/fl/checkpoint.js';
import type { Aggregator } from '../src/fl/aggregator.js';
import { createAggregator } from '../src/fl/aggregators/index.js';
import { resolveScenario } from '../src/scenario/load.js';
import { radioFromScenario } from '../src/scenario/resolve/radio.js';
import { LORA, flConfig, modelFactory, tinyBase, tinyData } from './fl.fixture.js';

describe('reliability: trainer resume, checkpoints, divergence', function () {
  this.timeout(120_000);
  let base: PretrainedModel;
  let prev: string;
  const dirs: string[] = [];
  const tmp = () => { const d = mkdtempSync(join(tmpdir(), 'airlora-rel-')); dirs.push(d); return d; };
  const { data } = tinyData(3);

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

  const go = (dir: string, o: { resume?: boolean; stop?: number; rounds?: number; aggregator?: Aggregator; lr?: number } = {}) => runFederated({
    config: flConfig({ rounds: o.rounds ?? 3, clients: 3, lr: o.lr ?? 0.01 }), data, makeModel: modelFactory(base),
    aggregator: o.aggregator ?? new IdealAggregator(), streams: new RandomStreams(4), folder: RunFolder.open(dir),
    resume: o.resume ?? false, stopAfterRound: o.stop,
  });
  const noWall = (r: FederatedRunResult) => r.rows.map(({ wall_s: _w, ...rest }) => rest);

  it('resume after a stop at every round reproduces metrics.csv byte for byte and the same rows (ideal: −∞ dB NMSE)', async () => {
    const full = tmp();
    const ref = await go(full);
    expect(ref.rows[1]!['nmse_db']).to.equal(-Infinity); // exact-zero NMSE of the ideal aggregate
    const refCsv = readFileSync(join(full, 'metrics.csv'), 'utf8');
    expect(refCsv).to.not.match(/Infinity|NaN/);
    for (const k of [0, 1, 2]) {
      const dir = tmp();
      await go(dir, { stop: k });
      expect(loadCheckpoint(RunFolder.open(dir))!.round).to.equal(k);
      const res = await go(dir, { resume: true });
      expect(noWall(res)).to.deep.equal(noWall(ref)); // the checkpoint kept −Infinity (not null)
      expect(readFileSync(join(dir, 'metrics.csv'), 'utf8')).to.equal(refCsv);
    }
  });

  it('damaged checkpoints (round past the end or edited, non-numeric, empty, bad base64, truncated) are refused naming the file', async () => {
    const dir = tmp();
    await go(dir, { stop: 1 });
    const file = join(dir, CHECKPOINT_FILE);
    const good = readFileSync(file, 'utf8');
    const json = JSON.parse(good) as Record<string, unknown>;
    const variants: Record<string, string> = {
      'round 99': JSON.stringify({ ...json, round: 99 }),
      'round 2 (rows do not match)': JSON.stringify({ ...json, round: 2 }),
      'round non-numeric': JSON.stringify({ ...json, round: 'x' }),
      'round negative': JSON.stringify({ ...json, round: -1 }),
      empty: '',
      truncated: good.slice(0, good.length / 2),
      'bad base64': JSON.stringify({ ...json, global: '!!!not base64!!!' }),
      'short adapters': JSON.stringify({ ...json, global: 'AAAA' }),
      'adapter NaN': JSON.stringify({ ...json, global: Buffer.from(new Float32Array((json['adapterSize'] as number)).fill(NaN).buffer).toString('base64') }),
      'initialEvalLoss null': JSON.stringify({ ...json, initialEvalLoss: null }),
      'wrong format': JSON.stringify({ ...json, format: 'other/9' }),
      'not an object': '[1,2,3]',
    };
    for (const [what, text] of Object.entries(variants)) {
      writeFileSync(file, text);
      let err: unknown;
      try { await go(dir, { resume: true }); } catch (e) { err = e; }
      expect(err, what).to.be.instanceOf(UserInputError);
      expect((err as Error).message, what).to.contain(file).and.match(/damaged checkpoint/);
      // the run did not go on: the checkpoint is left as it was
      expect(readFileSync(file, 'utf8'), what).to.equal(text);
    }
    writeFileSync(file, good);
    const res = await go(dir, { resume: true });
    expect(res.lastRound).to.equal(3);
  });

  it('divergence: an absurd learning rate stops with a DivergenceError (exploding update), keeping the last good checkpoint', async () => {
    const dir = tmp();
    let err: unknown;
    try { await go(dir, { lr: 1e6 }); } catch (e) { err = e; }
    expect(err).to.be.instanceOf(DivergenceError);
    expect((err as Error).message).to.match(/diverged in round 1: .*last good checkpoint is round 0/);
    const ck = loadCheckpoint(RunFolder.open(dir))!;
    expect(ck.round).to.equal(0);
    // and the folder resumes (with the same settings it diverges again, by the same named error)
    let again: unknown;
    try { await go(dir, { lr: 1e6, resume: true }); } catch (e) { again = e; }
    expect(again).to.be.instanceOf(DivergenceError);
  });

  it('divergence: an aggregate drowned in noise (noisy aggregator at NMSE 1e10) is caught in its first round', async () => {
    const dir = tmp();
    let err: unknown;
    try { await go(dir, { aggregator: new NoisyAggregator(1e10) }); } catch (e) { err = e; }
    expect(err).to.be.instanceOf(DivergenceError);
    expect((err as Error).message).to.match(/round 1: exploding update/);
  });

  it('divergence: AirFL zf at −100 dB (the real over-the-air aggregator) is caught, not trained to a complete result', async () => {
    const sc = resolveScenario({ name: 'zf', fl: { clients: 3 }, data: {}, airfl: {}, phy: { snr_db: -100, antennas: { server: 4 }, streams: 1, subcarriers: 8 }, aggregation: ['zf'] });
    const aggregator = createAggregator({ scheme: 'zf', label: 'zf', streams: 1, options: {} }, { seed: 1, radio: radioFromScenario(sc, 1) });
    const dir = tmp();
    let err: unknown;
    try { await go(dir, { aggregator }); } catch (e) { err = e; }
    expect(err).to.be.instanceOf(DivergenceError);
    expect((err as Error).message).to.match(/diverged in round 1: /);
    expect(RunFolder.open(dir).exists('checkpoint.json')).to.equal(true);
  });

  it('divergence: evaluation loss above uniform guessing + ln 2 stops, though far below 10 × the starting loss', async () => {
    // An untied output head with LoRA on it (the tied tiny GPT cannot diverge: its final LayerNorm
    // bounds the logits). SGD at lr 3 takes the evaluation loss from 4.59 to 11.4 in round 1: worse
    // than guessing (ln 96 = 4.56), yet under the old 10 × starting-loss rule (45.9).
    const untied = initModel(preset('gpt-tiny', { vocabSize: 96, tieEmbeddings: false }), 3);
    const dir = tmp();
    let err: unknown;
    try {
      await runFederated({
        config: flConfig({ rounds: 3, clients: 3, optimizer: 'sgd', lr: 3 }), data,
        makeModel: modelFactory(untied, { ...LORA, target_modules: ['query', 'value', 'lm_head'] }),
        aggregator: new IdealAggregator(), streams: new RandomStreams(4), folder: RunFolder.open(dir),
      });
    } catch (e) { err = e; } finally { disposeWeights(untied.weights); }
    expect(err).to.be.instanceOf(DivergenceError);
    expect((err as Error).message).to.match(/round 1: evaluation loss [\d.]+ > [\d.]+ \(uniform guessing 4\.564/);
    expect(loadCheckpoint(RunFolder.open(dir))!.round).to.equal(0);
  });
});
