/**
 * A scenario with `model.checkpoint: <Hugging Face folder>` and `data.dataset: local` trains end to
 * end (tiny GPT-2 on a text file, tiny BERT on GLUE-style pairs), and `validate` names missing paths.
 */
import { expect } from 'chai';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { parseScenario } from '../src/scenario/load.js';
import { resolveTraining } from '../src/scenario/resolve/train.js';
import { runTraining } from '../src/fl/prepare.js';
import { createAggregator } from '../src/fl/aggregators/index.js';
import { tempDir, writeBert, writeGpt2 } from './models.hf.fixtures.js';
import { UserInputError } from '../src/errors.js';
import { mkdirSync, readFileSync } from 'node:fs';
import { inventory } from '../src/lora/inventory.js';
import { readHfConfig } from '../src/models/hf/load.js';

const TEXT = ['the cat sat on the mat.', 'the dog ate the bone.', 'a bird is in the tree.', 'the sun is on the sea.', 'a tree is in the sun.', 'the sea is on the sand.']
  .map((s, i) => `${s} ${s} the ${'abcdefgh'[i]}.`).join('\n\n');

function scenario(model: string, data: Record<string, unknown>, lora: string): string {
  return `
name: hf-local
seed: 3
model: { checkpoint: ${JSON.stringify(model)} }
lora: { r: 2, lora_alpha: 8, target_modules: [${lora}], lora_dropout: 0 }
data: ${JSON.stringify({ dataset: 'local', test_fraction: 0.3, eval_per_client: 4, ...data })}
fl: { rounds: 4, clients: 2, selection: { fraction: 1 }, algorithm: fedavg, local_steps: 3, batch_size: 4, optimizer: adam, lr: 0.05, mode: batched }
aggregation: [ideal]
`;
}

describe('data.local: federated LoRA on a Hugging Face checkpoint and local files', function () {
  this.timeout(120_000);
  let prev: string;
  let root: string;
  before(async () => { prev = tf.getBackend(); await tf.setBackend('cpu'); root = tempDir('airlora-fl-'); });
  after(async () => { rmSync(root, { recursive: true, force: true }); if (prev) await tf.setBackend(prev); });

  function evalLosses(rows: Record<string, unknown>[]): number[] {
    return rows.filter((r) => typeof r['eval_loss'] === 'number').map((r) => r['eval_loss'] as number);
  }

  it('GPT-2 (LoRA on c_attn) on a .txt file: the held-out loss falls', async () => {
    const model = writeGpt2(join(root, 'gpt2'), { std: 0.1 });
    const txt = join(root, 'corpus.txt');
    writeFileSync(txt, TEXT);
    const s = parseScenario(scenario(model, { path: txt, seq_len: 8 }, 'c_attn'), 'test');
    const res = await runTraining(resolveTraining(s), createAggregator({ scheme: 'ideal', label: 'ideal', streams: undefined, options: {} }, { seed: 3 }));
    const losses = evalLosses(res.rows as Record<string, unknown>[]);
    expect(losses.length, JSON.stringify(res.rows[0])).to.be.greaterThan(1);
    expect(losses[losses.length - 1]!).to.be.lessThan(losses[0]!);
  });

  it('BERT (LoRA on query, value) on GLUE-style pairs with labels: trains, classifier head fresh', async () => {
    const model = writeBert(join(root, 'bert'), { task: 'mlm' });
    const tsv = join(root, 'train.tsv');
    const rows = Array.from({ length: 24 }, (_, i) => [i % 2 ? 'the movie was good' : 'the plot was dull', i % 3 ? 'it is fun' : 'awful acting', String(i % 2)]);
    writeFileSync(tsv, 'sentence1\tsentence2\tlabel\n' + rows.map((r) => r.join('\t')).join('\n') + '\n');
    const s = parseScenario(scenario(model, { path: tsv, seq_len: 12, partition: { kind: 'dirichlet', alpha: 100, min_per_client: 4 } }, 'query, value'), 'test');
    const res = await runTraining(resolveTraining(s), createAggregator({ scheme: 'ideal', label: 'ideal', streams: undefined, options: {} }, { seed: 3 }));
    const losses = evalLosses(res.rows as Record<string, unknown>[]);
    expect(losses.every((l) => Number.isFinite(l))).to.equal(true);
    expect(losses[losses.length - 1]!).to.be.lessThan(losses[0]!);
  });

  it('validate: missing model and data paths are named with what to do', () => {
    const bad = scenario(join(root, 'no-such-model'), { path: join(root, 'no-such.tsv'), seq_len: 8 }, 'c_attn');
    let err: unknown;
    try { parseScenario(bad, 'placeholder.yaml'); } catch (e) { err = e; }
    expect(err).to.be.instanceOf(UserInputError);
    const msg = (err as Error).message;
    expect(msg).to.match(/model\.checkpoint/);
    expect(msg).to.match(/model\.checkpoint: '.*no-such-model' is not allowed; expected an existing model folder or 'default' \(this path does not exist/);
    expect(msg).to.match(/data\.path/);
    expect(msg).to.match(/data\.path: '.*no-such\.tsv' is not allowed; expected an existing data file or folder \(this path does not exist/);
  });

  it('the shipped fl-sst2-bert and airfl-gpt2 scenarios validate once their paths exist; its LoRA inventory is 454,656 LoRA parameters on BERT-base', () => {
    // bert-base-uncased's config.json (no weights needed: inspect and validate read only the config)
    const bertBase = join(root, 'bert-base-uncased');
    mkdirSync(bertBase, { recursive: true });
    writeFileSync(join(bertBase, 'config.json'), JSON.stringify({
      architectures: ['BertForMaskedLM'], model_type: 'bert', vocab_size: 30522, hidden_size: 768, num_hidden_layers: 12, num_attention_heads: 12,
      intermediate_size: 3072, hidden_act: 'gelu', max_position_embeddings: 512, type_vocab_size: 2, layer_norm_eps: 1e-12, position_embedding_type: 'absolute',
    }));
    const sst2 = join(root, 'SST-2');
    mkdirSync(sst2, { recursive: true });
    writeFileSync(join(sst2, 'train.tsv'), 'sentence\tlabel\ngood \t1\n');
    const yaml = readFileSync('scenarios/fl-sst2-bert.yaml', 'utf8').replace('/path/to/bert-base-uncased', bertBase).replace('/path/to/glue/SST-2', sst2);
    expect(parseScenario(yaml, 'fl-sst2-bert.yaml').data!.dataset).to.equal('local');
    const sc = parseScenario(yaml, 'fl-sst2-bert.yaml');
    const inv = inventory(readHfConfig(sc.model!.checkpoint!).config, { ...sc.lora! });
    expect(inv.totals.lora).to.equal(454_656);
    expect(inv.totals.baseWithoutHead).to.equal(109_482_240); // bert-base-uncased
    const gpt2 = writeGpt2(join(root, 'gpt2-scn'));
    const txt = join(root, 'c.txt');
    writeFileSync(txt, TEXT);
    const g = readFileSync('scenarios/airfl-gpt2.yaml', 'utf8').replace('/path/to/gpt2', gpt2).replace('/path/to/corpus.txt', txt);
    expect(parseScenario(g, 'airfl-gpt2.yaml').lora!.target_modules).to.deep.equal(['c_attn']);
  });
});
