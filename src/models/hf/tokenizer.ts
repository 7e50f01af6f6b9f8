/**
 * A Hugging Face tokenizer (`tokenizer.json` + `tokenizer_config.json`) through the
 * `@huggingface/tokenizers` library: the checkpoint's own normaliser, pre-tokeniser, model (BPE,
 * WordPiece, Unigram) and post-processor (special tokens, token type ids). airlora's own char-level
 * BPE (src/data/tokenizer.ts) stays the tokenizer of its own small checkpoints.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Tokenizer } from '@huggingface/tokenizers';
import { UserInputError } from '../../errors.js';

export interface PairEncoding {
  ids: number[];
  /** Segment ids (0 for the first sentence, 1 for the second), from the post-processor. */
  typeIds: number[];
}

export class HfTokenizer {
  private readonly tok: Tokenizer;
  readonly vocabSize: number;
  /** Padding id: the config's pad token, else 0. */
  readonly padId: number;

  constructor(readonly json: Record<string, unknown>, readonly config: Record<string, unknown>, readonly source = 'tokenizer.json') {
    try {
      this.tok = new Tokenizer(json, config);
    } catch (e) {
      throw new UserInputError(`${source}: cannot build the tokenizer (${(e as Error).message})`, 'model.checkpoint');
    }
    this.vocabSize = this.tok.get_vocab(true).size;
    const pad = tokenString(config['pad_token']);
    const padId = pad !== undefined ? this.tok.token_to_id(pad) : undefined;
    this.padId = padId ?? 0;
  }

  /** `tokenizer.json` (required) and `tokenizer_config.json` (optional) of a model folder. */
  static fromFolder(dir: string): HfTokenizer {
    const path = join(dir, 'tokenizer.json');
    if (!existsSync(path)) throw new UserInputError(`${dir}: no tokenizer.json (a Hugging Face model folder needs one)`, 'model.checkpoint');
    const cfgPath = join(dir, 'tokenizer_config.json');
    const json = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
    const cfg = existsSync(cfgPath) ? (JSON.parse(readFileSync(cfgPath, 'utf8')) as Record<string, unknown>) : {};
    return new HfTokenizer(json, cfg, path);
  }

  /** Token ids of `text`, without special tokens (causal-LM evaluation tokenises the text as a whole). */
  encode(text: string): number[] {
    return this.tok.encode(text, { add_special_tokens: false }).ids;
  }

  /** One sentence or a pair through the post-processor ([CLS] a [SEP] b [SEP] for BERT), with segment ids. */
  encodePair(a: string, b?: string): PairEncoding {
    const e = this.tok.encode(a, { text_pair: b ?? null, add_special_tokens: true, return_token_type_ids: true });
    return { ids: e.ids, typeIds: e.token_type_ids ?? e.ids.map(() => 0) };
  }

  decode(ids: number[]): string {
    return this.tok.decode(ids, { skip_special_tokens: false });
  }

  tokenToId(token: string): number | undefined {
    return this.tok.token_to_id(token);
  }

  /** The end-of-sequence id (config `eos_token`), if any. */
  get eosId(): number | undefined {
    const t = tokenString(this.config['eos_token']);
    return t === undefined ? undefined : this.tok.token_to_id(t);
  }
}

/** tokenizer_config.json writes special tokens as strings or as `{ content: ... }` objects. */
function tokenString(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (v && typeof v === 'object' && typeof (v as { content?: unknown }).content === 'string') return (v as { content: string }).content;
  return undefined;
}
