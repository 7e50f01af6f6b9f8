// Issue 13: `airlora validate` over thousands of generated malformed scenarios (every field of five
// valid scenarios: wrong types, huge and tiny numbers, NaN/±inf, unknown keys, removed keys, truncated
// and garbled YAML). Each must be accepted or refused with a UserInputError that names the field (or
// the YAML position) and carries no stack trace, within bounded time and memory. In-process for speed,
// plus a handful through the real CLI (exit 2, no stack frames on stderr).
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { UserInputError } from '../src/errors.js';
import { RandomStreams } from '../src/random/streams.js';
import { validateScenarioText } from '../src/cli/commands/validate.js';

const BASES: Record<string, Record<string, unknown>> = {
  phy: {
    name: 'fz-phy', seed: 3, trials: 4,
    phy: { devices: 4, antennas: { device: 2, server: [4, 8] }, streams: 2, subcarriers: 8, payload: 256, snr_db: [0, 10],
      power: { mode: 'symbol' }, weights: [1, 2, 3, 4], channel: { iid_subcarriers: true, csi_error: 0.1, correlation: { device: 0.2, server: 0.1 } } },
    aggregation: ['ideal', 'zf', { scheme: 'tci', threshold: 0.1 }, { scheme: 'manifold', max_iter: 5 }],
  },
  pathloss: {
    name: 'fz-pl', phy: { devices: 3, subcarriers: 4, power: { dbm: [10, 20] }, channel: { path_loss: { exponent: 3, d_min: 10, d_max: 100 }, multipath: { taps: 2 } } },
    aggregation: ['mmse'], sweep: { grid: { 'phy.antennas.server': [4, 8] }, trials: 2 },
  },
  train: {
    name: 'fz-train', seed: 1,
    data: { dataset: 'brown', partition: { kind: 'dirichlet', alpha: 0.5 }, seq_len: 16, max_items: 100, vocab_size: 64 },
    model: { preset: 'gpt-small', overrides: { layers: 1, hidden: 16, heads: 2, intermediate: 32 } },
    lora: { r: 2, lora_alpha: 4, target_modules: ['query', 'value'] },
    fl: { rounds: 2, clients: 3, selection: { count: 2 }, local_steps: 1, batch_size: 2, lr: 0.01 },
    aggregation: [{ scheme: 'noisy', nmse: 0.01 }],
  },
  airfl: {
    name: 'fz-airfl', data: { dataset: 'spam', seq_len: 16, vocab_size: 64 }, model: { preset: 'bert-small', overrides: { layers: 1, hidden: 16, heads: 2, intermediate: 32 } },
    fl: { rounds: 2, clients: 3 }, airfl: { ranks: [1, 2], design: { ranks: [1, 2], estimate_rounds: 3 } },
    phy: { snr_db: 10, antennas: { server: 4 }, streams: 1, subcarriers: 8 }, aggregation: ['ideal', 'zf', { scheme: 'digital', bits: 4 }],
  },
  split: {
    name: 'fz-split', split: { devices: 3, rounds: 2, batch_size: 2, lora: { r: 2, lora_alpha: 4 }, radio: { tx_power_dbm: 20 },
      lyapunov: { V: 0.1 }, schedulers: ['lyapunov', 'random'], tasks: [{ name: 'spam', seq_len: 16, vocab_size: 64, max_items: 200 }] },
  },
};

/** Every path (objects and lists, depth first) of a value. */
function paths(v: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  const out: (string | number)[][] = prefix.length ? [prefix] : [];
  if (Array.isArray(v)) v.forEach((x, i) => out.push(...paths(x, [...prefix, i])));
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) out.push(...paths(x, [...prefix, k]));
  return out;
}

function setAt(root: Record<string, unknown>, path: (string | number)[], value: unknown, remove = false): void {
  let o = root as Record<string | number, unknown>;
  for (const k of path.slice(0, -1)) o = o[k] as Record<string | number, unknown>;
  const last = path[path.length - 1]!;
  if (remove) { if (Array.isArray(o)) o.splice(last as number, 1); else delete o[last]; } else o[last] = value;
}

const WEIRD: unknown[] = [
  'x', '', ' ', 'a\nb', true, false, null, [], {}, [1, 'a'], { k: 1 }, 0, -1, -0.5, 0.5, 1.5, 3, 1e9, 2 ** 53, 1e300, -1e300,
  1e-320, 5e-324, 'NaN_', '.nan', '.inf', '-.inf', 'ideal', 'zf', 7.25, [0], [-1], [1e308, 1e308], 'x'.repeat(300),
];

/** A scenario text: a base with one to three mutations, or a truncated / garbled one. */
function malformed(rng: { uniform(): number; int(n: number): number }): { text: string; what: string } {
  const names = Object.keys(BASES);
  const baseName = names[rng.int(names.length)]!;
  const s = structuredClone(BASES[baseName]!);
  const what: string[] = [baseName];
  const n = 1 + rng.int(3);
  for (let i = 0; i < n; i++) {
    const ps = paths(s);
    if (!ps.length) break;
    const p = ps[rng.int(ps.length)]!;
    const r = rng.uniform();
    if (r < 0.1) { setAt(s, p, undefined, true); what.push(`remove ${p.join('.')}`); continue; }
    if (r < 0.2) {
      // unknown key next to p
      const parent = p.slice(0, -1);
      let o: unknown = s;
      for (const k of parent) o = (o as Record<string | number, unknown>)[k];
      if (o && typeof o === 'object' && !Array.isArray(o)) { (o as Record<string, unknown>)[`unknown_${rng.int(100)}`] = 1; what.push(`unknown key in ${parent.join('.')}`); }
      continue;
    }
    const v = WEIRD[rng.int(WEIRD.length)];
    setAt(s, p, structuredClone(v), false);
    what.push(`${p.join('.')} = ${JSON.stringify(v)?.slice(0, 20)}`);
  }
  let text = stringify(s);
  // YAML spellings for NaN and infinities (stringify wrote them as strings)
  text = text.replace(/"?(\.nan|\.inf|-\.inf)"?/g, '$1');
  const r = rng.uniform();
  if (r < 0.08) { text = text.slice(0, rng.int(text.length)); what.push('truncated'); }
  else if (r < 0.12) {
    const i = rng.int(text.length);
    text = text.slice(0, i) + ['{', '[', ':', '"', '&a', '*b', '\t', '\u0000', '- '][rng.int(9)] + text.slice(i);
    what.push('garbled');
  }
  return { text, what: what.join('; ') };
}

describe('reliability: validate fuzz', function () {
  this.timeout(300_000);

  it('2000 malformed scenarios: accepted or a UserInputError naming the field, no stack, bounded time and memory', async () => {
    const rng = new RandomStreams(13).stream('fuzz');
    const rss0 = process.memoryUsage().rss;
    let refused = 0, accepted = 0, slowest = 0;
    const fields = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      const { text, what } = malformed(rng);
      const t0 = performance.now();
      try {
        await validateScenarioText(text, 'fuzz.yaml', { limitBytes: 4 * 2 ** 30 });
        accepted++;
      } catch (e) {
        if (!(e instanceof UserInputError)) throw new Error(`case ${i} (${what}) threw ${(e as Error)?.name}: ${(e as Error)?.stack}\n--- scenario ---\n${text}`);
        refused++;
        const m = e.message;
        expect(m, `case ${i} (${what})`).to.not.match(/\n\s+at /);
        expect(m.length, `case ${i} (${what}) message length`).to.be.below(4000);
        const yamlLevel = /not valid YAML|YAML mapping|tagged value/.test(m);
        if (!yamlLevel) {
          expect(e.field, `case ${i} (${what}): ${m}`).to.be.a('string');
          expect(m, `case ${i} (${what})`).to.include(e.field!.replace(/^FILE$/, 'fuzz.yaml'));
          fields.add(e.field!.replace(/\[\d+\]/g, '[]'));
        }
      }
      slowest = Math.max(slowest, performance.now() - t0);
    }
    expect(refused).to.be.above(1000);
    expect(accepted).to.be.above(20); // some mutations are harmless: the generator does not only break things
    expect(fields.size).to.be.above(40); // refusals name many different fields
    expect(slowest).to.be.below(5000);
    expect(process.memoryUsage().rss - rss0).to.be.below(1.5 * 2 ** 30);
  });

  it('through the real CLI: exit 2, one error line naming the field, no stack frames (two spawns: the rest is in-process)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'airlora-fuzz-'));
    try {
      const cases: [string, RegExp][] = [
        ['name: a\nphy: { antennas: { server: 0 }, streams: 2 }\n', /phy\.antennas\.server: 0 is not allowed/],
        ['name: "a\\u0000b"\n', /^error: .*name: 'a\\u0000b' is not allowed/],
      ];
      for (const [text, want] of cases) {
        const f = join(dir, 's.yaml');
        writeFileSync(f, text);
        const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/dev.ts', 'validate', f], { encoding: 'utf8', timeout: 240_000 });
        expect(r.status, r.stderr).to.equal(2);
        expect(r.stderr).to.match(want);
        expect(r.stderr).to.not.match(/\n\s+at /);
        expect(r.stderr.trim().split('\n')).to.have.length(1);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
