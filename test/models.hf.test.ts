/**
 * Hugging Face folders: tiny random checkpoints of every architecture, written by the test, loaded by
 * airlora and by an independent PyTorch implementation (test/reference/hf_forward.py); losses must
 * agree to 2e-4 relative and every logit to 2e-4·(1 + |logit|). Under CI=true a missing PyTorch fails
 * the suite; elsewhere these comparisons are skipped with a message.
 */
import { expect } from 'chai';
import { existsSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { loadHfModel, readHfConfig, MAX_PARAMETERS, type HfModel } from '../src/models/hf/load.js';
import { causalLmLogits } from '../src/models/hf/causal.js';
import { bertMlmLogits } from '../src/models/hf/bert-mlm.js';
import { bertLogits } from '../src/models/bert.js';
import { softmaxCrossEntropy } from '../src/models/loss.js';
import { disposeWeights, isCausalLm, type BertConfig } from '../src/models/index.js';
import { decode, floatToBf16, floatToHalf, halfToFloat, writeSafetensors } from '../src/models/hf/safetensors.js';
import { UserInputError } from '../src/errors.js';
import { runReference, tempDir, torchPython, writeBert, writeGpt2, writeLlama, type RefJob } from './models.hf.fixtures.js';

const REL = 2e-4;

/** airlora's loss and logits on the same input the reference gets. */
function airloraForward(m: HfModel, job: RefJob): { loss: number; logits: Float32Array } {
  return tf.tidy(() => {
    const ids = tf.tensor2d(job.input.ids, undefined, 'int32');
    const [S, T] = ids.shape;
    if (job.input.task === 'causal-lm') {
      if (!isCausalLm(m.config)) throw new Error('not causal');
      const logits = causalLmLogits(m.config, m.weights, ids);
      const V = logits.shape[1];
      const l3 = logits.reshape([S, T, V]);
      const pred = tf.slice(l3, [0, 0, 0], [S, T - 1, V]).reshape([S * (T - 1), V]) as tf.Tensor2D;
      const tgt = tf.slice(ids, [0, 1], [S, T - 1]).reshape([S * (T - 1)]) as tf.Tensor1D;
      return { loss: tf.mean(softmaxCrossEntropy(pred, tgt)).dataSync()[0]!, logits: logits.dataSync() as Float32Array };
    }
    const cfg = m.config as BertConfig;
    const mask = job.input.mask ? tf.tensor2d(job.input.mask) : undefined;
    const segments = job.input.segments ? tf.tensor2d(job.input.segments, undefined, 'int32') : undefined;
    if (job.input.task === 'sequence-classification') {
      const logits = bertLogits(cfg, m.weights, ids, { mask, segments });
      const loss = tf.mean(softmaxCrossEntropy(logits, tf.tensor1d(job.input.labels as number[], 'int32'))).dataSync()[0]!;
      return { loss, logits: logits.dataSync() as Float32Array };
    }
    const logits = bertMlmLogits(cfg, m.weights, ids, { mask, segments });
    const labels = (job.input.labels as number[][]).flat();
    const keep = labels.map((l, i) => (l >= 0 ? i : -1)).filter((i) => i >= 0);
    const ce = softmaxCrossEntropy(tf.gather(logits, keep) as tf.Tensor2D, tf.tensor1d(keep.map((i) => labels[i]!), 'int32'));
    return { loss: tf.mean(ce).dataSync()[0]!, logits: logits.dataSync() as Float32Array };
  });
}

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

function randomIds(S: number, T: number, V: number, seed: number): number[][] {
  const r = rng(seed);
  return Array.from({ length: S }, () => Array.from({ length: T }, () => Math.floor(r() * V)));
}

interface Case { name: string; dir: string; job: RefJob }

describe('models.hf: Hugging Face checkpoints vs an independent PyTorch implementation', function () {
  this.timeout(120_000);
  let prev: string;
  let root: string;
  const cases: Case[] = [];
  let refs: { loss: number; logits: number[] }[] = [];
  const haveTorch = torchPython() !== null;

  before(async function () {
    prev = tf.getBackend();
    await tf.setBackend('cpu');
    root = tempDir();
    const lm = (name: string, dir: string, seed: number) => cases.push({ name, dir, job: { dir, input: { task: 'causal-lm', ids: randomIds(2, 12, 48, seed) } } });
    lm('gpt2 (F32, transformer. prefix)', writeGpt2(join(root, 'gpt2')), 1);
    lm('gpt2 (BF16, no prefix, 3 shards, old attn.bias buffers)', writeGpt2(join(root, 'gpt2-bf16'), { dtype: 'BF16', noPrefix: true, shards: 3, oldMaskBuffers: true, seed: 2 }), 2);
    lm('llama (GQA 4:2, untied, rope_theta 5e5, llama3 rope scaling)', writeLlama(join(root, 'llama'), {
      kvHeads: 2, ropeTheta: 500000, ropeScaling: { rope_type: 'llama3', factor: 8, low_freq_factor: 1, high_freq_factor: 4, original_max_position_embeddings: 8 },
    }), 3);
    lm('llama (attention_bias, MHA, F16, tied)', writeLlama(join(root, 'llama-bias'), { attentionBias: true, tie: true, dtype: 'F16', seed: 4 }), 4);
    lm('qwen2 (q/k/v biases, GQA 4:1, tied)', writeLlama(join(root, 'qwen2'), { modelType: 'qwen2', kvHeads: 1, tie: true, ropeTheta: 1e6, seed: 5 }), 5);
    lm('mistral (GQA 4:2, untied, 2 shards)', writeLlama(join(root, 'mistral'), { modelType: 'mistral', kvHeads: 2, shards: 2, seed: 6 }), 6);
    const bert = writeBert(join(root, 'bert'), { numLabels: 3 });
    cases.push({
      name: 'bert sequence classification (3 labels, sentence pairs, padding)', dir: bert,
      job: {
        dir: bert,
        input: {
          task: 'sequence-classification', ids: [[2, 5, 6, 8, 10, 3, 15, 9, 12, 3], [2, 7, 9, 16, 13, 3, 0, 0, 0, 0], [2, 19, 8, 27, 3, 5, 29, 9, 28, 3]],
          mask: [[1, 1, 1, 1, 1, 1, 1, 1, 1, 1], [1, 1, 1, 1, 1, 1, 0, 0, 0, 0], [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]],
          segments: [[0, 0, 0, 0, 0, 0, 1, 1, 1, 1], [0, 0, 0, 0, 0, 0, 0, 0, 0, 0], [0, 0, 0, 0, 0, 1, 1, 1, 1, 1]], labels: [2, 0, 1],
        },
      },
    });
    const mlm = writeBert(join(root, 'bert-mlm'), { task: 'mlm', noPrefix: false, dtype: 'F16', seed: 7 });
    cases.push({
      name: 'bert masked LM (F16)', dir: mlm,
      job: { dir: mlm, input: { task: 'masked-lm', ids: [[2, 5, 4, 8, 10, 3], [2, 17, 11, 4, 4, 3]], labels: [[-100, -100, 6, -100, -100, -100], [-100, 20, -100, 13, 22, -100]] } },
    });
    if (haveTorch) refs = runReference(cases.map((c) => c.job));
  });

  after(async () => {
    if (root) rmSync(root, { recursive: true, force: true });
    if (prev) await tf.setBackend(prev);
  });

  it('PyTorch is available (python3-torch) — required under CI', function () {
    if (!haveTorch) {
      if (process.env['CI'] === 'true') expect.fail('python3 with torch not found (apt-get install python3-torch); the HF loader cross-check cannot run');
      console.log('      (skipped: no python3 with torch; apt-get install python3-torch to run the PyTorch cross-checks)');
      this.skip();
    }
  });

  for (let i = 0; i < 8; i++) {
    it(`case ${i}: airlora loss and logits equal PyTorch's to 2e-4`, function () {
      if (!haveTorch) this.skip();
      const c = cases[i]!;
      this.test!.title = `${c.name}: loss and logits equal PyTorch's to 2e-4`;
      const task = c.job.input.task === 'causal-lm' ? 'lm' : c.job.input.task === 'masked-lm' ? 'masked-lm' : 'classifier';
      const m = loadHfModel(c.dir, { task });
      const ours = airloraForward(m, c.job);
      const ref = refs[i]!;
      expect(ours.logits.length).to.equal(ref.logits.length);
      let worst = 0, spread = 0;
      for (let j = 0; j < ref.logits.length; j++) {
        worst = Math.max(worst, Math.abs(ours.logits[j]! - ref.logits[j]!) / (1 + Math.abs(ref.logits[j]!)));
        spread = Math.max(spread, Math.abs(ref.logits[j]!));
      }
      // The random models must be far from trivial (logits of order 1), or agreement would prove little.
      expect(spread).to.be.greaterThan(0.5);
      expect(worst, 'max |Δlogit|/(1+|logit|)').to.be.lessThan(REL);
      expect(Math.abs(ours.loss - ref.loss) / ref.loss, `loss ${ours.loss} vs ${ref.loss}`).to.be.lessThan(REL);
      console.log(`      loss ${ours.loss.toFixed(6)} vs torch ${ref.loss.toFixed(6)} (rel ${(Math.abs(ours.loss - ref.loss) / ref.loss).toExponential(1)}), max logit err ${worst.toExponential(1)}`);
      disposeWeights(m.weights);
    });
  }
});

describe('models.hf: safetensors, config and error handling', () => {
  let root: string;
  before(() => { root = tempDir(); });
  after(() => rmSync(root, { recursive: true, force: true }));

  it('decodes F16 and BF16 exactly (normals, subnormals, signs, rounding to nearest even)', () => {
    // Exactly representable in both: round trips are exact.
    const exact = [0, -0, 1, -2.5, 0.15625, 1024, -96, 2 ** -14, 3.140625];
    for (const dtype of ['F16', 'BF16'] as const) {
      const p = join(root, `x-${dtype}.safetensors`);
      writeSafetensors(p, [{ name: 'x', shape: [exact.length], data: Float32Array.from(exact) }], { dtype });
      const raw = readFileSync(p);
      const n = Number(raw.readBigUInt64LE(0));
      const vals = decode(raw.subarray(8 + n), dtype, exact.length);
      expect(Array.from(vals)).to.deep.equal(exact.map((v) => Math.fround(v)));
    }
    // Hand-checked bit patterns.
    expect(halfToFloat(0x3c00)).to.equal(1);
    expect(halfToFloat(0xc000)).to.equal(-2);
    expect(halfToFloat(0x7bff)).to.equal(65504);
    expect(halfToFloat(0x0001)).to.equal(2 ** -24); // smallest subnormal
    expect(halfToFloat(0x3555)).to.be.closeTo(0.33325195, 1e-8);
    expect(floatToHalf(0.1)).to.equal(0x2e66);
    expect(floatToBf16(1)).to.equal(0x3f80);
    expect(floatToBf16(0.1)).to.equal(0x3dcd);
    const bf = new Uint8Array([0xcd, 0x3d, 0x80, 0xbf]); // 0x3dcd, 0xbf80 little-endian
    const d = decode(bf, 'BF16', 2);
    expect(d[0]).to.be.closeTo(0.10009765625, 1e-12);
    expect(d[1]).to.equal(-1);
  });

  it('a sharded checkpoint loads the same tensors as the single file', () => {
    const a = loadHfModel(writeGpt2(join(root, 'one'), { seed: 9 }));
    const b = loadHfModel(writeGpt2(join(root, 'three'), { seed: 9, shards: 3 }));
    expect(existsSync(join(root, 'three', 'model-00002-of-00003.safetensors'))).to.equal(true);
    expect(Object.keys(b.weights).sort()).to.deep.equal(Object.keys(a.weights).sort());
    for (const k of Object.keys(a.weights)) expect(Array.from(b.weights[k]!.dataSync())).to.deep.equal(Array.from(a.weights[k]!.dataSync()));
    disposeWeights(a.weights); disposeWeights(b.weights);
  });

  it('a missing tensor names the file and the key', () => {
    const dir = writeLlama(join(root, 'missing'), { omit: ['model.layers.1.mlp.up_proj.weight'] });
    expect(() => loadHfModel(dir)).to.throw(UserInputError, /model\.safetensors: missing tensor 'model\.layers\.1\.mlp\.up_proj\.weight'/);
    const sharded = writeLlama(join(root, 'missing-shard'), { shards: 2 });
    const index = join(sharded, 'model.safetensors.index.json');
    const j = JSON.parse(readFileSync(index, 'utf8')) as { weight_map: Record<string, string> };
    delete j.weight_map['model.norm.weight'];
    writeFileSync(index, JSON.stringify(j));
    expect(() => loadHfModel(sharded)).to.throw(UserInputError, /model\.safetensors\.index\.json: missing tensor 'model\.norm\.weight'/);
  });

  it('an unknown model_type names config.json, the type and the supported ones', () => {
    const dir = writeGpt2(join(root, 't5'));
    const cfg = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as Record<string, unknown>;
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ ...cfg, model_type: 't5' }));
    expect(() => loadHfModel(dir)).to.throw(UserInputError, /config\.json: model_type 't5' is not supported; supported: gpt2, llama, qwen2, mistral, bert/);
  });

  it('refuses a model above ~350M parameters from config.json alone, before reading weights', () => {
    const dir = join(root, 'big');
    writeGpt2(dir);
    unlinkSync(join(dir, 'model.safetensors')); // nothing to read: the refusal must come first
    const cfg = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as Record<string, unknown>;
    // gpt2-medium: 355M parameters with the 50,257-token vocabulary.
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ ...cfg, vocab_size: 50257, n_positions: 1024, n_embd: 1024, n_layer: 24, n_head: 16, n_inner: null }));
    expect(() => loadHfModel(dir)).to.throw(UserInputError, /354\.8M parameters; airlora's tfjs engine holds at most 350M/);
    // gpt2 (small) passes the size check: 124.4M parameters.
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ ...cfg, vocab_size: 50257, n_positions: 1024, n_embd: 768, n_layer: 12, n_head: 12, n_inner: null }));
    expect(readHfConfig(dir).config.arch).to.equal('gpt2');
    expect(MAX_PARAMETERS).to.equal(350_000_000);
  });

  it('a fresh classification head is initialised for a BERT saved without one (e.g. bert-base for SST-2)', () => {
    const dir = writeBert(join(root, 'mlm-as-cls'), { task: 'mlm' });
    const m = loadHfModel(dir, { task: 'classifier', numLabels: 2, seed: 3 });
    expect(m.initialized).to.deep.equal(['classifier.kernel', 'classifier.bias']);
    expect(m.weights['classifier.kernel']!.shape).to.deep.equal([16, 2]);
    disposeWeights(m.weights);
  });
});
