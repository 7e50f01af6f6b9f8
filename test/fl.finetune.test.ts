// Fine-tuning lowers held-out perplexity on the target (fine-tuning) genres. With the committed
// pre-trained checkpoint (checkpoints/gpt-brown-small) when present: the real starting point of
// scenarios/fl-lm-ideal.yaml; otherwise a tiny random GPT (still a real, failing-capable check).
import { expect } from 'chai';
import { existsSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../src/tf/index.js';
import { DEFAULT_CHECKPOINT_DIR } from '../src/models/checkpoint.js';
import { runTraining } from '../src/fl/prepare.js';
import { IdealAggregator } from '../src/fl/aggregators/index.js';
import { resolveTraining } from '../src/scenario/resolve/train.js';
import { resolveScenario } from '../src/scenario/load.js';

describe('fl: fine-tuning lowers held-out perplexity on the fine-tuning genres', function () {
  let prev: string;
  before(async () => { prev = tf.getBackend(); await initBackend({ backend: 'wasm', quiet: true }); });
  after(async () => { if (prev) await tf.setBackend(prev); });

  it('ideal FedAvg, one genre per client: final evaluation perplexity below the starting one', async () => {
    const pretrained = existsSync(DEFAULT_CHECKPOINT_DIR);
    const s = resolveTraining(resolveScenario({
      name: 'finetune-test', seed: 4,
      model: pretrained ? { checkpoint: 'default' } : { preset: 'gpt-tiny', overrides: { hidden: 32, heads: 2, intermediate: 64 } },
      lora: { r: 4, lora_alpha: 8, target_modules: ['query', 'value'] },
      data: { dataset: 'brown', partition: { kind: 'one-label' }, seq_len: pretrained ? 32 : 16, eval_per_client: 8, max_items: 1200, vocab_size: 128 },
      fl: { rounds: 4, clients: 6, local_steps: 6, batch_size: 8, lr: pretrained ? 3e-3 : 1e-2 },
    }));
    const res = await runTraining(s, new IdealAggregator());
    const ppl = res.rows.map((r) => r['perplexity'] as number);
    if (process.env['AIRLORA_TEST_VERBOSE']) console.log(ppl);
    expect(ppl[ppl.length - 1]).to.be.lessThan(ppl[0]! * (pretrained ? 0.985 : 0.98));
  });
});
