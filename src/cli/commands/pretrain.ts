/**
 * `airlora pretrain [--arch gpt|bert]`: pre-train the small GPT (causal LM) or the small BERT encoder
 * (masked LM) on the Brown corpus's pre-training genres and save a checkpoint (config, tokenizer,
 * weights, SHA256SUMS). The default arguments rebuild the committed checkpoints
 * `checkpoints/gpt-brown-small` / `checkpoints/bert-brown-small` (docs/checkpoint.md).
 *
 * Data: the paragraphs of the pre-training genres (src/data/brown.ts: the 9 informative-prose genres);
 * a seeded 10% of their documents is held out for perplexity. The 6 fine-tuning genres are never seen
 * (not even by the tokenizer); their perplexity is reported too, as the starting point of fine-tuning.
 */
import type { Command } from 'commander';
import { SingleBar } from 'cli-progress';
import { backendInfo, initBackend, parseBackendFlag } from '../../tf/index.js';
import { UserInputError } from '../../errors.js';
import { RandomStreams } from '../../random/streams.js';
import { brownParagraphs, FINETUNE_GENRES, PRETRAIN_GENRES, type BrownParagraph } from '../../data/brown.js';
import { CLS_ID, EOS_ID, UNK_ID, Tokenizer } from '../../data/tokenizer.js';
import { preset, type BertConfig, type GptConfig } from '../../models/config.js';
import { countParameters } from '../../models/params.js';
import { bertMlmPerplexity, gptPerplexity, pretrainBert, pretrainGpt, unigramPerplexity, type PretrainResult } from '../../models/pretrain.js';
import { DEFAULT_BERT_CHECKPOINT_DIR, DEFAULT_CHECKPOINT_DIR, saveCheckpoint } from '../../models/checkpoint.js';
import { disposeWeights } from '../../models/weights.js';

export interface PretrainCliOptions {
  arch: string;
  out?: string;
  seed: string;
  steps: string;
  batch: string;
  seqLen: string;
  lr?: string;
  warmup: string;
  vocab?: string;
  layers: string;
  hidden: string;
  heads: string;
  maxPositions: string;
  heldOut: string;
  evalWindows: string;
  maskProb: string;
  backend: string;
}

function int(v: string, flag: string, min = 1): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new UserInputError(`${flag}: '${v}' must be an integer ≥ ${min}`, flag);
  return n;
}

function num(v: string, flag: string): number {
  const n = Number(v);
  if (!(n > 0) || !Number.isFinite(n)) throw new UserInputError(`${flag}: '${v}' must be a positive number`, flag);
  return n;
}

/** Token stream of paragraphs: each paragraph encoded and followed by <eos>. */
function encodeStream(tok: Tokenizer, paras: readonly BrownParagraph[]): Int32Array {
  const parts: number[] = [];
  for (const p of paras) {
    for (const id of tok.encode(p.text)) parts.push(id);
    parts.push(EOS_ID);
  }
  return Int32Array.from(parts);
}

/** Per-architecture defaults: the GPT for language modelling, the BERT encoder (MLM) for classification. */
const ARCH_DEFAULTS = {
  gpt: { out: DEFAULT_CHECKPOINT_DIR, vocab: '512', lr: '3e-3' },
  bert: { out: DEFAULT_BERT_CHECKPOINT_DIR, vocab: '1024', lr: '2e-3' },
} as const;

export async function runPretrain(o: PretrainCliOptions): Promise<void> {
  if (o.arch !== 'gpt' && o.arch !== 'bert') throw new UserInputError(`--arch: '${o.arch}' is not one of gpt, bert`, '--arch');
  const arch = o.arch;
  const d = ARCH_DEFAULTS[arch];
  const out = o.out ?? d.out;
  const seed = int(o.seed, '--seed', 0);
  const steps = int(o.steps, '--steps');
  const B = int(o.batch, '--batch');
  const T = int(o.seqLen, '--seq-len', 2);
  const lr = num(o.lr ?? d.lr, '--lr');
  const warmup = int(o.warmup, '--warmup', 0);
  const vocab = int(o.vocab ?? d.vocab, '--vocab', 16);
  const heldOut = Number(o.heldOut);
  if (!(heldOut > 0 && heldOut < 1)) throw new UserInputError(`--held-out: '${o.heldOut}' must be in (0, 1)`, '--held-out');
  const evalWindows = int(o.evalWindows, '--eval-windows');
  const maskProb = Number(o.maskProb);
  if (!(maskProb > 0 && maskProb < 1)) throw new UserInputError(`--mask-prob: '${o.maskProb}' must be in (0, 1)`, '--mask-prob');
  const backend = await initBackend({ backend: parseBackendFlag(o.backend) });
  const command = process.argv.slice(2).join(' ');

  // Held-out documents of the pre-training genres (whole documents, so no paragraph leaks).
  const paras = brownParagraphs(PRETRAIN_GENRES);
  const docs = [...new Set(paras.map((p) => p.docId))];
  const streams = new RandomStreams(seed);
  const nHeld = Math.max(1, Math.round(heldOut * docs.length));
  const held = new Set(streams.stream('pretrain-split').sample(docs.length, nHeld).map((i) => docs[i]!));
  const trainParas = paras.filter((p) => !held.has(p.docId));
  const heldParas = paras.filter((p) => held.has(p.docId));
  const log = (m: string) => process.stderr.write(`[pretrain] ${m}\n`);
  log(`${docs.length - nHeld} training documents, ${nHeld} held out (genres: ${PRETRAIN_GENRES.join(', ')})`);

  const t0 = performance.now();
  const tok = Tokenizer.train(trainParas.map((p) => p.text), { vocabSize: vocab });
  const trainTokens = encodeStream(tok, trainParas);
  const heldTokens = encodeStream(tok, heldParas);
  const targetTokens = encodeStream(tok, brownParagraphs(FINETUNE_GENRES));
  log(`tokenizer: ${tok.vocabSize} tokens; ${trainTokens.length} training tokens, ${heldTokens.length} held-out, ${targetTokens.length} in the fine-tuning genres (${((performance.now() - t0) / 1000).toFixed(1)} s)`);

  const hidden = int(o.hidden, '--hidden');
  const sizes = {
    vocabSize: tok.vocabSize, layers: int(o.layers, '--layers'), hidden, heads: int(o.heads, '--heads'),
    intermediate: 4 * hidden, maxPositions: int(o.maxPositions, '--max-positions'),
  };
  const config = arch === 'gpt'
    ? preset('gpt-small', sizes as Partial<GptConfig>) as GptConfig
    : preset('bert-small', { ...sizes, numLabels: 2 } as Partial<BertConfig>) as BertConfig;
  log(`model: ${arch}, ${config.layers} layers, hidden ${config.hidden}, ${config.heads} heads, vocab ${config.vocabSize}, ${countParameters(config).toLocaleString('en-US')} parameters; ${steps} steps of ${B}×${T} tokens on ${backend}`);

  const bar = process.stderr.isTTY ? new SingleBar({ format: '[pretrain] {bar} {value}/{total} steps | loss {loss} | lr {lr} | {eta_formatted} left', hideCursor: true }) : undefined;
  bar?.start(steps, 0, { loss: '-', lr: '-' });
  let recent = 0;
  const onStep = (s: number, loss: number, rate: number) => {
    recent = s === 0 ? loss : 0.95 * recent + 0.05 * loss;
    if (bar) bar.update(s + 1, { loss: recent.toFixed(3), lr: rate.toExponential(2) });
    else if ((s + 1) % 50 === 0 || s === 0 || s + 1 === steps) log(`step ${s + 1}/${steps} loss ${recent.toFixed(3)} lr ${rate.toExponential(2)}`);
  };
  const common = { trainTokens, seqLen: T, batchSize: B, steps, lr, warmupSteps: warmup, seed, onStep };
  const res: PretrainResult = config.arch === 'gpt'
    ? await pretrainGpt({ ...common, config })
    : await pretrainBert({ ...common, config, clsId: CLS_ID, maskId: UNK_ID, maskProb });
  bar?.stop();
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
  process.stdout.write(
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
      seed, backend, matmul: backendInfo().matmul, ...(config.arch === 'bert' ? { maskProb } : {}), steps, batchSize: B, seqLen: T, lr, warmupSteps: warmup,
      pretrainGenres: PRETRAIN_GENRES, heldOutDocuments: [...held].sort(), fineTuningGenres: FINETUNE_GENRES,
      trainTokens: trainTokens.length, finalTrainLoss: res.finalLoss, tailTrainLoss: res.tailLoss,
      trainSeconds: Math.round(res.seconds), evaluation, evaluationNote,
    },
  });
  disposeWeights(res.weights);
  log(`saved ${out} (weights.bin sha256 ${sums['weights.bin']})`);
}

export function register(program: Command): void {
  program
    .command('pretrain')
    .description('pre-train the small GPT on the Brown corpus (pre-training genres) and save a checksummed checkpoint')
    .option('--arch <arch>', 'gpt (causal LM) or bert (masked LM encoder)', 'gpt')
    .option('--out <dir>', 'checkpoint folder (default checkpoints/gpt-brown-small or checkpoints/bert-brown-small)')
    .option('--seed <n>', 'seed', '1')
    .option('--steps <n>', 'optimisation steps', '1500')
    .option('--batch <n>', 'sequences per step', '16')
    .option('--seq-len <n>', 'tokens per sequence', '64')
    .option('--lr <x>', 'peak Adam learning rate (default 3e-3 gpt, 2e-3 bert)')
    .option('--warmup <n>', 'linear warm-up steps', '100')
    .option('--vocab <n>', 'tokenizer vocabulary size (default 512 gpt, 1024 bert)')
    .option('--layers <n>', 'transformer layers', '2')
    .option('--hidden <n>', 'hidden size (MLP 4×)', '128')
    .option('--heads <n>', 'attention heads', '4')
    .option('--max-positions <n>', 'position table size', '128')
    .option('--held-out <f>', 'fraction of pre-training documents held out for perplexity', '0.1')
    .option('--eval-windows <n>', 'held-out windows scored', '400')
    .option('--mask-prob <p>', 'bert: fraction of positions masked for the MLM loss', '0.15')
    .option('--backend <name>', 'tfjs backend: auto, wasm, node, cpu', 'auto')
    .action(async (opts: PretrainCliOptions) => { await runPretrain(opts); });
}
