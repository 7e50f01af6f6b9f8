import { expect } from 'chai';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../src/cli/main.js';
import { inspectReport } from '../src/cli/commands/inspect.js';
import { initModel, preset, disposeWeights } from '../src/models/index.js';
import { saveCheckpoint } from '../src/models/checkpoint.js';

async function capture(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '', err = '';
  const w1 = process.stdout.write.bind(process.stdout), w2 = process.stderr.write.bind(process.stderr);
  process.stdout.write = ((s: string) => { out += s; return true; }) as typeof process.stdout.write;
  process.stderr.write = ((s: string) => { err += s; return true; }) as typeof process.stderr.write;
  try {
    const code = await main(['node', 'airlora', ...argv]);
    return { code, out, err };
  } finally {
    process.stdout.write = w1;
    process.stderr.write = w2;
  }
}

describe('lora: airlora inspect', () => {
  it('--preset bert-base, r = 8 on query, key, value, pooler → 454,656 LoRA parameters (JSON)', async () => {
    const r = await capture(['inspect', '--preset', 'bert-base', '--target-modules', 'query,key,value,pooler', '--lora-r', '8', '--json']);
    expect(r.code).to.equal(0);
    const j = JSON.parse(r.out) as { totals: { lora: number; trainable: number; baseWithoutHead: number; loraPercent: number }; modules: { module: string; lora: number }[] };
    expect(j.totals.lora).to.equal(454_656);
    expect(j.totals.trainable).to.equal(454_656);
    expect(j.totals.baseWithoutHead).to.equal(108_310_272);
    expect(j.totals.loraPercent.toFixed(2)).to.equal('0.42');
    expect(j.modules.find((m) => m.module === 'pooler.dense')!.lora).to.equal(8 * (768 + 768));
    expect(j.modules.find((m) => m.module === 'encoder.layer.0.attention.output.dense')!.lora).to.equal(0);
  });

  it('text output, checkpoint folder and scenario inputs; bad input exits 2', async () => {
    const t = await capture(['inspect', '--preset', 'gpt-small']);
    expect(t.code).to.equal(0);
    expect(t.out).to.match(/LoRA parameters: 8,192 in 4 modules/); // 2 layers × (q, v) × 8·(128 + 128)
    const dir = mkdtempSync(join(tmpdir(), 'airlora-inspect-'));
    try {
      const m = initModel(preset('gpt-tiny'), 1);
      await saveCheckpoint(join(dir, 'ck'), m);
      disposeWeights(m.weights);
      const rep = inspectReport(join(dir, 'ck'), { targetModules: 'query,key,value', freezeA: true });
      expect(rep.totals.lora).to.equal(3 * 8 * (16 + 16));
      expect(rep.totals.trainable).to.equal(3 * 8 * 16);
      const bad = await capture(['inspect', '--preset', 'nope']);
      expect(bad.code).to.equal(2);
      expect(bad.err).to.match(/model\.preset.*bert-base/);
      const none = await capture(['inspect', '--preset', 'gpt-small', '--target-modules', 'pooler']);
      expect(none.code).to.equal(2);
      expect(none.err).to.match(/lora\.target_modules/);
      writeFileSync(join(dir, 's.yaml'), 'name: s\nmodel:\n  preset: bert-base\nlora:\n  r: 8\n  target_modules: [query, key, value, pooler]\n');
      const s = await capture(['inspect', join(dir, 's.yaml'), '--json']);
      expect(s.code, s.err).to.equal(0);
      expect((JSON.parse(s.out) as { totals: { lora: number } }).totals.lora).to.equal(454_656);
      // A split scenario counts split.lora (default targets query, key, value, pooler), not a top-level lora:.
      writeFileSync(join(dir, 'split.yaml'), 'name: sp\nmodel:\n  preset: bert-base\nlora:\n  r: 2\n  target_modules: [query]\nsplit:\n  lora: { r: 8, lora_alpha: 16 }\n');
      const sp = await capture(['inspect', join(dir, 'split.yaml'), '--json']);
      expect(sp.code, sp.err).to.equal(0);
      expect((JSON.parse(sp.out) as { totals: { lora: number } }).totals.lora).to.equal(454_656);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
