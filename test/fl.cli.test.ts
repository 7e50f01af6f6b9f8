import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../src/cli/main.js';
import { readPeftAdapter } from '../src/lora/peft.js';
import { runnerKindOf } from '../src/runs/registry.js';
import { parseScenarioText } from '../src/scenario/index.js';

const SCENARIO = `
name: fl-cli-test
seed: 3
model: { preset: gpt-tiny }
lora: { r: 2, lora_alpha: 4, target_modules: [query, value] }
data: { dataset: brown, partition: { kind: one-label }, seq_len: 12, eval_per_client: 2, max_items: 200, vocab_size: 96, test_fraction: 0.2 }
fl: { rounds: 2, clients: 3, local_steps: 1, batch_size: 2, lr: 0.01 }
aggregation: [{ scheme: noisy, nmse: 0.05 }]
`;

describe('fl: airlora run (training scenarios)', function () {
  let dir: string;
  before(() => { dir = mkdtempSync(join(tmpdir(), 'airlora-run-')); });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('dispatches by sections: fl → train, else phy', () => {
    expect(runnerKindOf(parseScenarioText(SCENARIO))).to.equal('train');
    expect(runnerKindOf(parseScenarioText('name: p\nseed: 1\n'))).to.equal('phy');
  });

  it('writes manifest, metrics.csv, rounds.jsonl, tokenizer.json and a checkpoint; a complete run is not resumed', async () => {
    const file = join(dir, 's.yaml');
    writeFileSync(file, SCENARIO);
    const out = join(dir, 'run');
    expect(await main(['node', 'airlora', 'run', file, '--out', out, '--backend', 'wasm'])).to.equal(0);
    const m = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
    expect(m.status).to.equal('complete');
    expect(m.kind).to.equal('train');
    // the backend, its matrix-product engine and thread count, so a result can be traced to its engine
    expect(m.backend).to.equal('wasm');
    expect(m.engine.backend).to.equal('wasm');
    expect(['openblas', 'xnnpack']).to.include(m.engine.matmul_engine);
    expect(m.engine.threads).to.be.a('number');
    const csv = readFileSync(join(out, 'metrics.csv'), 'utf8').trim().split('\n');
    expect(csv[0]).to.equal('round,scheme,clients,train_loss,eval_loss,perplexity,accuracy,nmse,nmse_db,latency_s,energy_j');
    expect(csv).to.have.length(4);
    for (const f of ['rounds.jsonl', 'tokenizer.json', 'checkpoint.json']) expect(existsSync(join(out, f))).to.equal(true);
    // the trained adapter in PEFT's format, readable back
    const peft = readPeftAdapter(join(out, 'adapter'));
    expect(JSON.parse(readFileSync(join(out, 'adapter', 'adapter_config.json'), 'utf8')).peft_type).to.equal('LORA');
    expect(peft.lora.r).to.equal(2);
    expect(peft.lora.lora_alpha).to.equal(4);
    expect(peft.modules.size).to.be.greaterThan(0);
    for (const m of peft.modules.values()) expect(m.A.length + m.B.length).to.be.greaterThan(0);
    expect(await main(['node', 'airlora', 'run', file, '--resume', out])).to.equal(0);
  });

  it('bad values exit 2 with the field named', async () => {
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, SCENARIO.replace('optimizer', 'x').replace('lr: 0.01', 'lr: -1'));
    expect(await main(['node', 'airlora', 'run', file, '--out', join(dir, 'bad')])).to.equal(2);
  });
});
