/**
 * A trained split model's adapters in PEFT's format (src/lora/peft.ts), so the result of a split run
 * on a Hugging Face BERT loads with `PeftModel.from_pretrained(base, DIR)` or `airlora eval --adapter`:
 * the server's encoder adapters and the device's pooler adapter under their HF module paths
 * (`bert.encoder.layer.0.attention.self.query`, `bert.pooler.dense`), and the fully trained head as
 * a `modules_to_save` entry (`classifier`). The split of the model over two sides does not show in
 * the file: it is the same adapter an unsplit run would write.
 */
import { writePeftAdapter, type LoraFactors } from '../lora/peft.js';
import { CLASSIFIER, type SplitLoraModel } from './model.js';

/** The model's LoRA factors (encoder adapters, then the pooler's), airlora's [in, r] and [r, out] layout. */
export function splitFactors(m: SplitLoraModel): LoraFactors[] {
  return [...m.encoder, m.pooler].map((p) => ({
    module: p.module, in: p.A.shape[0]!, out: p.B.shape[1]!,
    A: p.A.dataSync() as Float32Array, B: p.B.dataSync() as Float32Array,
  }));
}

/** Write `adapter_config.json` and `adapter_model.safetensors` of the trained model into `dir`. */
export function writeSplitAdapter(dir: string, m: SplitLoraModel, baseModel?: string): void {
  const [din, dout] = m.head.W.shape as [number, number];
  writePeftAdapter(dir, {
    lora: m.opts.lora, model: m.config, factors: splitFactors(m), ...(baseModel !== undefined ? { baseModel } : {}),
    modulesToSave: [{ module: CLASSIFIER, kernel: { in: din, out: dout, data: m.head.W.dataSync() as Float32Array }, bias: m.head.b.dataSync() as Float32Array }],
  });
}
