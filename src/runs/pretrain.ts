/**
 * Pre-training the small GPT (causal LM) or the small BERT encoder (masked LM) on the Brown corpus's
 * pre-training genres, saved as a checksummed checkpoint (config, tokenizer, weights, SHA256SUMS). The
 * default settings rebuild the committed checkpoints `checkpoints/gpt-brown-small` /
 * `checkpoints/bert-brown-small` (docs/checkpoint.md). `airlora pretrain` parses its flags into a
 * PretrainConfig and calls `runPretrain`.
 *
 * Data: the paragraphs of the pre-training genres (src/data/brown.ts: the 9 informative-prose genres);
 * a seeded 10% of their documents is held out for perplexity. The 6 fine-tuning genres are never seen
 * (not even by the tokenizer); their perplexity is reported too, as the starting point of fine-tuning.
 */
import { backendInfo } from '../tf/index.js';
import { RandomStreams } from '../random/streams.js';
import { brownParagraphs, FINETUNE_GENRES, PRETRAIN_GENRES, type BrownParagraph } from '../data/brown.js';
import { CLS_ID, EOS_ID, UNK_ID, Tokenizer } from '../data/tokenizer.js';
import { preset, type BertConfig, type GptConfig } from '../models/config.js';
import { countParameters } from '../models/params.js';
import { bertMlmPerplexity, gptPerplexity, pretrainBert, pretrainGpt, unigramPerplexity, type PretrainResult } from '../models/pretrain.js';
import { DEFAULT_BERT_CHECKPOINT_DIR, DEFAULT_CHECKPOINT_DIR, saveCheckpoint } from '../models/checkpoint.js';
import { disposeWeights } from '../models/weights.js';

export interface PretrainConfig {
  arch: 'gpt' | 'bert';
  /** checkpoint folder */
  out: string;
  seed: number;
  steps: number;
  batch: number;
  seqLen: number;
  lr: number;
  warmup: number;
  vocab: number;
  layers: number;
  hidden: number;
  heads: number;
  maxPositions: number;
  /** fraction of pre-training documents held out for perplexity */
  heldOut: number;
  evalWindows: number;
  /** bert: fraction of positions masked */
  maskProb: number;
  /** the command line, recorded in the checkpoint's metadata */
  command: string;
}

export interface PretrainContext {
  backend: string;
  log: (line: string) => void;
  /** after every optimisation step: step index, smoothed loss, learning rate */
  onStep?: (step: number, loss: number, lr: number) => void;
  /** the summary lines (perplexities) */
  print: (text: string) => void;
}

/** Per-architecture defaults: the GPT for language modelling, the BERT encoder (MLM) for classification. */
export const PRETRAIN_DEFAULTS = {
  gpt: { out: DEFAULT_CHECKPOINT_DIR, vocab: 512, lr: 3e-3 },
  bert: { out: DEFAULT_BERT_CHECKPOINT_DIR, vocab: 1024, lr: 2e-3 },
} as const;

/** Token stream of paragraphs: each paragraph encoded and followed by <eos>. */
function encodeStream(tok: Tokenizer, paras: readonly BrownParagraph[]): Int32Array {
  const parts: number[] = [];
  for (const p of paras) {
    for (const id of tok.encode(p.text)) parts.push(id);
    parts.push(EOS_ID);
  }
  return Int32Array.from(parts);
}

export async function runPretrain(o: PretrainConfig, ctx: PretrainContext): Promise<void> {
  const { seed, steps, batch: B, seqLen: T, lr, warmup, vocab, heldOut, evalWindows, maskProb, out, arch } = o;
  const backend = ctx.backend;
  const command = o.command;

  // Held-out documents of the pre-training genres (whole documents, so no paragraph leaks).
  const paras = brownParagraphs(PRETRAIN_GENRES);
  const docs = [...new Set(paras.map((p) => p.docId))];
  const streams = new RandomStreams(seed);
  const nHeld = Math.max(1, Math.round(heldOut * docs.length));
  const held = new Set(streams.stream('pretrain-split').sample(docs.length, nHeld).map((i) => docs[i]!));
  const trainParas = paras.filter((p) => !held.has(p.docId));
  const heldParas = paras.filter((p) => held.has(p.docId));
  const log = ctx.log;
  log(`${docs.length - nHeld} training documents, ${nHeld} held out (genres: ${PRETRAIN_GENRES.join(', ')})`);

  const t0 = performance.now();
  const tok = Tokenizer.train(trainParas.map((p) => p.text), { vocabSize: vocab });
  const trainTokens = encodeStream(tok, trainParas);
  const heldTokens = encodeStream(tok, heldParas);
  const targetTokens = encodeStream(tok, brownParagraphs(FINETUNE_GENRES));
  log(`tokenizer: ${tok.vocabSize} tokens; ${trainTokens.length} training tokens, ${heldTokens.length} held-out, ${targetTokens.length} in the fine-tuning genres (${((performance.now() - t0) / 1000).toFixed(1)} s)`);

  const hidden = o.hidden;
  const sizes = {
    vocabSize: tok.vocabSize, layers: o.layers, hidden, heads: o.heads,
    intermediate: 4 * hidden, maxPositions: o.maxPositions,
  };
  const config = arch === 'gpt'
    ? preset('gpt-small', sizes as Partial<GptConfig>) as GptConfig
    : preset('bert-small', { ...sizes, numLabels: 2 } as Partial<BertConfig>) as BertConfig;
  log(`model: ${arch}, ${config.layers} layers, hidden ${config.hidden}, ${config.heads} heads, vocab ${config.vocabSize}, ${countParameters(config).toLocaleString('en-US')} parameters; ${steps} steps of ${B}×${T} tokens on ${backend}`);

  let recent = 0;
  const onStep = (s: number, loss: number, rate: number) => {
    recent = s === 0 ? loss : 0.95 * recent + 0.05 * loss;
    ctx.onStep?.(s, recent, rate);
  };
  const common = { trainTokens, seqLen: T, batchSize: B, steps, lr, warmupSteps: warmup, seed, onStep };
  const res: PretrainResult = config.arch === 'gpt'
    ? await pretrainGpt({ ...common, config })
    : await pretrainBert({ ...common, config, clsId: CLS_ID, maskId: UNK_ID, maskProb });
  log(`trained in ${res.seconds.toFixed(0)} s (${((steps * B * T) / res.seconds).toFixed(0)} tokens/s); final loss ${res.finalLoss.toFixed(3)}`);

  let evaluation: Record<string, { perplexity: number; unigramPerplexity: number; tokens: number }>;
  let evaluationNote: string;
  if (config.arch === 'gpt') {
    const heldPpl = gptPerplexity(config, res.weights, heldTokens, T, evalWindows);
    const targetPpl = gptPerplexity(config, res.weights, targetTokens, T, evalWindows);
    evaluation = {
      heldOutPretrainGenres: { perplexity: heldPpl.perplexity, unigramPerplexity: unigramPerplexity(trainTokens, heldTokens, config.vocabSize, T, evalWindows), tokens: heldPpl.tokens },
      fineTuningGenres: { perplexity: targetPpl.perplexity, unigramPerplexity: unigramPerplexity(trainTokens, targetTokens, config.vocabSize, T, evalWindows), tokens: targetPpl.tokens },
    };
    evaluationNote = 'perplexity = exp(mean next-token cross-entropy); window w has inputs tokens [wT, wT+T) and targets [wT+1, wT+T+1) of the held-out stream, so each scored token is predicted once; unigram = add-one-smoothed unigram of the training tokens on the same targets';
  } else {
    evaluation = {
      heldOutPretrainGenres: bertMlmPerplexity(config, res.weights, heldTokens, trainTokens, T, CLS_ID, UNK_ID, seed, evalWindows),
      fineTuningGenres: bertMlmPerplexity(config, res.weights, targetTokens, trainTokens, T, CLS_ID, UNK_ID, seed, evalWindows),
    };
    evaluationNote = 'masked-token perplexity = exp(mean cross-entropy at masked positions): consecutive windows of seqLen-1 tokens after [CLS], 15% of positions replaced by <unk> (the [MASK] stand-in) with stream mlm-eval of the seed; unigram = add-one-smoothed unigram of the training tokens on the same masked tokens';
  }
  const what = config.arch === 'gpt' ? 'perplexity' : 'masked-token perplexity';
  const h = evaluation['heldOutPretrainGenres']!, f = evaluation['fineTuningGenres']!;
  ctx.print(
    `held-out text (pre-training genres, ${h.tokens} tokens): ${what} ${h.perplexity.toFixed(2)} vs unigram ${h.unigramPerplexity.toFixed(2)}\n` +
    `fine-tuning genres (never seen, ${f.tokens} tokens):    ${what} ${f.perplexity.toFixed(2)} vs unigram ${f.unigramPerplexity.toFixed(2)}\n`,
  );
  const sums = await saveCheckpoint(out, {
    config, weights: res.weights, tokenizer: tok.toJSON(),
    metadata: {
      description: config.arch === 'gpt'
        ? 'Small GPT pre-trained on the Brown corpus informative-prose genres (airlora pretrain)'
        : 'Small BERT encoder pre-trained by masked language modelling on the Brown corpus informative-prose genres (airlora pretrain --arch bert); pooler and classifier are untrained',
      command: `airlora ${command}`,
      seed, backend, matmul: backendInfo().matmul_engine, ...(config.arch === 'bert' ? { maskProb } : {}), steps, batchSize: B, seqLen: T, lr, warmupSteps: warmup,
      pretrainGenres: PRETRAIN_GENRES, heldOutDocuments: [...held].sort(), fineTuningGenres: FINETUNE_GENRES,
      trainTokens: trainTokens.length, finalTrainLoss: res.finalLoss, tailTrainLoss: res.tailLoss,
      trainSeconds: Math.round(res.seconds), evaluation, evaluationNote,
    },
  });
  disposeWeights(res.weights);
  log(`saved ${out} (weights.bin sha256 ${sums['weights.bin']})`);
}

