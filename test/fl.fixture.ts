// Shared fixture for test/fl.*.test.ts: a tiny GPT over a few Brown paragraphs, split among clients.
import { initModel, preset, type PretrainedModel } from '../src/models/index.js';
import { createLoraModel, type LoraConfig } from '../src/lora/index.js';
import { prepareFederatedData, type FederatedData } from '../src/data/federated.js';
import { Tokenizer } from '../src/data/tokenizer.js';
import { RandomStreams } from '../src/random/streams.js';
import { FL_DEFAULTS, type FlConfig } from '../src/fl/config.js';

export const LORA: LoraConfig = { r: 2, lora_alpha: 4, target_modules: ['query', 'value'], lora_dropout: 0 };

export function tinyData(clients: number, seed = 5, dataset: 'brown' | 'spam' = 'brown'): { data: FederatedData; tok: Tokenizer } {
  const prep = prepareFederatedData(
    { dataset, partition: dataset === 'brown' ? { kind: 'one-label' } : { kind: 'iid' }, testFraction: 0.2, seqLen: 12, evalPerClient: 3, maxItems: dataset === 'brown' ? 300 : 120 },
    clients, new RandomStreams(seed));
  const tok = Tokenizer.train(prep.trainTexts, { vocabSize: 96 });
  return { data: prep.withTokenizer(tok), tok };
}

export function tinyBase(vocabSize: number, arch: 'gpt' | 'bert' = 'gpt'): PretrainedModel {
  return initModel(preset(arch === 'gpt' ? 'gpt-tiny' : 'bert-tiny', { vocabSize }), 3);
}

export function modelFactory(base: PretrainedModel, lora: LoraConfig = LORA) {
  return (slots: number) => createLoraModel(base, lora, slots, 7);
}

export function flConfig(over: Partial<FlConfig> & Pick<FlConfig, 'rounds' | 'clients'>): FlConfig {
  return { ...FL_DEFAULTS, localSteps: 2, batchSize: 2, lr: 0.01, ...over };
}
