/** One parameter of a model's inventory (src/models/params.ts); its own file so that the Hugging Face
 * inventories (src/models/hf/params.ts) share the type without an import cycle. */
export type ParamKind = 'linear' | 'layernorm' | 'embedding';

export interface ParamSpec {
  /** Full parameter name, e.g. `encoder.layer.0.attention.self.query.kernel`. */
  name: string;
  /** Owning module, e.g. `encoder.layer.0.attention.self.query`. */
  module: string;
  kind: ParamKind;
  shape: number[];
  /** Initialisation: normal(0, std) for 'normal', zeros, ones. */
  init: { type: 'normal'; std: number } | { type: 'zeros' } | { type: 'ones' };
}
