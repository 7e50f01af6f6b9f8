// The override flags and `airlora list`: --set is YAML-typed, validated like the file, refused through
// built-in object members, recorded in the manifest; --trials/--seed land at the run kind's own paths;
// `list --json` reads the code's own tables (schemes with their capabilities).
import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../src/cli/main.js';
import { applySets, parseSet } from '../src/scenario/overrides.js';
import { UserInputError } from '../src/errors.js';
import { listItems } from '../src/cli/commands/list.js';
import * as tf from '@tensorflow/tfjs';

const PHY = 'name: ov\nseed: 2\ntrials: 3\nphy: { devices: 3, antennas: { device: 1, server: 2 }, streams: 1, subcarriers: 4, snr_db: [0] }\naggregation: [ideal, zf]\n';

describe('cli: --set, --trials/--seed, list', function () {
  this.timeout(120_000);
  let dir: string;
  before(() => { dir = mkdtempSync(join(tmpdir(), 'airlora-ov-')); });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('--set values are YAML-typed, create sections, and refuse __proto__ / constructor paths and malformed input', () => {
    expect(parseSet('phy.snr_db=[0, 10]').value).to.deep.equal([0, 10]);
    expect(parseSet('fl.lr=1e-3').value).to.equal(0.001);
    expect(parseSet('name=run 2').value).to.equal('run 2');
    const out = applySets({ name: 'x' }, [parseSet('phy.antennas.server=16')]);
    expect(out).to.deep.equal({ name: 'x', phy: { antennas: { server: 16 } } });
    expect(() => parseSet('__proto__.polluted=1')).to.throw(UserInputError, /not a scenario key/);
    expect(() => parseSet('phy.constructor=1')).to.throw(UserInputError, /not a scenario key/);
    expect(() => parseSet('novalue')).to.throw(UserInputError, /not path=value/);
    expect(() => applySets({ name: 'x' }, [parseSet('name.sub=1')])).to.throw(UserInputError, /is a value, not a section/);
    expect(({} as Record<string, unknown>)['polluted']).to.equal(undefined);
  });

  it('run --set / --trials / --seed: validated like the file, applied at the kind\'s paths, recorded in the manifest', async () => {
    const file = join(dir, 'p.yaml');
    writeFileSync(file, PHY);
    const out = join(dir, 'run');
    expect(await main(['node', 'airlora', 'run', file, '--out', out, '--set', 'phy.snr_db=[10]', '--trials', '2', '--seed', '5'])).to.equal(0);
    const m = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
    expect(m.scenario.phy.snr_db).to.deep.equal([10]);
    expect(m.scenario.trials).to.equal(2);
    expect(m.seed).to.equal(5);
    expect(m.overrides).to.deep.equal({ set: ['phy.snr_db=[10]'], trials: 2, seed: 5 });
    const trials = readFileSync(join(out, 'phy-trials.csv'), 'utf8').trim().split('\n').slice(1);
    expect(new Set(trials.map((l) => l.split(',')[0]))).to.deep.equal(new Set(['0', '1']));
    // a bad value through --set is refused like the file's own (exit 2), a flag the kind lacks too
    expect(await main(['node', 'airlora', 'run', file, '--out', join(dir, 'bad'), '--set', 'phy.devices=-1'])).to.equal(2);
    expect(await main(['node', 'airlora', 'run', file, '--out', join(dir, 'bad2'), '--rounds', '3'])).to.equal(2);
  });

  it('a scenario\'s backend: key chooses the backend of a training run; the manifest records it', async () => {
    const prev = tf.getBackend();
    const file = join(dir, 't.yaml');
    writeFileSync(file, 'name: be\nseed: 1\nbackend: cpu\nmodel: { preset: gpt-tiny }\nlora: { r: 2, lora_alpha: 4, target_modules: [query] }\n' +
      'data: { dataset: brown, partition: { kind: iid }, seq_len: 8, eval_per_client: 1, max_items: 60, vocab_size: 64, test_fraction: 0.2 }\n' +
      'fl: { rounds: 1, clients: 2, local_steps: 1, batch_size: 2, lr: 0.01 }\n');
    try {
      expect(await main(['node', 'airlora', 'run', file, '--out', join(dir, 'be')])).to.equal(0);
      const m = JSON.parse(readFileSync(join(dir, 'be', 'manifest.json'), 'utf8'));
      expect(m.backend).to.equal('cpu');
      expect(m.engine.backend).to.equal('cpu');
    } finally {
      if (prev) await tf.setBackend(prev);
    }
  });

  it('list --json reads the code\'s tables: every scheme with its capabilities, presets, datasets, architectures', () => {
    const schemes = listItems('schemes');
    const byName = Object.fromEntries(schemes.map((s) => [s.name, s]));
    for (const n of ['ideal', 'zf', 'mmse', 'tci', 'manifold', 'digital', 'noisy']) expect(byName).to.have.property(n);
    expect((byName['tci']!['capabilities'] as { maxStreams: string }).maxStreams).to.equal('single');
    expect((byName['digital']!['capabilities'] as { phy: boolean }).phy).to.equal(false);
    expect(listItems('presets').map((p) => p.name)).to.include('nmse_vs_snr');
    expect(listItems('datasets').map((p) => p.name)).to.deep.equal(['brown', 'spam', 'local']);
    expect(listItems('architectures').map((p) => p.name)).to.include.members(['gpt2', 'llama', 'bert']);
  });
});
