/**
 * Tiny random Hugging Face model folders for the loader tests: config.json, safetensors (F32 / F16 /
 * BF16, single or sharded, with or without the model-class prefix), tokenizer.json +
 * tokenizer_config.json, and the PyTorch reference runner (test/reference/hf_forward.py).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RandomStreams } from '../src/random/streams.js';
import { writeSafetensors, type SafeDtype, type TensorToWrite } from '../src/models/hf/safetensors.js';

const HERE = dirname(fileURLToPath(import.meta.url));
export const REFERENCE = resolve(HERE, 'reference/hf_forward.py');

export function tempDir(prefix = 'airlora-hf-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

type Spec = [string, number[], 'w' | 'norm' | 'bias'];

function fill(specs: Spec[], seed: number, std: number): TensorToWrite[] {
  const streams = new RandomStreams(seed);
  return specs.map(([name, shape, kind]) => {
    const rng = streams.stream('fixture', name);
    const n = shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(n);
    for (let i = 0; i < n; i++) data[i] = kind === 'norm' ? 1 + 0.2 * rng.normal() : kind === 'bias' ? 0.1 * rng.normal() : std * rng.normal();
    return { name, shape, data };
  });
}

export interface FixtureOptions {
  dtype?: SafeDtype;
  /** Split the tensors over this many shard files with an index. */
  shards?: number;
  seed?: number;
  std?: number;
  /** Drop the model-class prefix (`transformer.`, `model.`, `bert.`) from the keys. */
  noPrefix?: boolean;
  /** Keys to leave out (to test the missing-tensor error). */
  omit?: string[];
}

function writeModel(dir: string, config: Record<string, unknown>, specs: Spec[], o: FixtureOptions): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'config.json'), JSON.stringify(config, null, 2));
  const tensors = fill(specs, o.seed ?? 1, o.std ?? 0.3).filter((t) => !(o.omit ?? []).includes(t.name));
  const shards = o.shards ?? 1;
  if (shards === 1) {
    writeSafetensors(join(dir, 'model.safetensors'), tensors, { dtype: o.dtype, metadata: { format: 'pt' } });
    return;
  }
  const weightMap: Record<string, string> = {};
  for (let s = 0; s < shards; s++) {
    const file = `model-${String(s + 1).padStart(5, '0')}-of-${String(shards).padStart(5, '0')}.safetensors`;
    const part = tensors.filter((_, i) => i % shards === s);
    for (const t of part) weightMap[t.name] = file;
    writeSafetensors(join(dir, file), part, { dtype: o.dtype });
  }
  writeFileSync(join(dir, 'model.safetensors.index.json'), JSON.stringify({ metadata: { total_size: 0 }, weight_map: weightMap }));
}

// ---- tokenizers ---------------------------------------------------------------------------------

/** GPT-2 byte-level BPE over the letters a–z, space and '.', with a few merges. id 0 = <|endoftext|>. */
export function byteLevelTokenizer(): { json: Record<string, unknown>; config: Record<string, unknown>; size: number } {
  const vocab: Record<string, number> = { '<|endoftext|>': 0 };
  const add = (t: string) => { if (!(t in vocab)) vocab[t] = Object.keys(vocab).length; };
  for (const c of 'abcdefghijklmnopqrstuvwxyz.') add(c);
  add('Ġ');
  const merges = ['Ġ t', 'h e', 'Ġt he', 'Ġ a', 'i n', 'Ġ s', 'e r', 'o n'];
  for (const m of merges) add(m.replace(' ', ''));
  return {
    json: {
      version: '1.0', truncation: null, padding: null,
      added_tokens: [{ id: 0, content: '<|endoftext|>', single_word: false, lstrip: false, rstrip: false, normalized: false, special: true }],
      normalizer: null,
      pre_tokenizer: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true },
      post_processor: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: false, use_regex: true },
      decoder: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true },
      model: { type: 'BPE', dropout: null, unk_token: null, continuing_subword_prefix: '', end_of_word_suffix: '', fuse_unk: false, byte_fallback: false, vocab, merges },
    },
    config: { eos_token: '<|endoftext|>', bos_token: '<|endoftext|>', unk_token: '<|endoftext|>', model_max_length: 1024 },
    size: Object.keys(vocab).length,
  };
}

/** BERT WordPiece (lower-cased) with [CLS] A [SEP] (B [SEP]) and segment ids. */
export function wordPieceTokenizer(): { json: Record<string, unknown>; config: Record<string, unknown>; size: number } {
  const words = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]', 'the', 'movie', 'film', 'was', 'is', 'good', 'bad', 'great', 'awful',
    'a', 'it', 'not', 'very', 'plot', 'acting', '.', ',', '##s', '##ly', 'and', 'but', 'fun', 'dull', 'same', 'story'];
  const vocab = Object.fromEntries(words.map((w, i) => [w, i]));
  const special = (id: number, content: string) => ({ id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true });
  return {
    json: {
      version: '1.0', truncation: null, padding: null,
      added_tokens: [special(0, '[PAD]'), special(1, '[UNK]'), special(2, '[CLS]'), special(3, '[SEP]'), special(4, '[MASK]')],
      normalizer: { type: 'BertNormalizer', clean_text: true, handle_chinese_chars: true, strip_accents: null, lowercase: true },
      pre_tokenizer: { type: 'BertPreTokenizer' },
      post_processor: {
        type: 'TemplateProcessing',
        single: [{ SpecialToken: { id: '[CLS]', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: '[SEP]', type_id: 0 } }],
        pair: [{ SpecialToken: { id: '[CLS]', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: '[SEP]', type_id: 0 } },
          { Sequence: { id: 'B', type_id: 1 } }, { SpecialToken: { id: '[SEP]', type_id: 1 } }],
        special_tokens: { '[CLS]': { id: '[CLS]', ids: [2], tokens: ['[CLS]'] }, '[SEP]': { id: '[SEP]', ids: [3], tokens: ['[SEP]'] } },
      },
      decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
      model: { type: 'WordPiece', unk_token: '[UNK]', continuing_subword_prefix: '##', max_input_chars_per_word: 100, vocab },
    },
    config: { do_lower_case: true, pad_token: '[PAD]', cls_token: '[CLS]', sep_token: '[SEP]', unk_token: '[UNK]', mask_token: '[MASK]', model_max_length: 512 },
    size: words.length,
  };
}

function writeTokenizer(dir: string, t: { json: Record<string, unknown>; config: Record<string, unknown> }): void {
  writeFileSync(join(dir, 'tokenizer.json'), JSON.stringify(t.json));
  writeFileSync(join(dir, 'tokenizer_config.json'), JSON.stringify(t.config));
}

// ---- architectures ------------------------------------------------------------------------------

export const TINY = { d: 16, heads: 4, layers: 2, inter: 40, positions: 32 };

export function writeGpt2(dir: string, o: FixtureOptions & { vocab?: number; oldMaskBuffers?: boolean } = {}): string {
  const tok = byteLevelTokenizer();
  const V = o.vocab ?? 48, { d, layers, positions: P } = TINY;
  const pre = o.noPrefix ? '' : 'transformer.';
  const specs: Spec[] = [[`${pre}wte.weight`, [V, d], 'w'], [`${pre}wpe.weight`, [P, d], 'w']];
  for (let l = 0; l < layers; l++) {
    const p = `${pre}h.${l}.`;
    specs.push([`${p}ln_1.weight`, [d], 'norm'], [`${p}ln_1.bias`, [d], 'bias'],
      [`${p}attn.c_attn.weight`, [d, 3 * d], 'w'], [`${p}attn.c_attn.bias`, [3 * d], 'bias'],
      [`${p}attn.c_proj.weight`, [d, d], 'w'], [`${p}attn.c_proj.bias`, [d], 'bias'],
      [`${p}ln_2.weight`, [d], 'norm'], [`${p}ln_2.bias`, [d], 'bias'],
      [`${p}mlp.c_fc.weight`, [d, TINY.inter], 'w'], [`${p}mlp.c_fc.bias`, [TINY.inter], 'bias'],
      [`${p}mlp.c_proj.weight`, [TINY.inter, d], 'w'], [`${p}mlp.c_proj.bias`, [d], 'bias']);
    // Old checkpoints carry the causal-mask buffer as a tensor; the loader ignores it.
    if (o.oldMaskBuffers) specs.push([`${p}attn.bias`, [1, 1, P, P], 'norm']);
  }
  specs.push([`${pre}ln_f.weight`, [d], 'norm'], [`${pre}ln_f.bias`, [d], 'bias']);
  writeModel(dir, {
    model_type: 'gpt2', architectures: ['GPT2LMHeadModel'], vocab_size: V, n_positions: P, n_embd: d, n_layer: layers,
    n_head: TINY.heads, n_inner: TINY.inter, layer_norm_epsilon: 1e-5, activation_function: 'gelu_new',
  }, specs, o);
  writeTokenizer(dir, tok);
  return dir;
}

export interface LlamaFixture extends FixtureOptions {
  modelType?: 'llama' | 'qwen2' | 'mistral';
  kvHeads?: number;
  tie?: boolean;
  ropeTheta?: number;
  ropeScaling?: Record<string, unknown>;
  attentionBias?: boolean;
}

export function writeLlama(dir: string, o: LlamaFixture = {}): string {
  const tok = byteLevelTokenizer();
  const mt = o.modelType ?? 'llama';
  const V = 48, { d, heads: H, layers, inter: I, positions: P } = TINY;
  const Hkv = o.kvHeads ?? H, dh = d / H;
  const qkvBias = mt === 'qwen2' || (mt === 'llama' && o.attentionBias === true);
  const pre = o.noPrefix ? '' : 'model.';
  const specs: Spec[] = [[`${pre}embed_tokens.weight`, [V, d], 'w']];
  for (let l = 0; l < layers; l++) {
    const p = `${pre}layers.${l}.`;
    specs.push([`${p}input_layernorm.weight`, [d], 'norm'],
      [`${p}self_attn.q_proj.weight`, [H * dh, d], 'w'], [`${p}self_attn.k_proj.weight`, [Hkv * dh, d], 'w'],
      [`${p}self_attn.v_proj.weight`, [Hkv * dh, d], 'w'], [`${p}self_attn.o_proj.weight`, [d, H * dh], 'w']);
    if (qkvBias) specs.push([`${p}self_attn.q_proj.bias`, [H * dh], 'bias'], [`${p}self_attn.k_proj.bias`, [Hkv * dh], 'bias'], [`${p}self_attn.v_proj.bias`, [Hkv * dh], 'bias']);
    if (mt === 'llama' && o.attentionBias) specs.push([`${p}self_attn.o_proj.bias`, [d], 'bias']);
    specs.push([`${p}post_attention_layernorm.weight`, [d], 'norm'],
      [`${p}mlp.gate_proj.weight`, [I, d], 'w'], [`${p}mlp.up_proj.weight`, [I, d], 'w'], [`${p}mlp.down_proj.weight`, [d, I], 'w']);
  }
  specs.push([`${pre}norm.weight`, [d], 'norm']);
  if (!o.tie) specs.push(['lm_head.weight', [V, d], 'w']);
  const arch = { llama: 'LlamaForCausalLM', qwen2: 'Qwen2ForCausalLM', mistral: 'MistralForCausalLM' }[mt];
  writeModel(dir, {
    model_type: mt, architectures: [arch], vocab_size: V, max_position_embeddings: P, hidden_size: d, num_hidden_layers: layers,
    num_attention_heads: H, num_key_value_heads: Hkv, intermediate_size: I, rms_norm_eps: 1e-6, rope_theta: o.ropeTheta ?? 10000,
    rope_scaling: o.ropeScaling ?? null, tie_word_embeddings: o.tie ?? false, hidden_act: 'silu',
    ...(mt === 'llama' ? { attention_bias: o.attentionBias ?? false, mlp_bias: false } : {}),
    ...(mt === 'mistral' ? { sliding_window: 4096 } : {}),
  }, specs, o);
  writeTokenizer(dir, tok);
  return dir;
}

export function writeBert(dir: string, o: FixtureOptions & { task?: 'cls' | 'mlm'; numLabels?: number; hiddenAct?: string } = {}): string {
  const tok = wordPieceTokenizer();
  const V = 32, { d, layers, inter: I, positions: P } = TINY;
  const L = o.numLabels ?? 2;
  const pre = o.noPrefix ? '' : 'bert.';
  const specs: Spec[] = [[`${pre}embeddings.word_embeddings.weight`, [V, d], 'w'], [`${pre}embeddings.position_embeddings.weight`, [P, d], 'w'],
    [`${pre}embeddings.token_type_embeddings.weight`, [2, d], 'w'], [`${pre}embeddings.LayerNorm.weight`, [d], 'norm'], [`${pre}embeddings.LayerNorm.bias`, [d], 'bias']];
  for (let l = 0; l < layers; l++) {
    const p = `${pre}encoder.layer.${l}.`;
    for (const n of ['attention.self.query', 'attention.self.key', 'attention.self.value', 'attention.output.dense']) {
      specs.push([`${p}${n}.weight`, [d, d], 'w'], [`${p}${n}.bias`, [d], 'bias']);
    }
    specs.push([`${p}attention.output.LayerNorm.weight`, [d], 'norm'], [`${p}attention.output.LayerNorm.bias`, [d], 'bias'],
      [`${p}intermediate.dense.weight`, [I, d], 'w'], [`${p}intermediate.dense.bias`, [I], 'bias'],
      [`${p}output.dense.weight`, [d, I], 'w'], [`${p}output.dense.bias`, [d], 'bias'],
      [`${p}output.LayerNorm.weight`, [d], 'norm'], [`${p}output.LayerNorm.bias`, [d], 'bias']);
  }
  specs.push([`${pre}pooler.dense.weight`, [d, d], 'w'], [`${pre}pooler.dense.bias`, [d], 'bias']);
  if ((o.task ?? 'cls') === 'cls') specs.push(['classifier.weight', [L, d], 'w'], ['classifier.bias', [L], 'bias']);
  else {
    specs.push(['cls.predictions.transform.dense.weight', [d, d], 'w'], ['cls.predictions.transform.dense.bias', [d], 'bias'],
      ['cls.predictions.transform.LayerNorm.weight', [d], 'norm'], ['cls.predictions.transform.LayerNorm.bias', [d], 'bias'], ['cls.predictions.bias', [V], 'bias']);
  }
  const id2label = Object.fromEntries(Array.from({ length: L }, (_, i) => [String(i), `LABEL_${i}`]));
  writeModel(dir, {
    model_type: 'bert', architectures: [(o.task ?? 'cls') === 'cls' ? 'BertForSequenceClassification' : 'BertForMaskedLM'],
    vocab_size: V, max_position_embeddings: P, type_vocab_size: 2, hidden_size: d, num_hidden_layers: layers, num_attention_heads: TINY.heads,
    intermediate_size: I, hidden_act: o.hiddenAct ?? 'gelu', layer_norm_eps: 1e-12, id2label, position_embedding_type: 'absolute',
  }, specs, o);
  writeTokenizer(dir, tok);
  return dir;
}

// ---- the PyTorch reference ----------------------------------------------------------------------

export interface RefJob {
  dir: string;
  input: { task: 'causal-lm' | 'sequence-classification' | 'masked-lm'; ids: number[][]; mask?: number[][]; segments?: number[][]; labels?: unknown; adapter?: string };
}

let pythonCache: string | null | undefined;

/** A python3 with torch (AIRLORA_PYTHON, python3, /usr/bin/python3), or null. */
export function torchPython(): string | null {
  if (pythonCache !== undefined) return pythonCache;
  const candidates = [process.env['AIRLORA_PYTHON'], 'python3', '/usr/bin/python3'].filter((x): x is string => !!x);
  for (const py of candidates) {
    const r = spawnSync(py, ['-c', 'import torch'], { stdio: 'ignore' });
    if (r.status === 0) return (pythonCache = py);
  }
  return (pythonCache = null);
}

/** Run every job through the reference in one python process; returns {loss, logits} per job. */
export function runReference(jobs: RefJob[]): { loss: number; logits: number[] }[] {
  const py = torchPython();
  if (!py) throw new Error('PyTorch not available');
  const dir = tempDir('airlora-ref-');
  const out: { loss: number; logits: number[] }[] = [];
  // One process, many jobs: torch's import dominates the cost.
  const path = join(dir, 'jobs.json');
  writeFileSync(path, JSON.stringify(jobs));
  const res = execFileSync(py, [REFERENCE, '--jobs', path], { encoding: 'utf8', maxBuffer: 1 << 28 });
  for (const line of res.trim().split('\n')) out.push(JSON.parse(line) as { loss: number; logits: number[] });
  return out;
}
