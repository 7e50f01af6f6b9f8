import { expect } from 'chai';
import { countParameters, linearModules, parameterSpecs, preset, PRESETS, validateModelConfig } from '../src/models/index.js';
import { adaptedModules, countLora, targetMatches } from '../src/lora/config.js';
import { UserInputError } from '../src/errors.js';

describe('models: parameter inventory (no allocation)', () => {
  it('bert-base has 108,310,272 base parameters (bert-base-cased), head 1,538 extra', () => {
    const c = preset('bert-base');
    expect(countParameters(c, { excludeHead: true })).to.equal(108_310_272);
    expect(countParameters(c)).to.equal(108_310_272 + 768 * 2 + 2);
  });

  it('bert-base with LoRA r = 8 on query, key, value and the pooler dense has exactly 454,656 LoRA parameters (0.42%)', () => {
    const c = preset('bert-base');
    const n = countLora(c, { r: 8, lora_alpha: 16, target_modules: ['query', 'key', 'value', 'pooler'], lora_dropout: 0.05 });
    expect(n.modules.length).to.equal(37);
    expect(n.total).to.equal(454_656);
    expect(n.trainable).to.equal(454_656);
    expect((100 * n.total) / countParameters(c, { excludeHead: true })).to.be.closeTo(0.42, 0.005);
    // PEFT spelling 'pooler.dense' selects the same module.
    expect(countLora(c, { r: 8, lora_alpha: 16, target_modules: ['query', 'key', 'value', 'pooler.dense'], lora_dropout: 0 }).total).to.equal(454_656);
  });

  it('frozen A leaves r·out trainable per module', () => {
    const c = preset('bert-base');
    const n = countLora(c, { r: 8, lora_alpha: 16, target_modules: ['query', 'key', 'value', 'pooler'], lora_dropout: 0, train_A: false });
    expect(n.total).to.equal(454_656);
    expect(n.trainable).to.equal(37 * 8 * 768);
  });

  it('GPT parameter count matches the closed form (tied head)', () => {
    const c = preset('gpt-small', { vocabSize: 300 });
    if (c.arch !== 'gpt') throw new Error('arch');
    const d = c.hidden, f = c.intermediate;
    const perLayer = 4 * (d * d + d) + (d * f + f) + (f * d + d) + 4 * d;
    expect(countParameters(c)).to.equal(300 * d + c.maxPositions * d + c.layers * perLayer + 2 * d);
    const untied = preset('gpt-small', { vocabSize: 300, tieEmbeddings: false } as never);
    expect(countParameters(untied) - countParameters(c)).to.equal(d * 300 + 300);
  });

  it('target matching follows PEFT suffixes, plus a module prefix', () => {
    expect(targetMatches('encoder.layer.0.attention.self.query', 'query')).to.equal(true);
    expect(targetMatches('encoder.layer.0.attention.self.query', 'uery')).to.equal(false);
    expect(targetMatches('pooler.dense', 'pooler')).to.equal(true);
    expect(targetMatches('pooler.dense', 'dense')).to.equal(true);
    const dense = adaptedModules(preset('bert-tiny'), { r: 2, lora_alpha: 2, target_modules: ['dense'], lora_dropout: 0 });
    expect(dense.map((m) => m.module)).to.deep.equal([
      'encoder.layer.0.attention.output.dense', 'encoder.layer.0.intermediate.dense', 'encoder.layer.0.output.dense', 'pooler.dense',
    ]);
    expect(() => adaptedModules(preset('gpt-tiny'), { r: 2, lora_alpha: 2, target_modules: ['pooler'], lora_dropout: 0 })).to.throw(UserInputError, /pooler/);
  });

  it('every preset validates, names are unique and linear kernels are [in, out]', () => {
    for (const name of Object.keys(PRESETS)) {
      const c = preset(name);
      const names = parameterSpecs(c).map((p) => p.name);
      expect(new Set(names).size).to.equal(names.length);
      for (const m of linearModules(c)) expect(m.in * m.out).to.be.greaterThan(0);
    }
  });

  it('bad configs give UserInputError naming the field', () => {
    expect(() => preset('gpt-huge')).to.throw(UserInputError, /model\.preset.*gpt-small/);
    expect(() => validateModelConfig({ ...preset('gpt-tiny'), heads: 3 })).to.throw(UserInputError, /model\.heads/);
    expect(() => validateModelConfig({ ...preset('gpt-tiny'), layers: 0 })).to.throw(UserInputError, /model\.layers/);
  });
});
