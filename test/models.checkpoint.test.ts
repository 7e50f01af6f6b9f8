import { expect } from 'chai';
import * as tf from '@tensorflow/tfjs';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initModel, preset, disposeWeights, type GptConfig } from '../src/models/index.js';
import { loadCheckpoint, saveCheckpoint, verifyCheckpoint, readCheckpointConfig, DEFAULT_CHECKPOINT_DIR } from '../src/models/checkpoint.js';
import { bertMlmPerplexity, gptPerplexity, learningRate, mlmBatch, pretrainBert, pretrainGpt, unigramPerplexity } from '../src/models/pretrain.js';
import type { BertConfig } from '../src/models/index.js';
import { UserInputError } from '../src/errors.js';
import { initBackend } from '../src/tf/index.js';
import { RandomStreams } from '../src/random/streams.js';

function bytes(t: tf.Tensor): Buffer {
  const a = t.dataSync() as Float32Array;
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength);
}

describe('models: checkpoints and pre-training', () => {
  let dir: string;
  let prev: string;
  before(async () => {
    prev = tf.getBackend();
    // Pinned: the tested default path (auto = wasm, with the OpenBLAS engine when built), whatever else is installed.
    await initBackend({ backend: 'wasm', quiet: true });
    dir = mkdtempSync(join(tmpdir(), 'airlora-ckpt-'));
  });
  after(async () => {
    rmSync(dir, { recursive: true, force: true });
    if (prev) await tf.setBackend(prev);
  });

  it('save → load round-trips every weight bit for bit, with tokenizer and metadata', async () => {
    const m = initModel(preset('bert-tiny'), 3);
    const out = join(dir, 'a');
    await saveCheckpoint(out, { ...m, tokenizer: { type: 'x', merges: [[1, 2]] }, metadata: { note: 'hi' } });
    expect(verifyCheckpoint(out).sort()).to.deep.equal(['config.json', 'tokenizer.json', 'weights.bin']);
    const back = loadCheckpoint(out);
    expect(back.config).to.deep.equal(m.config);
    expect(back.tokenizer).to.deep.equal({ type: 'x', merges: [[1, 2]] });
    expect(back.metadata).to.deep.equal({ note: 'hi' });
    for (const [k, t] of Object.entries(m.weights)) {
      expect(bytes(back.weights[k]!).equals(bytes(t)), k).to.equal(true);
    }
    disposeWeights(m.weights);
    disposeWeights(back.weights);
  });

  it('a modified weights file fails the SHA-256 check with a clear error', async () => {
    const m = initModel(preset('gpt-tiny'), 4);
    const out = join(dir, 'b');
    await saveCheckpoint(out, m);
    const w = readFileSync(join(out, 'weights.bin'));
    w[10] = w[10]! ^ 1;
    writeFileSync(join(out, 'weights.bin'), w);
    expect(() => loadCheckpoint(out)).to.throw(UserInputError, /SHA-256 mismatch for weights\.bin/);
    expect(() => loadCheckpoint(join(dir, 'missing'))).to.throw(UserInputError, /not found/);
    disposeWeights(m.weights);
  });

  it('learning-rate schedule: linear warm-up to the peak, cosine decay to 10%', () => {
    expect(learningRate(0, 100, 1, 10)).to.be.closeTo(0.1, 1e-12);
    expect(learningRate(9, 100, 1, 10)).to.be.closeTo(1, 1e-12);
    expect(learningRate(10, 100, 1, 10)).to.be.closeTo(1, 1e-12);
    expect(learningRate(100, 100, 1, 10)).to.be.closeTo(0.1, 1e-12);
    expect(learningRate(55, 100, 1, 10)).to.be.closeTo(0.55, 1e-12);
  });

  it('pre-training is deterministic and learns a repetitive stream far below the unigram perplexity', async () => {
    const config = preset('gpt-tiny', { vocabSize: 12 }) as GptConfig;
    // A periodic stream 0 1 2 ... 9 with random noise tokens 10, 11 sprinkled in: a bigram-predictable sequence.
    const rng = new RandomStreams(5).stream('stream');
    const stream = Int32Array.from({ length: 3000 }, (_, i) => (rng.uniform() < 0.05 ? 10 + rng.int(2) : i % 10));
    const run = () => pretrainGpt({ config, trainTokens: stream.subarray(0, 2500), seqLen: 12, batchSize: 8, steps: 40, lr: 1e-2, warmupSteps: 5, seed: 9 });
    const a = await run();
    const b = await run();
    for (const k of Object.keys(a.weights)) {
      expect(bytes(a.weights[k]!).equals(bytes(b.weights[k]!)), k).to.equal(true);
    }
    const held = stream.subarray(2500);
    const ppl = gptPerplexity(config, a.weights, held, 12);
    const uni = unigramPerplexity(stream.subarray(0, 2500), held, 12, 12);
    expect(uni).to.be.greaterThan(9); // ~10 near-uniform symbols
    expect(ppl.perplexity).to.be.lessThan(uni / 3);
    disposeWeights(a.weights);
    disposeWeights(b.weights);
  });

  it('MLM batches: [CLS] first, ~15% masked, labels are the original tokens', () => {
    const stream = Int32Array.from({ length: 500 }, (_, i) => 6 + (i % 20));
    const rng = new RandomStreams(1).stream('m');
    const m = mlmBatch(stream, [0, 100, 200, 300], 50, 4, 1, 0.15, rng);
    expect(m.x[0]).to.equal(4);
    expect(m.x[50]).to.equal(4);
    expect(m.positions.length).to.be.within(10, 50); // 196 candidates, mean 29.4
    m.positions.forEach((p, i) => {
      expect(m.x[p]).to.equal(1);
      const b = Math.floor(p / 50), t = p % 50;
      expect(m.labels[i]).to.equal(stream[[0, 100, 200, 300][b]! + t - 1]);
    });
  });

  it('BERT masked-LM pre-training is deterministic and learns runs of repeated symbols far below the unigram perplexity', async () => {
    const config = preset('bert-tiny', { vocabSize: 12, maxPositions: 16, hidden: 32, intermediate: 64 }) as BertConfig;
    // Runs of 24 copies of a random symbol 0..9: a masked token is (almost always) any unmasked neighbour.
    const rr = new RandomStreams(2).stream('runs');
    const runs = Array.from({ length: 200 }, () => rr.int(10));
    const stream = Int32Array.from({ length: 3000 }, (_, i) => runs[Math.floor(i / 24)]!);
    const run = () => pretrainBert({ config, trainTokens: stream.subarray(0, 2500), seqLen: 12, batchSize: 16, steps: 100, lr: 1e-2, warmupSteps: 5, seed: 9, clsId: 10, maskId: 11 });
    const a = await run();
    const b = await run();
    for (const k of Object.keys(a.weights)) expect(bytes(a.weights[k]!).equals(bytes(b.weights[k]!)), k).to.equal(true);
    const e = bertMlmPerplexity(config, a.weights, stream.subarray(2500), stream.subarray(0, 2500), 12, 10, 11, 3, 40);
    expect(e.unigramPerplexity).to.be.greaterThan(8);
    expect(e.perplexity).to.be.lessThan(e.unigramPerplexity / 2);
    disposeWeights(a.weights);
    disposeWeights(b.weights);
  });

  it('the committed default checkpoint verifies and loads (if present)', function () {
    if (!existsSync(join(DEFAULT_CHECKPOINT_DIR, 'SHA256SUMS'))) this.skip();
    const cfg = readCheckpointConfig(DEFAULT_CHECKPOINT_DIR);
    expect(cfg.model.arch).to.equal('gpt');
    const ev = (cfg.metadata['evaluation'] as { heldOutPretrainGenres: { perplexity: number; unigramPerplexity: number } }).heldOutPretrainGenres;
    expect(ev.perplexity).to.be.lessThan(ev.unigramPerplexity);
    const m = loadCheckpoint();
    expect(Object.keys(m.weights).length).to.be.greaterThan(10);
    disposeWeights(m.weights);
  });
});
