/**
 * What the local-data pipeline needs from a tokenizer, met by both a Hugging Face tokenizer
 * (src/models/hf/tokenizer.ts: the checkpoint's own special tokens and post-processor) and airlora's
 * char-level BPE (its fixed <cls>, <sep>, <eos>, <pad>).
 */
import { CLS_ID, EOS_ID, PAD_ID, SEP_ID, type Tokenizer } from '../tokenizer.js';

export interface TextTokenizer {
  /** Ids without special tokens. */
  encode(text: string): number[];
  /** A sentence or pair with the model's special tokens, and segment ids. */
  encodePair(a: string, b?: string): { ids: number[]; typeIds: number[] };
  readonly padId: number;
  /** End of sequence: appended after an instruction response and between LM items. */
  readonly eosId?: number;
}

/** airlora's own tokenizer: <cls> a (<sep> b) as the built-in classifier data does. */
export function airloraTextTokenizer(tok: Tokenizer): TextTokenizer {
  return {
    encode: (t) => tok.encode(t),
    encodePair: (a, b) => {
      const ia = [CLS_ID, ...tok.encode(a)];
      if (b === undefined) return { ids: ia, typeIds: ia.map(() => 0) };
      const ib = [SEP_ID, ...tok.encode(b)];
      return { ids: [...ia, ...ib], typeIds: [...ia.map(() => 0), ...ib.map(() => 1)] };
    },
    padId: PAD_ID,
    eosId: EOS_ID,
  };
}
