/**
 * Split federated LoRA on a Hugging Face BERT folder and local GLUE-style files: the device/server cut
 * gives the unsplit model's loss and gradients (sentence pairs with token types and padding), passes
 * that fit the wasm heap give the stacked update, and the shipped split-mrpc-bert.yaml runs unchanged
 * on a tiny random BERT + an MRPC-style folder the test writes: the held-out loss falls, and the PEFT
 * adapter it saves, applied by `airlora eval`, reproduces the run's own final test loss.
 */
import { expect } from 'chai';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../src/tf/index.js';
import { bertLogits, type BertConfig } from '../src/models/index.js';
import { loadHfModel } from '../src/models/hf/load.js';
import { HfTokenizer } from '../src/models/hf/tokenizer.js';
import { SafetensorsFile } from '../src/models/hf/safetensors.js';
import { evaluateFile, type ClassifierEvalResult } from '../src/models/hf/eval-file.js';
import { RandomStreams } from '../src/random/streams.js';
import { SplitLoraModel, splitLora } from '../src/split/model.js';
import { deviceEmbed, serverForward, deviceBackward, serverBackward, disposeDeviceGradients } from '../src/split/protocol.js';
import { splitStep, type SplitBatch } from '../src/split/trainer.js';
import { serverPassRows, activationBytesPerRow } from '../src/split/memory.js';
import { runSplit } from '../src/split/run.js';
import { loadTask } from '../src/split/tasks.js';
import { parseScenarioText, resolveScenario } from '../src/scenario/load.js';
import { resolveSplit } from '../src/scenario/resolve/split.js';
import { RunFolder } from '../src/results/run-folder.js';
import { UserInputError } from '../src/errors.js';
import { tempDir, writeBert, writeGpt2 } from './models.hf.fixtures.js';

function maxRelErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < a.length; i++) {
    num = Math.max(num, Math.abs(a[i]! - b[i]!));
    den = Math.max(den, Math.abs(b[i]!));
  }
  return num / Math.max(den, 1e-30);
}

const GOOD = ['the movie was very good .', 'it is a great film .', 'the acting is fun and good .', 'a great story .'];
const BAD = ['the movie was very bad .', 'it is an awful film .', 'the plot is dull and bad .', 'a dull story .'];
const NEUTRAL = ['it is the same story .', 'the film is a movie .', 'the plot and the acting .', 'it was not the same .'];

/** MRPC-style TSV rows: sentence1, sentence2, label (1 when the first sentence is a positive one). */
function rows(n: number, seed: number): string {
  const rng = new RandomStreams(seed).stream('rows');
  const out = ['sentence1\tsentence2\tlabel'];
  for (let i = 0; i < n; i++) {
    const y = rng.int(2);
    out.push(`${(y ? GOOD : BAD)[rng.int(4)]}\t${NEUTRAL[rng.int(4)]}\t${y}`);
  }
  return out.join('\n') + '\n';
}

/** Pair-encoded rows with padding (T tokens) for the protocol checks. */
function pairBatch(tok: HfTokenizer, T: number): SplitBatch {
  const pairs: [string, string][] = [[GOOD[0]!, NEUTRAL[1]!], [BAD[1]!, NEUTRAL[0]!], ['good', 'bad'], [GOOD[3]!, BAD[2]!], [BAD[3]!, 'it is'], ['a film', NEUTRAL[2]!]];
  const S = pairs.length;
  const tokens = new Int32Array(S * T).fill(tok.padId), segments = new Int32Array(S * T), mask = new Float32Array(S * T), labels = new Int32Array(S);
  pairs.forEach(([a, b], s) => {
    const e = tok.encodePair(a, b);
    const n = Math.min(T, e.ids.length);
    tokens.set(e.ids.slice(0, n), s * T);
    segments.set(e.typeIds.slice(0, n), s * T);
    mask.fill(1, s * T, s * T + n);
    labels[s] = s % 2;
  });
  return { size: S, seqLen: T, tokens, segments, mask, labels };
}

describe('split: a Hugging Face BERT folder and local GLUE-style data', function () {
  this.timeout(300_000);
  let root: string;
  before(async () => {
    await initBackend({ backend: 'wasm', quiet: true });
    root = tempDir('airlora-split-hf-');
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it('the split messages give the unsplit model\'s loss and every LoRA gradient on sentence pairs (token types, padding); at B = 0 the split logits are the checkpoint\'s own', () => {
    const dir = writeBert(join(root, 'bert-cls'), { std: 0.3 });
    const hf = loadHfModel(dir, { task: 'classifier', numLabels: 2 });
    const tok = HfTokenizer.fromFolder(dir);
    const b = pairBatch(tok, 20);
    const S = b.size, T = b.seqLen;
    const tokens = tf.tensor2d(b.tokens, [S, T], 'int32'), segments = tf.tensor2d(b.segments!, [S, T], 'int32');
    const mask = tf.tensor2d(b.mask!, [S, T]), labels = tf.tensor1d(b.labels!, 'int32');
    const m = new SplitLoraModel(hf, { lora: splitLora(8, 16), seed: 2 });
    // the adapters are PEFT's: q, k, v of both layers at the server, the pooler on the device
    expect(m.encoder.map((p) => p.module)).to.deep.equal([0, 1].flatMap((l) => ['query', 'key', 'value'].map((x) => `encoder.layer.${l}.attention.self.${x}`)));
    expect(m.pooler.module).to.equal('pooler.dense');

    // B = 0: the split forward is the checkpoint's classifier (the PyTorch-checked bertLogits of models.hf.test)
    const E0 = deviceEmbed(m, tokens, segments);
    const c0 = serverForward(m, E0, mask);
    const split0 = tf.tidy(() => m.linear('classifier', tf.tanh(m.linear('pooler.dense', c0))));
    const plain = bertLogits(hf.config as BertConfig, hf.weights, tokens, { mask, segments });
    expect(maxRelErr(split0.dataSync(), plain.dataSync())).to.be.lessThan(1e-5);
    // the token types matter here: dropping them changes the logits (so the check above can fail)
    const noTypes = bertLogits(hf.config as BertConfig, hf.weights, tokens, { mask });
    expect(maxRelErr(noTypes.dataSync(), plain.dataSync())).to.be.greaterThan(1e-3);

    const rng = new RandomStreams(9).stream('B');
    for (const v of [...m.serverVariables(), m.pooler.B]) {
      const vals = new Float32Array(v.size);
      for (let i = 0; i < vals.length; i++) vals[i] = 0.3 * rng.normal();
      v.assign(tf.tensor(vals, v.shape));
    }
    const ref = tf.variableGrads(() => tf.losses.softmaxCrossEntropy(tf.oneHot(labels, 2),
      bertLogits(hf.config as BertConfig, hf.weights, tokens, { mask, segments, linear: m.linear })) as tf.Scalar, m.allVariables());
    const E = deviceEmbed(m, tokens, segments);
    const c = serverForward(m, E, mask);
    const up = deviceBackward(m, c, labels);
    const grads = serverBackward(m, E, mask, c, up);
    expect(up.loss).to.be.closeTo(ref.value.dataSync()[0]!, 1e-5);
    for (const v of m.allVariables()) {
      expect(maxRelErr(grads[v.name]!.dataSync(), ref.grads[v.name]!.dataSync()), v.name).to.be.lessThan(2e-4);
      expect(Math.max(...Array.from(ref.grads[v.name]!.dataSync()).map(Math.abs)), v.name).to.be.greaterThan(1e-6);
    }
    disposeDeviceGradients(up);
    for (const t of [tokens, segments, mask, labels, E0, c0, split0, plain, noTypes, E, c, ref.value, ...Object.values(ref.grads), ...Object.values(grads)]) t.dispose();
    m.dispose();
    for (const t of Object.values(hf.weights)) t.dispose();
  });

  it('server passes of a few rows give the stacked batch\'s update (exact and u-only); BERT-base at 128 tokens needs them', () => {
    const dir = join(root, 'bert-cls');
    const tok = HfTokenizer.fromFolder(dir);
    const b = pairBatch(tok, 20);
    const after = (passRows: number, gradient: 'exact' | 'u-only') => {
      const hf = loadHfModel(dir, { task: 'classifier', numLabels: 2 });
      const m = new SplitLoraModel(hf, { lora: splitLora(4, 8), seed: 3 });
      const rng = new RandomStreams(4).stream('B');
      for (const v of [...m.serverVariables(), m.pooler.B]) v.assign(tf.tensor(Float32Array.from({ length: v.size }, () => 0.2 * rng.normal()), v.shape));
      const opt = tf.train.sgd(0.5);
      const step = splitStep(m, b, opt, gradient, passRows);
      const vals = m.allVariables().map((v) => Array.from(v.dataSync()));
      opt.dispose();
      m.dispose();
      for (const t of Object.values(hf.weights)) t.dispose();
      return { step, vals };
    };
    for (const gradient of ['exact', 'u-only'] as const) {
      const whole = after(Infinity, gradient);
      const passes = after(4, gradient); // 6 rows: passes of 4 and 2
      expect(passes.step.loss).to.be.closeTo(whole.step.loss, 1e-5);
      expect(passes.step.correct).to.equal(whole.step.correct);
      if (gradient === 'u-only') expect(passes.step.gradError!).to.be.closeTo(whole.step.gradError!, 1e-4 + 1e-3 * whole.step.gradError!);
      else expect(passes.step.gradError).to.equal(null);
      whole.vals.forEach((v, i) => expect(maxRelErr(passes.vals[i]!, v), `${gradient} variable ${i}`).to.be.lessThan(1e-4));
    }
    // the small presets run in one pass; BERT-base (d 768, 12 layers) at 128 tokens in passes of a few rows
    expect(serverPassRows({ hidden: 64, layers: 2, intermediate: 256, heads: 4 }, 32)).to.be.greaterThan(80);
    const base = { hidden: 768, layers: 12, intermediate: 3072, heads: 12 };
    expect(serverPassRows(base, 128)).to.equal(Math.floor(1.5 * 2 ** 30 / activationBytesPerRow(base, 128)));
    expect(serverPassRows(base, 128)).to.be.within(2, 16);
  });

  it('the shipped split-mrpc-bert.yaml names its placeholder paths, and runs unchanged on a tiny BERT folder and MRPC-style TSVs: loss falls, PEFT adapter reproduces the final test loss', async () => {
    const text = readFileSync('scenarios/split-mrpc-bert.yaml', 'utf8');
    let err: unknown;
    try { resolveScenario(parseScenarioText(text, 'split-mrpc-bert.yaml'), 'split-mrpc-bert.yaml'); } catch (e) { err = e; }
    expect(err).to.be.instanceOf(UserInputError);
    const msg = (err as Error).message;
    expect(msg).to.match(/model\.checkpoint: '\/path\/to\/bert-base-uncased' is not allowed; expected an existing model folder .*this path does not exist/);
    expect(msg).to.match(/split\.tasks.*path: '\/path\/to\/glue\/MRPC' is not allowed; expected an existing data file or folder \(this path does not exist/);

    // a BERT folder saved for sequence classification (so `airlora eval` takes it) and an MRPC-style folder
    const model = writeBert(join(root, 'bert-mrpc'), { std: 0.3, seed: 7 });
    const mrpc = join(root, 'MRPC');
    mkdirSync(mrpc, { recursive: true });
    const K = 4, perDevice = 6;
    writeFileSync(join(mrpc, 'train.tsv'), rows(96, 1));
    writeFileSync(join(mrpc, 'dev.tsv'), rows(K * perDevice, 2));
    const raw = parseScenarioText(text.replace('/path/to/bert-base-uncased', model).replace('/path/to/glue/MRPC', mrpc), 'split-mrpc-bert.yaml');
    // small sizes for a test; everything else is the shipped scenario's
    const sp = raw['split'] as Record<string, unknown>;
    Object.assign(sp, { devices: K, rounds: 10, trials: 1, batch_size: 6, lr: 0.03, eval_every: 3, delay_rounds: 0, schedulers: ['lyapunov', 'all-in'] });
    // every device's validation share whole: the pooled test set is dev.tsv
    Object.assign((sp['tasks'] as Record<string, unknown>[])[0]!, { seq_len: 16, eval_per_client: perDevice });
    const cfg = resolveSplit(resolveScenario(raw, 'split-mrpc-bert.yaml'));
    expect(cfg.model.checkpoint).to.equal(model);
    expect(cfg.lora).to.include({ r: 8, lora_alpha: 16 });
    const out = join(root, 'run');
    const folder = RunFolder.create({ out, name: 'split-mrpc-bert' });
    await runSplit(cfg, folder);

    const metrics = folder.readCsv('metrics.csv');
    const allIn = metrics.filter((r) => r['scheduler'] === 'all-in');
    expect(allIn).to.have.length(10);
    expect(allIn[0]!['task']).to.equal('local-MRPC');
    expect(String(allIn[0]!['encoder'])).to.match(/^pretrained/);
    const evals = allIn.filter((r) => r['test_loss'] !== '' && r['test_loss'] !== undefined);
    expect(evals.map((r) => Number(r['test_examples']))).to.deep.equal(evals.map(() => K * perDevice));
    const first = Number(evals[0]!['test_loss']), last = Number(evals.at(-1)!['test_loss']);
    expect(last, `test loss ${evals.map((r) => r['test_loss']).join(' → ')}`).to.be.lessThan(first);
    const trainLoss = allIn.map((r) => Number(r['train_loss']));
    expect(trainLoss.slice(-3).reduce((a, x) => a + x, 0) / 3).to.be.lessThan(trainLoss.slice(0, 3).reduce((a, x) => a + x, 0) / 3);

    // the adapter in PEFT's names: q, k, v of both layers and the pooler, [r, in] / [out, r], and the head
    const adapter = join(out, 'adapters', 'local-MRPC', 'all-in');
    const conf = JSON.parse(readFileSync(join(adapter, 'adapter_config.json'), 'utf8')) as Record<string, unknown>;
    expect(conf).to.include({ peft_type: 'LORA', r: 8, lora_alpha: 16, task_type: 'SEQ_CLS', base_model_name_or_path: model });
    expect(conf['target_modules']).to.have.members(['query', 'key', 'value', 'bert.pooler.dense']);
    const st = new SafetensorsFile(join(adapter, 'adapter_model.safetensors'));
    const names = [...st.entries.keys()];
    for (const l of [0, 1]) {
      for (const x of ['query', 'key', 'value']) {
        const k = `base_model.model.bert.encoder.layer.${l}.attention.self.${x}`;
        expect(st.entries.get(`${k}.lora_A.weight`)!.shape).to.deep.equal([8, 16]);
        expect(st.entries.get(`${k}.lora_B.weight`)!.shape).to.deep.equal([16, 8]);
      }
    }
    expect(st.entries.get('base_model.model.bert.pooler.dense.lora_A.weight')!.shape).to.deep.equal([8, 16]);
    expect(names).to.include.members(['base_model.model.classifier.weight', 'base_model.model.classifier.bias']);
    expect(names).to.have.length(2 * 7 + 2);
    // trained: B moved away from its zero start
    expect(Math.max(...Array.from(st.read('base_model.model.bert.encoder.layer.1.attention.self.value.lora_B.weight').data).map(Math.abs))).to.be.greaterThan(1e-4);

    // `airlora eval` with the adapter on dev.tsv = the run's own last evaluation of the same model
    const ev = await evaluateFile(model, { adapter, data: join(mrpc, 'dev.tsv'), seqLen: 16 }) as ClassifierEvalResult;
    expect(ev.examples).to.equal(K * perDevice);
    expect(ev.loss).to.be.closeTo(last, 1e-4 * last + 1e-6);
    expect(ev.accuracy).to.be.closeTo(Number(evals.at(-1)!['test_accuracy']), 1e-9);
  });

  it('local data without a checkpoint (airlora\'s BPE, pairs with token types), every test example once; a built-in task through a checkpoint\'s tokenizer', () => {
    const dir = join(root, 'glue-local');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'train.tsv'), rows(60, 3));
    writeFileSync(join(dir, 'dev.tsv'), rows(22, 4));
    const task = { name: 'local' as const, local: { path: dir, textFields: ['sentence1', 'sentence2'], labelField: 'label' }, partition: { kind: 'iid' as const }, testFraction: 0.2, seqLen: 24, evalPerClient: 100, vocabSize: 64 };
    const d = loadTask(task, 4, new RandomStreams(5));
    expect(d.classes).to.deep.equal(['0', '1']);
    // more asked than held: each device's dev share once (22 pairs dealt 6, 6, 5, 5), no repeats
    const evals = d.data.clients.map((c) => c.evalBatch());
    expect(evals.map((b) => b.size)).to.deep.equal([6, 6, 5, 5]);
    const keys = evals.flatMap((b) => Array.from({ length: b.size }, (_, i) => `${b.labels![i]}:${b.tokens.subarray(i * 24, (i + 1) * 24).join(',')}`));
    expect(d.pooledTrain.size).to.equal(60);
    const b = d.data.clients[0]!.sampleBatch(new RandomStreams(1).stream('b'), 3) as SplitBatch;
    // <cls> a <sep> b: the second sentence's tokens carry token type 1
    expect(b.tokens[0]).to.equal(4);
    expect(Array.from(b.segments!.subarray(0, 24))).to.include(1);
    expect(Math.max(...b.tokens)).to.be.lessThan(d.vocabSize);
    expect(keys).to.have.length(22);

    const tok = HfTokenizer.fromFolder(join(root, 'bert-cls'));
    const spam = loadTask({ name: 'spam', partition: { kind: 'iid' }, testFraction: 0.2, seqLen: 12, maxItems: 40, evalPerClient: 5, vocabSize: 512 }, 2, new RandomStreams(6), tok);
    expect(spam.vocabSize).to.equal(tok.vocabSize);
    const sb = spam.data.clients[1]!.sampleBatch(new RandomStreams(2).stream('b'), 2) as SplitBatch;
    expect(sb.tokens[0]).to.equal(tok.tokenToId('[CLS]'));
    expect(Array.from(sb.segments!)).to.satisfy((xs: number[]) => xs.every((x) => x === 0));
    expect(Math.max(...sb.tokens)).to.be.lessThan(tok.vocabSize);
  });

  it('refuses a checkpoint that is not a BERT, and preset sizes beside a checkpoint, naming the field', () => {
    const gpt = writeGpt2(join(root, 'gpt2'));
    const bert = join(root, 'bert-cls');
    const tryResolve = (model: Record<string, unknown>) => {
      try { resolveSplit(resolveScenario({ name: 'x', model, split: { devices: 2, tasks: [{ name: 'spam' }] } }, 'test')); } catch (e) { return e as Error; }
      return undefined;
    };
    const e1 = tryResolve({ checkpoint: gpt });
    expect(e1).to.be.instanceOf(UserInputError);
    expect(e1!.message).to.match(/model\.checkpoint: .* is a gpt2 model; split learning cuts a BERT/);
    const e2 = tryResolve({ checkpoint: bert, overrides: { layers: 1 } });
    expect(e2!.message).to.match(/model\.overrides: absent with model\.checkpoint/);
    expect(tryResolve({ checkpoint: bert })).to.equal(undefined);
  });
});
