/**
 * The memory estimate of a Hugging Face checkpoint and of tfjs's wasm heap: a BF16 / F16 checkpoint is
 * resident in F32 (4 bytes a parameter, from config.json) plus its files while loading, and a training
 * pass that cannot fit in the 4 GiB wasm heap (batched GPT-2-size clients) is refused before anything
 * is allocated, naming fl.mode and what fits; one client at a time (mode: loop) passes.
 */
import { expect } from 'chai';
import { mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { estimateMemory, checkMemory, estimateWasmHeap, WASM_HEAP_BYTES } from '../src/scenario/memory.js';
import { readHfConfig } from '../src/models/hf/load.js';
import { countParameters } from '../src/models/params.js';
import { UserInputError } from '../src/errors.js';
import { tempDir, writeGpt2 } from './models.hf.fixtures.js';

const GiB = 2 ** 30;

/** GPT-2 small's config.json (the estimate reads no weights). */
function gpt2SmallConfig(dir: string): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'config.json'), JSON.stringify({
    model_type: 'gpt2', architectures: ['GPT2LMHeadModel'], vocab_size: 50257, n_positions: 1024, n_embd: 768, n_layer: 12, n_head: 12,
    layer_norm_epsilon: 1e-5, activation_function: 'gelu_new',
  }));
  return dir;
}

/** bert-base-uncased's config.json. */
function bertBase(dir: string): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'config.json'), JSON.stringify({
    architectures: ['BertForMaskedLM'], model_type: 'bert', vocab_size: 30522, hidden_size: 768, num_hidden_layers: 12, num_attention_heads: 12,
    intermediate_size: 3072, hidden_act: 'gelu', max_position_embeddings: 512, type_vocab_size: 2, layer_norm_eps: 1e-12,
  }));
  return dir;
}

function flScenario(ck: string, fl: Record<string, unknown>): Record<string, unknown> {
  return {
    name: 'm', model: { checkpoint: ck }, lora: { r: 8, lora_alpha: 16, target_modules: ['c_attn'] },
    data: { dataset: 'local', path: '/unused', seq_len: 128 },
    fl: { rounds: 1, clients: 10, batch_size: 4, selection: { fraction: 1 }, ...fl },
  };
}

describe('memory estimate: Hugging Face checkpoints and the wasm heap', () => {
  let root: string;
  before(() => { root = tempDir('airlora-mem-'); });
  after(() => rmSync(root, { recursive: true, force: true }));

  it('a BF16 or F16 checkpoint is resident in F32 (4 bytes a parameter, from config.json); its files add their bytes while loading', () => {
    const f32 = writeGpt2(join(root, 'f32'));
    const params = countParameters(readHfConfig(f32).config);
    for (const dtype of ['F32', 'F16', 'BF16'] as const) {
      const dir = dtype === 'F32' ? f32 : writeGpt2(join(root, dtype.toLowerCase()), { dtype });
      const file = statSync(join(dir, 'model.safetensors')).size;
      const terms = estimateMemory(flScenario(dir, { mode: 'loop' })).terms;
      const base = terms.find((t) => t.what.startsWith('frozen base model'))!;
      const read = terms.find((t) => t.what.startsWith('checkpoint weight files'))!;
      // the old estimate took the file's bytes as F32 values: half the resident size of a 16-bit file
      expect(base.bytes, dtype).to.equal(4 * params);
      expect(read.bytes, dtype).to.equal(file);
      // (the tiny file's JSON header adds a little)
      expect(file / params, dtype).to.be.within(dtype === 'F32' ? 4 : 2, dtype === 'F32' ? 4.6 : 2.6);
    }
  });

  it('batched GPT-2-size clients overflow the 4 GiB wasm heap: refused naming fl.mode, how many fit and mode: loop; loop fits near the measured 3.40 GiB', () => {
    const ck = gpt2SmallConfig(join(root, 'gpt2-small'));
    let err: unknown;
    try { checkMemory(flScenario(ck, { mode: 'batched', clients: 2 }), 64 * GiB); } catch (e) { err = e; }
    expect(err).to.be.instanceOf(UserInputError);
    expect((err as UserInputError).field).to.equal('fl.mode');
    expect((err as Error).message).to.match(/^fl\.mode: batched trains 2 clients in one pass: about [\d.]+ GiB of tfjs's wasm heap .*more than its 4\.00 GiB.*; 1 client of 4 × 128 tokens fits; use mode: loop/);
    // ten clients one at a time: the heap holds one client's step (measured: 3.40 GiB high-water mark)
    const loop = flScenario(ck, { mode: 'loop' });
    expect(() => checkMemory(loop, 64 * GiB)).to.not.throw();
    const heap = estimateWasmHeap(loop)!;
    expect(heap.bytes).to.be.within(3.0 * GiB, WASM_HEAP_BYTES);
    expect(heap.bytes / GiB).to.be.closeTo(3.40, 0.35);
    // the measured 2 × 128 tokens (2.00 GiB) and V = 1024 (2.72 GiB) points of the calibration
    expect(estimateWasmHeap(flScenario(ck, { mode: 'loop', batch_size: 2 }))!.bytes / GiB).to.be.closeTo(2.0, 0.2);
    // a batch that does not fit even alone names fl.batch_size and how many sequences fit
    let e2: unknown;
    try { checkMemory(flScenario(ck, { mode: 'loop', batch_size: 16 }), 64 * GiB); } catch (e) { e2 = e; }
    expect((e2 as UserInputError).field).to.equal('fl.batch_size');
    expect((e2 as Error).message, (e2 as Error).message).to.match(/at most 4 sequences of 128 tokens fit/);
    // backend: cpu keeps tensors outside the wasm heap: no heap check
    expect(estimateWasmHeap({ ...flScenario(ck, { mode: 'batched', clients: 2 }), backend: 'cpu' })).to.equal(undefined);
  });

  it('a BERT-base classifier: 16 × 64 tokens a client overflow the heap (measured: out of bounds at 4 GiB, as 12 × 64 do), 8 × 64 fit (measured 2.93 GiB)', () => {
    const dir = bertBase(join(root, 'bert-base-fl'));
    // fl-sst2-bert's former settings (10 clients batched, 16 × 64 tokens each); it now ships mode: loop, batch_size: 8
    const s = (fl: Record<string, unknown>) => ({
      name: 'sst2', model: { checkpoint: dir }, lora: { r: 8, lora_alpha: 16, target_modules: ['query', 'key', 'value', 'pooler'] },
      data: { dataset: 'local', path: '/unused', seq_len: 64 }, fl: { rounds: 1, clients: 10, selection: { fraction: 1 }, batch_size: 16, mode: 'batched', ...fl },
    });
    let err: unknown;
    try { checkMemory(s({}), 64 * GiB); } catch (e) { err = e; }
    expect((err as UserInputError).field).to.equal('fl.batch_size');
    expect((err as Error).message).to.match(/10 clients batched.*at most 10 sequences of 64 tokens fit with mode: loop/);
    expect(() => checkMemory(s({ mode: 'loop', batch_size: 12 }), 64 * GiB)).to.throw(UserInputError, /^fl\.batch_size: 12 is too large/);
    expect(() => checkMemory(s({ mode: 'loop', batch_size: 8 }), 64 * GiB)).to.not.throw();
    expect(estimateWasmHeap(s({ mode: 'loop', batch_size: 8 }))!.bytes / GiB).to.be.closeTo(2.93, 0.2);
  });

  it('split on a BERT-base folder: the server passes fit the heap', () => {
    const dir = bertBase(join(root, 'bert-base'));
    const s = { name: 's', model: { checkpoint: dir }, split: { devices: 10, batch_size: 8, tasks: [{ dataset: 'local', path: '/unused', seq_len: 128 }] } };
    const heap = estimateWasmHeap(s)!;
    expect(heap.weightBytes).to.equal(4 * countParameters(readHfConfig(dir).config));
    expect(heap.tokens).to.equal(2 * 128);
    expect(() => checkMemory(s, 64 * GiB)).to.not.throw();
    // the machine estimate charges one pass too (a stacked round of 80 rows would be ~19 GiB)
    const act = estimateMemory(s).terms.find((t) => t.what.startsWith('activations'))!;
    expect(act.bytes).to.equal(heap.activationBytes);
    expect(estimateMemory(s).bytes).to.be.below(2 * GiB);
  });
});
