import { expect } from 'chai';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../src/cli/main.js';
import { tdlTaps } from '../src/phy/channel/index.js';

async function capture(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const w = process.stdout.write.bind(process.stdout), e = process.stderr.write.bind(process.stderr);
  let out = '', err = '';
  process.stdout.write = ((s: string) => ((out += s), true)) as typeof process.stdout.write;
  process.stderr.write = ((s: string) => ((err += s), true)) as typeof process.stderr.write;
  try {
    const code = await main(['node', 'airlora', ...argv]);
    return { code, out, err };
  } finally {
    process.stdout.write = w;
    process.stderr.write = e;
  }
}

describe('airlora channel', () => {
  const dir = mkdtempSync(join(tmpdir(), 'airlora-channel-'));
  const file = join(dir, 's.yaml');
  writeFileSync(file, 'name: ch\nseed: 3\nphy:\n  devices: 3\n  antennas: { device: 2, server: 4 }\n  subcarriers: 32\n  subcarrier_spacing_khz: 30\n  snr_db: 10\n  channel:\n    tdl: { profile: D, delay_spread_ns: 200 }\n    mobility: { max_doppler_hz: 100 }\n');

  it('--json prints exactly the issue\'s fields: the TDL-D taps, its 13.3 dB K-factor, f_D, ≥ 3 lags of each correlation', async () => {
    const r = await capture(['channel', file, '--draws', '4', '--json']);
    expect(r.code, r.err).to.equal(0);
    const j = JSON.parse(r.out) as Record<string, unknown> & { taps: { delay_s: number; power: number; los: boolean }[]; frequency_correlation: unknown[]; time_autocorrelation: { lag_s: number; value: number }[] };
    expect(Object.keys(j).sort()).to.deep.equal(['draws', 'frequency_correlation', 'k_factor_db', 'max_doppler_hz', 'taps', 'time_autocorrelation']);
    expect(j.draws).to.equal(4);
    expect(j.k_factor_db).to.be.closeTo(13.3, 1e-9);
    expect(j.max_doppler_hz).to.equal(100);
    const ref = tdlTaps('D', 200e-9);
    expect(j.taps.map((t) => Object.keys(t).sort().join())).to.deep.equal(ref.map(() => 'delay_s,los,power'));
    j.taps.forEach((t, i) => {
      expect(t.delay_s).to.be.closeTo(ref[i]!.delayS, 1e-18);
      expect(t.power).to.be.closeTo(ref[i]!.power, 1e-15);
      expect(t.los).to.equal(i === 0);
    });
    expect(j.frequency_correlation.length).to.be.at.least(3);
    expect(j.time_autocorrelation.length).to.be.at.least(3);
    for (const t of j.time_autocorrelation) expect(t.value).to.be.within(-1, 1);
  });

  it('text output without --json; a bad --draws exits 2 naming the flag', async () => {
    const r = await capture(['channel', file, '--draws', '2']);
    expect(r.code).to.equal(0);
    expect(r.out).to.match(/K-factor: 13\.30 dB/).and.match(/frequency correlation/).and.match(/time autocorrelation/);
    const bad = await capture(['channel', file, '--draws', '0']);
    expect(bad.code).to.equal(2);
    expect(bad.err).to.match(/--draws/);
  });
});
