/**
 * `airlora eval MODEL [--adapter DIR] --data FILE [--seq-len N] [--json]`: loss of a model (a Hugging
 * Face folder or an airlora checkpoint, optionally with a PEFT adapter) on a local file.
 * Causal LM → loss, perplexity, tokens; sequence classifier → loss, accuracy, examples (+ f1).
 */
import type { Command } from 'commander';
import { UserInputError } from '../../errors.js';
import { evaluateFile } from '../../models/hf/eval-file.js';
import { initBackend, parseBackendFlag } from '../../tf/index.js';

export function register(program: Command): void {
  program
    .command('eval')
    .description('evaluate a model folder (Hugging Face or airlora), optionally with a PEFT adapter, on a local file')
    .argument('<model>', 'model folder (config.json + model.safetensors + tokenizer.json, or an airlora checkpoint)')
    .requiredOption('--data <file>', 'causal LM: .txt or JSONL/JSON/CSV/TSV/Parquet with a text field; classifier: GLUE-style TSV/CSV/JSONL/Parquet')
    .option('--adapter <dir>', 'PEFT LoRA adapter folder (adapter_config.json + adapter_model.safetensors)')
    .option('--seq-len <n>', "chunk / truncation length (default: the model's maximum positions)")
    .option('--backend <name>', 'tfjs backend: auto, wasm, node, cpu', 'auto')
    .option('--json', 'print one JSON object')
    .action(async (model: string, flags: { data: string; adapter?: string; seqLen?: string; backend?: string; json?: boolean }) => {
      let seqLen: number | undefined;
      if (flags.seqLen !== undefined) {
        seqLen = Number(flags.seqLen);
        if (!Number.isInteger(seqLen) || seqLen < 2) throw new UserInputError(`--seq-len: '${flags.seqLen}' must be an integer ≥ 2`, '--seq-len');
      }
      await initBackend({ backend: parseBackendFlag(flags.backend ?? 'auto'), quiet: !!flags.json });
      const r = await evaluateFile(model, { data: flags.data, ...(flags.adapter ? { adapter: flags.adapter } : {}), ...(seqLen ? { seqLen } : {}) });
      if (flags.json) process.stdout.write(`${JSON.stringify(r)}\n`);
      else for (const [k, v] of Object.entries(r)) process.stdout.write(`${k} ${Number.isInteger(v) ? v : (v as number).toPrecision(6)}\n`);
    });
}
