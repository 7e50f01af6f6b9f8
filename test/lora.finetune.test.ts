import { expect } from 'chai';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { DEFAULT_CHECKPOINT_DIR, loadCheckpoint } from '../src/models/checkpoint.js';
import { disposeWeights, type GptConfig, type PretrainedModel } from '../src/models/index.js';
import { createLoraModel, loraTrainStep } from '../src/lora/index.js';
import { brownParagraphs } from '../src/data/brown.js';
import { EOS_ID, Tokenizer, type TokenizerJSON } from '../src/data/tokenizer.js';
import { RandomStreams } from '../src/random/streams.js';
import { initBackend } from '../src/tf/index.js';
import { softmaxCrossEntropy } from '../src/models/loss.js';
import { summarize } from '../src/stats/summary.js';

/**
 * LoRA fine-tuning of the committed pre-trained GPT on a genre it never saw (romance) lowers the
 * perplexity of held-out romance documents. The documents are split, not the paragraphs, so no text
 * of the test documents is trained on.
 */
describe('lora: fine-tuning the pre-trained GPT lowers held-out perplexity on a target genre', function () {
  let base: PretrainedModel;
  before(async function () {
    if (!existsSync(join(DEFAULT_CHECKPOINT_DIR, 'SHA256SUMS'))) this.skip();
    await initBackend({ backend: 'wasm', quiet: true });
    base = loadCheckpoint();
  });
  after(() => { if (base) disposeWeights(base.weights); });

  it('romance: 60 LoRA steps (r = 8 on query, value) cut held-out perplexity', () => {
    const tok = Tokenizer.fromJSON(base.tokenizer as TokenizerJSON);
    const paras = brownParagraphs(['romance']);
    const docs = [...new Set(paras.map((p) => p.docId))];
    const rng = new RandomStreams(3).stream('finetune-test-split');
    const test = new Set(rng.sample(docs.length, Math.round(docs.length / 4)).map((i) => docs[i]!));
    const encode = (ps: typeof paras) => Int32Array.from(ps.flatMap((p) => [...tok.encode(p.text), EOS_ID]));
    const train = encode(paras.filter((p) => !test.has(p.docId)));
    const held = encode(paras.filter((p) => test.has(p.docId)));
    const T = 64, B = 8;
    const model = createLoraModel(base, { r: 8, lora_alpha: 16, target_modules: ['query', 'value'], lora_dropout: 0 }, 1, 5);
    const windows = (stream: Int32Array, starts: number[]) => {
      const x = new Int32Array(starts.length * T), y = new Int32Array(starts.length * T);
      starts.forEach((s, b) => { x.set(stream.subarray(s, s + T), b * T); y.set(stream.subarray(s + 1, s + T + 1), b * T); });
      return { tokens: tf.tensor3d(x, [1, starts.length, T], 'int32'), targets: tf.tensor3d(y, [1, starts.length, T], 'int32') };
    };
    const nEval = Math.min(64, Math.floor((held.length - 1) / T));
    const evalBatch = windows(held, Array.from({ length: nEval }, (_, i) => i * T));
    // Mean loss of each held-out window (paired before/after).
    const windowLoss = () => tf.tidy(() => softmaxCrossEntropy(model.logits(evalBatch), evalBatch.targets.reshape([nEval * T]) as tf.Tensor1D)
      .reshape([nEval, T]).mean(1).dataSync());
    const ppl = (w: ArrayLike<number>) => Math.exp(Array.from(w).reduce((a, b) => a + b, 0) / w.length);
    const lossBefore = windowLoss();
    const e = model.evaluate(evalBatch);
    expect(ppl(lossBefore)).to.be.closeTo(Math.exp(e.loss[0]! / e.count[0]!), 1e-3 * ppl(lossBefore));
    const opt = tf.train.adam(3e-3);
    const brng = new RandomStreams(3).stream('finetune-test-batches');
    for (let s = 0; s < 60; s++) {
      const b = windows(train, Array.from({ length: B }, () => brng.int(train.length - T - 1)));
      loraTrainStep(model, b, opt);
      tf.dispose([b.tokens, b.targets]);
    }
    const lossAfter = windowLoss();
    expect((base.config as GptConfig).arch).to.equal('gpt');
    // Paired 95% CI of the per-window loss decrease must lie above zero.
    const d = summarize(Array.from(lossBefore, (b, i) => b - lossAfter[i]!));
    const msg = `perplexity ${ppl(lossBefore).toFixed(2)} → ${ppl(lossAfter).toFixed(2)}; per-window loss decrease ${d.mean.toFixed(4)} [${d.ciLow.toFixed(4)}, ${d.ciHigh.toFixed(4)}] (n = ${d.n})`;
    if (process.env.AIRLORA_VERBOSE) console.log(msg);
    expect(d.ciLow, msg).to.be.greaterThan(0);
    expect(ppl(lossAfter), msg).to.be.lessThan(0.98 * ppl(lossBefore));
    tf.dispose([evalBatch.tokens, evalBatch.targets]);
    opt.dispose();
    model.dispose();
  });
});
