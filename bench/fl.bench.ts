/**
 * Time per federated round (local training + upload + ideal aggregation + server update; evaluation
 * excluded) with 10 clients, batched (one pass over stacked adapters) against a loop over clients.
 * GPT of issue 3: V = 256, d = 128, 2 layers, 4 heads, T = 64, LoRA r = 8 on query and value;
 * per client 2 local Adam steps of batch 8 (and of batch 2: `_b2`, where per-op overhead dominates and
 * batching across clients pays most), one genre per client (Brown). Notes carry the CPU time too.
 */
import type { BenchSuite } from './harness.js';
import { timeIt } from './harness.js';
import { RandomStreams } from '../src/random/streams.js';
import { initBackend } from '../src/tf/index.js';
import { initModel, preset, disposeWeights } from '../src/models/index.js';
import { createLoraModel } from '../src/lora/index.js';
import { prepareFederatedData } from '../src/data/federated.js';
import { Tokenizer } from '../src/data/tokenizer.js';
import { FL_DEFAULTS, type FlConfig } from '../src/fl/config.js';
import { localTraining } from '../src/fl/local.js';
import { IdealAggregator } from '../src/fl/aggregators/ideal.js';

const suite: BenchSuite = {
  group: 'fl',
  names: ['fl.round.batched_ms', 'fl.round.loop_ms', 'fl.round.batched_b2_ms', 'fl.round.loop_b2_ms'],
  async run(log) {
    const backend = await initBackend({ quiet: true });
    const K = 10, T = 64;
    const streams = new RandomStreams(1);
    const prep = prepareFederatedData({ dataset: 'brown', partition: { kind: 'one-label' }, testFraction: 0.1, seqLen: T, evalPerClient: 4, maxItems: 3000 }, K, streams);
    const tok = Tokenizer.train(prep.trainTexts, { vocabSize: 256 });
    const data = prep.withTokenizer(tok);
    const base = initModel(preset('gpt-small', { vocabSize: 256, layers: 2 }), 1);
    const lora = { r: 8, lora_alpha: 16, target_modules: ['query', 'value'], lora_dropout: 0 };
    const selected = Array.from({ length: K }, (_, k) => k);
    const agg = new IdealAggregator();
    const out: { name: string; value: number; unit: string; note: string }[] = [];
    try {
      for (const [mode, B] of [['batched', 8], ['loop', 8], ['batched', 2], ['loop', 2]] as const) {
        const cfg: FlConfig = { ...FL_DEFAULTS, rounds: 1, clients: K, mode, localSteps: 2, batchSize: B, optimizer: 'adam', lr: 1e-3 };
        const model = createLoraModel(base, lora, mode === 'batched' ? K : 1, 1);
        const global = model.getAdapters(0);
        const weights = new Float64Array(K).fill(1 / K);
        let round = 0;
        const cpuMs: number[] = [];
        try {
          const t = await timeIt(async () => {
            round++;
            const c0 = process.cpuUsage();
            const local = localTraining(model, selected, global, data, cfg, round, streams);
            const res = await agg.aggregate({ vectors: local.uploads, weights, context: { round, clients: selected, streams: streams.child('aggregation', round), upload: 'delta' } });
            for (let i = 0; i < global.length; i++) global[i] += res.aggregate[i]!;
            const c = process.cpuUsage(c0);
            cpuMs.push((c.user + c.system) / 1000);
          }, { warmup: 1, minRuns: 5, minTimeMs: 0, maxRuns: 5 });
          // CPU time beside wall time: on a loaded machine wall time mostly measures waiting.
          const cpu = cpuMs.slice(1).sort((a, b) => a - b)[Math.floor((cpuMs.length - 1) / 2)]!;
          log(`${mode} B=${B}: median ${t.medianMs.toFixed(0)} ms wall (min ${t.minMs.toFixed(0)}), median ${cpu.toFixed(0)} ms CPU, over ${t.runs} rounds`);
          out.push({ name: `fl.round.${mode}${B === 8 ? '' : '_b' + B}_ms`, value: t.medianMs, unit: 'ms', note: `${backend}; CPU ${cpu.toFixed(0)} ms; K=10, 2 local Adam steps × batch ${B} × T 64; GPT V256 d128 L2 H4, r8 q,v` });
        } finally {
          model.dispose();
        }
      }
    } finally {
      disposeWeights(base.weights);
    }
    return out;
  },
};
export default suite;
