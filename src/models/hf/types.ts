/** Configurations of the Hugging Face architectures (no imports: src/models/config.ts unions them in). */
export interface Gpt2Config {
  arch: 'gpt2';
  vocabSize: number;
  maxPositions: number;
  hidden: number;
  layers: number;
  heads: number;
  intermediate: number;
  layerNormEps: number;
  /** 'gelu_new' (tanh form, GPT-2's) or 'gelu' (erf). */
  hiddenAct: 'gelu_new' | 'gelu';
}

export type RopeScaling =
  | { type: 'linear'; factor: number }
  | { type: 'llama3'; factor: number; lowFreqFactor: number; highFreqFactor: number; originalMaxPositions: number };

export interface LlamaConfig {
  arch: 'llama';
  modelType: 'llama' | 'qwen2' | 'mistral';
  vocabSize: number;
  maxPositions: number;
  hidden: number;
  layers: number;
  heads: number;
  kvHeads: number;
  headDim: number;
  intermediate: number;
  /** RMSNorm epsilon (named like the other configs' LayerNorm epsilon). */
  layerNormEps: number;
  ropeTheta: number;
  ropeScaling?: RopeScaling;
  /** Biases on q_proj, k_proj, v_proj (Qwen2: always; Llama: `attention_bias`). */
  qkvBias: boolean;
  /** Bias on o_proj (Llama's `attention_bias` covers it; Qwen2 has none). */
  oBias: boolean;
  mlpBias: boolean;
  tieEmbeddings: boolean;
}
