import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../src/cli/main.js';

const SCENARIO = (schemes: string, seed = 5) => `name: cli-phy
seed: ${seed}
trials: 4
phy:
  devices: 4
  antennas: { device: 2, server: [2, 4] }
  streams: 2
  subcarriers: 8
  payload: 300
  snr_db: [0, 20]
  channel: { multipath: { taps: 2 } }
aggregation: [${schemes}]
`;

/** Run the CLI in-process, capturing stdout/stderr. */
async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '', err = '';
  const ow = process.stdout.write.bind(process.stdout), ew = process.stderr.write.bind(process.stderr);
  process.stdout.write = ((s: string | Uint8Array) => { out += String(s); return true; }) as typeof process.stdout.write;
  process.stderr.write = ((s: string | Uint8Array) => { err += String(s); return true; }) as typeof process.stderr.write;
  try {
    const code = await main(['node', 'airlora', ...args]);
    return { code, out, err };
  } finally {
    process.stdout.write = ow;
    process.stderr.write = ew;
  }
}

describe('cli.phy', () => {
  let dir: string;
  before(() => { dir = mkdtempSync(join(tmpdir(), 'airlora-cli-phy-')); });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('a bad scenario exits 2 with path, value and allowed values and no stack trace (spawned CLI)', () => {
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'name: bad\nphy:\n  antennas: { server: ten }\n');
    const r = spawnSync('npx', ['tsx', 'src/cli/dev.ts', 'validate', bad], { encoding: 'utf8' });
    expect(r.status).to.equal(2);
    expect(r.stderr).to.include("phy.antennas.server: 'ten' is not allowed; expected an integer ≥ 1");
    expect(r.stderr).not.to.match(/\n\s+at /); // no stack frames
  });

  it('validate accepts the shipped scenarios; phy flags are checked', async () => {
    for (const f of ['phy-quickstart', 'phy-snr-sweep', 'phy-antennas']) {
      const r = await cli(['validate', `scenarios/${f}.yaml`]);
      expect(r.code, r.err).to.equal(0);
      expect(r.out).to.include('valid scenario');
    }
    const file = join(dir, 'ok.yaml');
    writeFileSync(file, SCENARIO('zf'));
    const r = await cli(['phy', file, '--trials', 'many']);
    expect(r.code).to.equal(2);
    expect(r.err).to.include("--trials: 'many' is not allowed; expected an integer ≥ 1");
  });

  it('phy: same seed gives the same bytes; scheme order changes nothing; summary has CIs and trial counts', async () => {
    const a = join(dir, 'a.yaml'), b = join(dir, 'b.yaml');
    writeFileSync(a, SCENARIO('ideal, zf, mmse, { scheme: tci, threshold: 0.2 }'));
    writeFileSync(b, SCENARIO('{ scheme: tci, threshold: 0.2 }, mmse, ideal, zf'));
    const runs: Record<string, { trials: string; summary: string }> = {};
    for (const [tag, file] of [['a1', a], ['a2', a], ['b', b]] as const) {
      const out = join(dir, `out-${tag}`);
      const r = await cli(['phy', file, '--out', out, '--no-progress']);
      expect(r.code, r.err).to.equal(0);
      expect(r.out).to.include('NMSE mean dB');
      runs[tag] = { trials: readFileSync(join(out, 'phy-trials.csv'), 'utf8'), summary: readFileSync(join(out, 'phy-summary.csv'), 'utf8') };
      expect(JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')).status).to.equal('complete');
    }
    expect(runs.a1!.trials).to.equal(runs.a2!.trials);
    expect(runs.a1!.summary).to.equal(runs.a2!.summary);
    // tidy: header + trials × N_r × points × schemes rows
    expect(runs.a1!.trials.trim().split('\n')).to.have.length(1 + 4 * 2 * 2 * 4);
    const byScheme = (csv: string) => {
      const lines = csv.trim().split('\n');
      const col = lines[0]!.split(',').indexOf('scheme');
      const m = new Map<string, string[]>();
      for (const l of lines.slice(1)) {
        const k = l.split(',')[col]!;
        m.set(k, [...(m.get(k) ?? []), l]);
      }
      return m;
    };
    const A = byScheme(runs.a1!.trials), B = byScheme(runs.b!.trials);
    for (const s of ['ideal', 'zf', 'mmse', 'tci']) expect(B.get(s), s).to.deep.equal(A.get(s));

    const j = await cli(['phy', a, '--json', '--seed', '6']);
    const parsed = JSON.parse(j.out) as { seed: number; summary: Array<Record<string, number | string>> };
    expect(parsed.seed).to.equal(6);
    expect(parsed.summary).to.have.length(4 * 2 * 2);
    const zf = parsed.summary.find((r) => r.scheme === 'zf' && r.server_antennas === 4 && r.point === 'snr=20')!;
    expect(zf.trials).to.equal(4);
    expect(zf.nmse_ci_low as number).to.be.below(zf.nmse_mean as number);
    expect(zf.nmse_ci_high as number).to.be.above(zf.nmse_mean as number);
    // a different seed gives different numbers
    const a1zf = A.get('zf')!;
    expect(runs.a1!.summary).not.to.equal('');
    expect(a1zf.length).to.equal(16);
  });
});
