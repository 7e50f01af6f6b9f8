/**
 * A reference classifier on the same inputs as the split model: multinomial logistic regression on
 * bag-of-words features (token counts over the sequence, [CLS] and padding excluded, divided by the
 * sequence length), trained centrally on every device's training rows by full-batch gradient descent
 * with Nesterov momentum and a small L2 penalty, in float64 from zero weights (deterministic). It says
 * what a linear model of the same tokens reaches, the ceiling against which the random-feature
 * encoder's schedulers are read.
 */
import type { IntBatch } from '../data/federated.js';
import { CLS_ID, PAD_ID } from '../data/tokenizer.js';

export interface BowOptions {
  classes: number;
  vocab: number;
  epochs?: number;
  lr?: number;
  l2?: number;
}

/** Sparse rows: (token, weight) pairs per example. */
function features(b: IntBatch): { idx: Int32Array[]; val: Float64Array[] } {
  const T = b.seqLen;
  const idx: Int32Array[] = [];
  const val: Float64Array[] = [];
  for (let i = 0; i < b.size; i++) {
    const counts = new Map<number, number>();
    let len = 0;
    for (let t = 0; t < T; t++) {
      const tok = b.tokens[i * T + t]!;
      if (tok === PAD_ID || tok === CLS_ID || (b.mask && b.mask[i * T + t] === 0)) continue;
      counts.set(tok, (counts.get(tok) ?? 0) + 1);
      len++;
    }
    const keys = [...counts.keys()].sort((a, c) => a - c);
    idx.push(Int32Array.from(keys));
    val.push(Float64Array.from(keys, (k) => counts.get(k)! / Math.max(1, len)));
  }
  return { idx, val };
}

export class BowLogistic {
  readonly W: Float64Array;
  readonly b: Float64Array;
  constructor(readonly opts: BowOptions) {
    this.W = new Float64Array(opts.vocab * opts.classes);
    this.b = new Float64Array(opts.classes);
  }

  private logits(idx: Int32Array, val: Float64Array, W: Float64Array, b: Float64Array, out: Float64Array): void {
    const C = this.opts.classes;
    for (let c = 0; c < C; c++) out[c] = b[c]!;
    for (let j = 0; j < idx.length; j++) {
      const row = idx[j]! * C;
      for (let c = 0; c < C; c++) out[c] += W[row + c]! * val[j]!;
    }
  }

  fit(train: IntBatch): this {
    const { classes: C, vocab: V } = this.opts;
    const epochs = this.opts.epochs ?? 400;
    const lr = this.opts.lr ?? 2;
    const l2 = this.opts.l2 ?? 1e-4;
    const { idx, val } = features(train);
    const n = train.size;
    const gW = new Float64Array(V * C);
    const gb = new Float64Array(C);
    const vW = new Float64Array(V * C);
    const vb = new Float64Array(C);
    const look = new Float64Array(V * C);
    const lookB = new Float64Array(C);
    const z = new Float64Array(C);
    const mu = 0.9;
    for (let e = 0; e < epochs; e++) {
      for (let i = 0; i < look.length; i++) look[i] = this.W[i]! + mu * vW[i]!;
      for (let c = 0; c < C; c++) lookB[c] = this.b[c]! + mu * vb[c]!;
      gW.fill(0);
      gb.fill(0);
      for (let i = 0; i < n; i++) {
        this.logits(idx[i]!, val[i]!, look, lookB, z);
        let mx = -Infinity;
        for (let c = 0; c < C; c++) mx = Math.max(mx, z[c]!);
        let sum = 0;
        for (let c = 0; c < C; c++) sum += (z[c] = Math.exp(z[c]! - mx));
        const y = train.labels![i]!;
        for (let c = 0; c < C; c++) {
          const d = z[c]! / sum - (c === y ? 1 : 0);
          gb[c] += d / n;
          for (let j = 0; j < idx[i]!.length; j++) gW[idx[i]![j]! * C + c] += (d * val[i]![j]!) / n;
        }
      }
      for (let i = 0; i < gW.length; i++) {
        vW[i] = mu * vW[i]! - lr * (gW[i]! + l2 * look[i]!);
        this.W[i] += vW[i]!;
      }
      for (let c = 0; c < C; c++) {
        vb[c] = mu * vb[c]! - lr * gb[c]!;
        this.b[c] += vb[c]!;
      }
    }
    return this;
  }

  /** Accuracy and count on a batch. */
  evaluate(test: IntBatch): { accuracy: number; correct: number; n: number } {
    const { idx, val } = features(test);
    const z = new Float64Array(this.opts.classes);
    let correct = 0;
    for (let i = 0; i < test.size; i++) {
      this.logits(idx[i]!, val[i]!, this.W, this.b, z);
      let best = 0;
      for (let c = 1; c < z.length; c++) if (z[c]! > z[best]!) best = c;
      if (best === test.labels![i]) correct++;
    }
    return { accuracy: correct / test.size, correct, n: test.size };
  }
}
