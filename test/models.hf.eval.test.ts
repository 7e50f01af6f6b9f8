/**
 * `airlora eval` and PEFT adapters on tiny Hugging Face checkpoints, checked against the PyTorch
 * reference (test/reference/hf_forward.py, which merges the PEFT adapter into the weights as PEFT does:
 * W += (α/r)·B·A, transposed for GPT-2's Conv1D under fan_in_fan_out).
 */
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { loadHfModel } from '../src/models/hf/load.js';
import { HfTokenizer } from '../src/models/hf/tokenizer.js';
import { classifierExamples, evaluateFile, lmChunks, type ClassifierEvalResult, type LmEvalResult } from '../src/models/hf/eval-file.js';
import { createLoraModel } from '../src/lora/batched.js';
import { clientFactors, readPeftAdapter, writeModelAdapter, writePeftAdapter } from '../src/lora/peft.js';
import { SafetensorsFile } from '../src/models/hf/safetensors.js';
import { disposeWeights } from '../src/models/index.js';
import { UserInputError } from '../src/errors.js';
import { runReference, tempDir, torchPython, writeBert, writeGpt2, writeLlama } from './models.hf.fixtures.js';

const REL = 2e-4;
const TEXT = 'the cat sat on the mat. the dog ate the bone. a bird is in the tree and the sun is on the sea. '.repeat(3);

describe('models.hf: airlora eval and PEFT adapters', function () {
  this.timeout(120_000);
  let prev: string;
  let root: string;
  const haveTorch = torchPython() !== null;
  before(async () => { prev = tf.getBackend(); await tf.setBackend('cpu'); root = tempDir(); });
  after(async () => { rmSync(root, { recursive: true, force: true }); if (prev) await tf.setBackend(prev); });

  it('tokenises with the checkpoint tokenizer.json (byte-level BPE merges; WordPiece with [CLS]/[SEP] and segments)', () => {
    const g = HfTokenizer.fromFolder(writeGpt2(join(root, 'tok-gpt2')));
    const ids = g.encode('the the');
    // 'the' has no leading space: t, he; ' the' merges to one token 'Ġthe'.
    expect(ids.map((i) => g.decode([i]))).to.deep.equal(['t', 'he', ' the']);
    expect(g.decode(g.encode(TEXT))).to.equal(TEXT);
    const b = HfTokenizer.fromFolder(writeBert(join(root, 'tok-bert')));
    const e = b.encodePair('The movie was good.', 'It is fun');
    expect(e.ids).to.deep.equal([2, 5, 6, 8, 10, 20, 3, 15, 9, 26, 3]);
    expect(e.typeIds).to.deep.equal([0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1]);
  });

  it('PEFT round trip: names and shapes as PEFT writes them, identical tensors read back', () => {
    const dir = writeGpt2(join(root, 'peft-gpt2'));
    const m = loadHfModel(dir);
    const lora = createLoraModel(m, { r: 2, lora_alpha: 4, target_modules: ['c_attn'], lora_dropout: 0, init_lora_weights: false }, 2, 5);
    const out = join(root, 'adapter-gpt2');
    const factors = clientFactors(lora, 1);
    writePeftAdapter(out, { lora: lora.lora, model: m.config, factors, baseModel: dir });
    const cfg = JSON.parse(readFileSync(join(out, 'adapter_config.json'), 'utf8')) as Record<string, unknown>;
    expect(cfg).to.include({ peft_type: 'LORA', r: 2, lora_alpha: 4, fan_in_fan_out: true, task_type: 'CAUSAL_LM', bias: 'none' });
    expect(cfg['target_modules']).to.deep.equal(['c_attn']);
    const f = new SafetensorsFile(join(out, 'adapter_model.safetensors'));
    expect([...f.entries.keys()].sort()).to.deep.equal([
      'base_model.model.transformer.h.0.attn.c_attn.lora_A.weight', 'base_model.model.transformer.h.0.attn.c_attn.lora_B.weight',
      'base_model.model.transformer.h.1.attn.c_attn.lora_A.weight', 'base_model.model.transformer.h.1.attn.c_attn.lora_B.weight',
    ]);
    expect(f.entries.get('base_model.model.transformer.h.0.attn.c_attn.lora_A.weight')!.shape).to.deep.equal([2, 16]); // [r, in]
    expect(f.entries.get('base_model.model.transformer.h.0.attn.c_attn.lora_B.weight')!.shape).to.deep.equal([48, 2]); // [out, r]
    // lora_A.weight is Aᵀ: entry [j, i] = A[i, j].
    const a = f.read('base_model.model.transformer.h.0.attn.c_attn.lora_A.weight').data;
    expect(a[1 * 16 + 3]).to.equal(factors[0]!.A[3 * 2 + 1]);
    const back = readPeftAdapter(out);
    expect(back.fanInFanOut).to.equal(true);
    for (const fa of factors) {
      const g = back.modules.get(fa.module)!;
      expect(Array.from(g.A)).to.deep.equal(Array.from(fa.A));
      expect(Array.from(g.B)).to.deep.equal(Array.from(fa.B));
    }
    lora.dispose();
    disposeWeights(m.weights);
    // A classifier's adapter carries its (possibly freshly drawn) head as modules_to_save.
    const b = loadHfModel(writeBert(join(root, 'peft-bert'), { task: 'mlm' }), { task: 'classifier', numLabels: 2, seed: 4 });
    const bl = createLoraModel(b, { r: 2, lora_alpha: 4, target_modules: ['query', 'value', 'pooler'], lora_dropout: 0 }, 1, 5);
    writeModelAdapter(join(root, 'adapter-bert-head'), bl, { baseModel: 'bert-base-uncased' });
    const rb = readPeftAdapter(join(root, 'adapter-bert-head'));
    expect(rb.config).to.include({ task_type: 'SEQ_CLS', fan_in_fan_out: false, base_model_name_or_path: 'bert-base-uncased' });
    expect(rb.config['modules_to_save']).to.deep.equal(['classifier']);
    // PEFT matches target_modules by suffix: 'pooler' (airlora's prefix rule) is written as the full path.
    expect(rb.config['target_modules']).to.deep.equal(['query', 'value', 'bert.pooler.dense']);
    expect([...rb.modules.keys()]).to.include.members(['bert.encoder.layer.0.attention.self.query', 'bert.pooler.dense']);
    const head = rb.extra.get('classifier.weight')!;
    expect(head.shape).to.deep.equal([2, 16]);
    const k = b.weights['classifier.kernel']!.dataSync(); // [in 16, out 2]
    expect(head.data[1 * 16 + 5]).to.equal(k[5 * 2 + 1]);
    bl.dispose();
    disposeWeights(b.weights);
  });

  it('causal-LM eval (GPT-2 + PEFT adapter on c_attn, Llama without): loss, perplexity, tokens equal PyTorch', async function () {
    if (!haveTorch) {
      if (process.env['CI'] === 'true') expect.fail('python3 with torch not found (apt-get install python3-torch)');
      this.skip();
    }
    const data = join(root, 'text.txt');
    writeFileSync(data, TEXT);
    const gdir = writeGpt2(join(root, 'eval-gpt2'), { seed: 11 });
    const m = loadHfModel(gdir);
    const lora = createLoraModel(m, { r: 4, lora_alpha: 8, target_modules: ['c_attn', 'c_fc'], lora_dropout: 0, init_lora_weights: false }, 1, 8);
    const adapter = join(root, 'adapter-eval');
    writePeftAdapter(adapter, { lora: lora.lora, model: m.config, factors: clientFactors(lora, 0) });
    lora.dispose();
    disposeWeights(m.weights);
    const ldir = writeLlama(join(root, 'eval-llama'), { kvHeads: 2, seed: 12 });
    const seqLen = 10;
    const cases: [string, string | undefined][] = [[gdir, adapter], [gdir, undefined], [ldir, undefined]];
    const results: LmEvalResult[] = [];
    const jobs = [];
    for (const [dir, ad] of cases) {
      results.push(await evaluateFile(dir, { data, seqLen, ...(ad ? { adapter: ad } : {}) }) as LmEvalResult);
      const chunks = lmChunks(HfTokenizer.fromFolder(dir).encode(TEXT), seqLen);
      const full = chunks.filter((c) => c.length === seqLen), last = chunks.filter((c) => c.length !== seqLen);
      jobs.push({ dir, input: { task: 'causal-lm' as const, ids: full, ...(ad ? { adapter: ad } : {}) } });
      jobs.push(last.length ? { dir, input: { task: 'causal-lm' as const, ids: last, ...(ad ? { adapter: ad } : {}) } } : jobs[jobs.length - 1]!);
      const n = chunks.reduce((s, c) => s + c.length - 1, 0);
      expect(results[results.length - 1]!.tokens).to.equal(n);
    }
    const refs = runReference(jobs);
    cases.forEach(([dir], i) => {
      const chunks = lmChunks(HfTokenizer.fromFolder(dir).encode(TEXT), seqLen);
      const nFull = chunks.filter((c) => c.length === seqLen).length * (seqLen - 1);
      const nLast = chunks.filter((c) => c.length !== seqLen).reduce((s, c) => s + c.length - 1, 0);
      const ref = (refs[2 * i]!.loss * nFull + (nLast ? refs[2 * i + 1]!.loss * nLast : 0)) / (nFull + nLast);
      const r = results[i]!;
      expect(Math.abs(r.loss - ref) / ref, `${dir}: ${r.loss} vs ${ref}`).to.be.lessThan(REL);
      expect(r.perplexity).to.be.closeTo(Math.exp(r.loss), 1e-9 * r.perplexity);
      console.log(`      ${i === 0 ? 'gpt2+adapter' : i === 1 ? 'gpt2' : 'llama'}: loss ${r.loss.toFixed(6)} vs torch ${ref.toFixed(6)}, ${r.tokens} tokens`);
    });
    // The adapter matters: with and without it the losses differ.
    expect(Math.abs(results[0]!.loss - results[1]!.loss)).to.be.greaterThan(1e-3);
  });

  it('classifier eval (BERT, GLUE TSV pairs, adapter on query/value + saved classifier head): loss, accuracy, f1 equal PyTorch', async function () {
    if (!haveTorch) {
      if (process.env['CI'] === 'true') expect.fail('python3 with torch not found (apt-get install python3-torch)');
      this.skip();
    }
    const dir = writeBert(join(root, 'eval-bert'), { seed: 13 });
    const tsv = join(root, 'dev.tsv');
    const rows = [
      ['The movie was good.', 'It is fun', 1], ['the plot was dull', 'the acting was awful', 0], ['a great film', 'very good', 1],
      ['not good', 'it was bad', 0], ['the same story', 'a dull plot', 0], ['fun and great', 'the movie is good', 1],
      ['awful acting', 'not fun', 0], ['very very good', 'great', 1],
    ];
    writeFileSync(tsv, 'sentence1\tsentence2\tlabel\n' + rows.map((r) => r.join('\t')).join('\n') + '\n');
    const m = loadHfModel(dir);
    const lora = createLoraModel(m, { r: 2, lora_alpha: 16, target_modules: ['query', 'value'], lora_dropout: 0, init_lora_weights: false }, 1, 3);
    const adapter = join(root, 'adapter-bert');
    const head = { module: 'classifier', kernel: { in: 16, out: 2, data: Float32Array.from({ length: 32 }, (_, i) => Math.sin(i)) }, bias: Float32Array.from([0.3, -0.2]) };
    writePeftAdapter(adapter, { lora: lora.lora, model: m.config, factors: clientFactors(lora, 0), modulesToSave: [head] });
    const keys = [...new SafetensorsFile(join(adapter, 'adapter_model.safetensors')).entries.keys()];
    expect(keys).to.include('base_model.model.bert.encoder.layer.1.attention.self.value.lora_B.weight');
    expect(keys).to.include('base_model.model.classifier.weight');
    lora.dispose();
    const r = await evaluateFile(dir, { data: tsv, adapter, seqLen: 12 }) as ClassifierEvalResult;
    expect(r.examples).to.equal(8);
    const ex = await classifierExamples(tsv, m.hfTokenizer!, 2);
    disposeWeights(m.weights);
    const T = Math.min(12, Math.max(...ex.map((e) => e.ids.length)));
    const pad = (a: number[]) => [...a.slice(0, T), ...Array<number>(Math.max(0, T - a.length)).fill(0)];
    const [ref] = runReference([{ dir, input: {
      task: 'sequence-classification', ids: ex.map((e) => pad(e.ids)), segments: ex.map((e) => pad(e.typeIds)),
      mask: ex.map((e) => pad(e.ids.map(() => 1))), labels: ex.map((e) => e.label), adapter,
    } }]);
    expect(Math.abs(r.loss - ref!.loss) / ref!.loss, `${r.loss} vs ${ref!.loss}`).to.be.lessThan(REL);
    // accuracy and F1 from the reference's logits
    let correct = 0, tp = 0, fp = 0, fn = 0;
    ex.forEach((e, i) => {
      const p = ref!.logits[2 * i + 1]! > ref!.logits[2 * i]! ? 1 : 0;
      if (p === e.label) correct++;
      if (p === 1 && e.label === 1) tp++; else if (p === 1) fp++; else if (e.label === 1) fn++;
    });
    expect(r.accuracy).to.equal(correct / 8);
    expect(r.f1).to.be.closeTo((2 * tp) / (2 * tp + fp + fn || 1), 1e-12);
    console.log(`      bert+adapter: loss ${r.loss.toFixed(6)} vs torch ${ref!.loss.toFixed(6)}, accuracy ${r.accuracy}, f1 ${r.f1!.toFixed(3)}`);
  });

  it('the CLI prints exactly loss, perplexity, tokens (--json); a missing --data file or a too long --seq-len is a UserInputError', async () => {
    const dir = writeGpt2(join(root, 'cli-gpt2'));
    const data = join(root, 'cli.jsonl');
    writeFileSync(data, JSON.stringify({ text: 'the cat sat on the mat.' }) + '\n' + JSON.stringify({ text: 'the sun is on the sea.' }) + '\n');
    const ok = spawnSync('npx', ['tsx', 'src/cli/dev.ts', 'eval', dir, '--data', data, '--seq-len', '8', '--json', '--backend', 'cpu'], { encoding: 'utf8' });
    expect(ok.status, ok.stderr).to.equal(0);
    const j = JSON.parse(ok.stdout.trim().split('\n').pop()!) as Record<string, number>;
    expect(Object.keys(j)).to.deep.equal(['loss', 'perplexity', 'tokens']);
    expect(j['tokens']).to.be.greaterThan(10);
    // (The CLI maps UserInputError to exit 2 without a stack trace; tested for every command in cli tests.)
    let err: unknown;
    try { await evaluateFile(dir, { data: join(root, 'nope.txt') }); } catch (e) { err = e; }
    expect(err).to.be.instanceOf(UserInputError);
    expect((err as Error).message).to.match(/--data: .*nope\.txt does not exist/);
    try { await evaluateFile(dir, { data, seqLen: 4096 }); } catch (e) { err = e; }
    expect((err as Error).message).to.match(/--seq-len: 4096 must be an integer in \[2, 32\]/);
  });
});
