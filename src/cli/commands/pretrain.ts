/**
 * `airlora pretrain [--arch gpt|bert]`: pre-train the small GPT or BERT encoder and save a checkpoint
 * (src/runs/pretrain.ts). The default arguments rebuild the committed checkpoints (docs/checkpoint.md).
 */
import type { Command } from 'commander';
import { SingleBar } from 'cli-progress';
import { initBackend, parseBackendFlag } from '../../tf/index.js';
import { UserInputError } from '../../errors.js';
import { PRETRAIN_DEFAULTS, runPretrain, type PretrainConfig } from '../../runs/pretrain.js';

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

/** Flags → PretrainConfig (every value checked, the flag named on error). */
export function pretrainConfig(o: PretrainCliOptions): PretrainConfig {
  if (o.arch !== 'gpt' && o.arch !== 'bert') throw new UserInputError(`--arch: '${o.arch}' is not one of gpt, bert`, '--arch');
  const d = PRETRAIN_DEFAULTS[o.arch];
  const heldOut = Number(o.heldOut);
  if (!(heldOut > 0 && heldOut < 1)) throw new UserInputError(`--held-out: '${o.heldOut}' must be in (0, 1)`, '--held-out');
  const maskProb = Number(o.maskProb);
  if (!(maskProb > 0 && maskProb < 1)) throw new UserInputError(`--mask-prob: '${o.maskProb}' must be in (0, 1)`, '--mask-prob');
  return {
    arch: o.arch, out: o.out ?? d.out, seed: int(o.seed, '--seed', 0), steps: int(o.steps, '--steps'), batch: int(o.batch, '--batch'),
    seqLen: int(o.seqLen, '--seq-len', 2), lr: o.lr !== undefined ? num(o.lr, '--lr') : d.lr, warmup: int(o.warmup, '--warmup', 0),
    vocab: o.vocab !== undefined ? int(o.vocab, '--vocab', 16) : d.vocab, layers: int(o.layers, '--layers'), hidden: int(o.hidden, '--hidden'),
    heads: int(o.heads, '--heads'), maxPositions: int(o.maxPositions, '--max-positions'), heldOut,
    evalWindows: int(o.evalWindows, '--eval-windows'), maskProb, command: process.argv.slice(2).join(' '),
  };
}

export async function pretrainFromFlags(o: PretrainCliOptions): Promise<void> {
  const c = pretrainConfig(o);
  const backend = await initBackend({ backend: parseBackendFlag(o.backend) });
  const log = (m: string) => process.stderr.write(`[pretrain] ${m}\n`);
  const bar = process.stderr.isTTY ? new SingleBar({ format: '[pretrain] {bar} {value}/{total} steps | loss {loss} | lr {lr} | {eta_formatted} left', hideCursor: true }) : undefined;
  bar?.start(c.steps, 0, { loss: '-', lr: '-' });
  try {
    await runPretrain(c, {
      backend, log, print: (t) => process.stdout.write(t),
      onStep: (s, loss, rate) => {
        if (bar) bar.update(s + 1, { loss: loss.toFixed(3), lr: rate.toExponential(2) });
        else if ((s + 1) % 50 === 0 || s === 0 || s + 1 === c.steps) log(`step ${s + 1}/${c.steps} loss ${loss.toFixed(3)} lr ${rate.toExponential(2)}`);
      },
    });
  } finally {
    bar?.stop();
  }
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
    .action(async (opts: PretrainCliOptions) => { await pretrainFromFlags(opts); });
}
