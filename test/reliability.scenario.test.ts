// Issue 13, input side: sizes that cannot fit are refused before allocating (field and estimate named),
// refinements survive structurally wrong input, numbers that overflow later are refused up front,
// names and sweep paths that would break folders or built-ins are refused, validate = run's start-up.
import { expect } from 'chai';
import { UserInputError } from '../src/errors.js';
import { parseScenario, parseScenarioText } from '../src/scenario/load.js';
import { checkMemory, estimateMemory, parseMemorySize, setMemoryLimit, memoryLimit } from '../src/scenario/memory.js';
import { startupChecks } from '../src/scenario/startup.js';
import { expandSweep } from '../src/sweep/grid.js';
import { validateScenarioText } from '../src/cli/commands/validate.js';
import { readdirSync } from 'node:fs';
import { readScenarioFile } from '../src/scenario/load.js';

const GiB = 2 ** 30;
const err = (f: () => unknown): UserInputError => {
  try { f(); } catch (e) { if (e instanceof UserInputError) return e; throw e; }
  throw new Error('no UserInputError');
};
const aerr = async (f: () => Promise<unknown>): Promise<UserInputError> => {
  try { await f(); } catch (e) { if (e instanceof UserInputError) return e; throw e; }
  throw new Error('no UserInputError');
};

describe('reliability: scenario input', function () {
  this.timeout(60_000);

  it('sizes that cannot fit in 8 GiB are refused naming the field and the estimate', () => {
    const cases: [string, string][] = [
      ['phy: { devices: 1000000000 }', 'phy.devices'],
      ['phy: { subcarriers: 30000000 }', 'phy.subcarriers'],
      ['phy: { payload: 1000000000000 }', 'phy.payload'],
      ['phy: { antennas: { server: 1000000 } }', 'phy.antennas.server'],
      ['trials: 1000000000', 'trials'],
      ['fl: { clients: 1000000000 }\ndata: {}', 'fl.clients'],
      ['fl: {}\ndata: {}\nlora: { r: 1000000000 }', 'lora.r'],
      ['fl: {}\ndata: {}\nmodel: { preset: gpt-small, overrides: { hidden: 100000 } }', 'model.overrides.hidden'],
      ['split: { devices: 1000000000 }', 'split.devices'],
    ];
    for (const [yaml, field] of cases) {
      const s = parseScenario(`name: big\n${yaml}\n`);
      const e = err(() => checkMemory(s, 8 * GiB));
      expect(e.field, yaml).to.equal(field);
      expect(e.message, yaml).to.match(new RegExp(`^${field.replace(/\./g, '\\.')}: .*would need about [\\d.]+ [KMGTPE]iB of memory .*more than 8.00 GiB`));
    }
  });

  it('the shipped scenarios need well under 1 GiB by the estimate', () => {
    for (const f of readdirSync('scenarios').filter((x) => x.endsWith('.yaml'))) {
      const raw = readScenarioFile(`scenarios/${f}`);
      expect(estimateMemory(raw).bytes, f).to.be.below(GiB);
    }
  });

  it('a 10⁸-job sweep is refused before a single job is built', () => {
    const grid: Record<string, number[]> = {};
    for (const p of ['phy.snr_db', 'phy.devices', 'phy.streams', 'phy.subcarriers', 'phy.antennas.device', 'phy.payload', 'seed_x', 'trials']) grid[p] = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    delete grid['seed_x'];
    const s = { name: 'g', phy: {}, trials: 1, sweep: { grid, trials: 10 } };
    const t0 = performance.now();
    expect(() => expandSweep(s, { strictPaths: false })).to.throw(UserInputError, /= 100000000 jobs; at most 100000/);
    expect(() => startupChecks(s)).to.throw(UserInputError, /^sweep\.grid: 100000000 jobs/);
    expect(performance.now() - t0).to.be.below(2000);
  });

  it('--max-memory sizes parse (units are powers of 1024) and set the limit', () => {
    expect(parseMemorySize('8G')).to.equal(8 * GiB);
    expect(parseMemorySize('512MiB')).to.equal(512 * 2 ** 20);
    expect(parseMemorySize('1.5g')).to.equal(1.5 * GiB);
    expect(parseMemorySize('1000')).to.equal(1000);
    for (const bad of ['', 'lots', '-1G', '0', '8X']) expect(() => parseMemorySize(bad), bad).to.throw(UserInputError, /--max-memory/);
    setMemoryLimit(1234);
    try { expect(memoryLimit()).to.deep.equal({ bytes: 1234, source: '--max-memory' }); } finally { setMemoryLimit(undefined); }
  });

  it('phy.antennas.server 0 or negative (also from a sweep grid value) is a field error, not a crash in a refinement', () => {
    for (const v of ['0', '-3', '[8, 0]', '[]', '"x"']) {
      const e = err(() => parseScenario(`name: a\nphy: { antennas: { server: ${v} }, streams: 2 }\n`));
      expect(e.message, v).to.match(/phy\.antennas\.server(\[\d\])?: .*is not allowed/);
    }
    const plan = expandSweep({ name: 'a', phy: { antennas: { server: 8 } }, sweep: { grid: { 'phy.antennas.server': [8, 0] } } });
    expect(() => parseScenario(JSON.stringify(plan.jobs[1]!.scenario))).to.throw(UserInputError, /phy\.antennas\.server: 0 is not allowed/);
  });

  it('values that overflow later are refused: phy.weights summing past 1.8e308, split tx power outside [-60, 60] dBm', () => {
    expect(err(() => parseScenario('name: w\nphy: { devices: 3, weights: [1e308, 1e308, 1] }\n')).message).to.match(/phy\.weights: .*sum is finite/);
    expect(parseScenario('name: w\nphy: { devices: 3, weights: [1e300, 1e300, 1] }\n').phy.weights).to.have.length(3);
    for (const p of [-200, 3000]) {
      expect(err(() => parseScenario(`name: s\nsplit: { radio: { tx_power_dbm: ${p} } }\n`)).message).to.match(/split\.radio\.tx_power_dbm: .*\[-60, 60\]/);
    }
  });

  it('blank, newline, NUL and 300-character names are refused with the value escaped on one line', () => {
    for (const n of ['"   "', '"a\\nb"', '"a\\0b"', 'x'.repeat(300), '"a/b"']) {
      const e = err(() => parseScenario(`name: ${n}\n`));
      expect(e.message, n).to.match(/name: .* is not allowed; expected a non-empty name/);
      expect(e.message).to.not.match(/[\u0000\n]/);
    }
  });

  it('YAML alias bombs, tagged top-level values and sweep paths through __proto__/constructor are refused', () => {
    const bomb = ['name: x', 'a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]', 'b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]',
      'c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]', 'd: [*c, *c, *c, *c, *c, *c, *c, *c, *c]'].join('\n');
    expect(err(() => parseScenarioText(bomb, 'bomb.yaml')).message).to.match(/^bomb\.yaml: not valid YAML: Excessive alias count/);
    expect(err(() => parseScenarioText('!!binary aGVsbG8=', 't')).message).to.match(/YAML mapping/);
    for (const p of ['__proto__.toString', 'phy.constructor', 'prototype']) {
      expect(err(() => parseScenario(`name: x\nsweep: { grid: { ${p}: [1] } }\n`)).message, p).to.match(/without __proto__, constructor or prototype/);
      expect(() => expandSweep({ name: 'x', sweep: { grid: { [p]: [1] } } }, { strictPaths: false }), p).to.throw(UserInputError);
    }
    expect(({} as Record<string, unknown>)['toString']).to.equal(Object.prototype.toString);
  });

  it('validate refuses what run refuses at start-up: lists of SNRs or server antennas in a training run, sizes, bad sweep points', async () => {
    const train = 'name: t\nfl: { rounds: 1 }\ndata: {}\nairfl: {}\n';
    expect((await aerr(() => validateScenarioText(`${train}phy: { snr_db: [0, 10] }\n`))).field).to.equal('phy.snr_db');
    expect((await aerr(() => validateScenarioText(`${train}phy: { antennas: { server: [8, 16] } }\n`))).field).to.equal('phy.antennas.server');
    expect((await aerr(() => validateScenarioText('name: p\nphy: { devices: 1000000000 }\n'))).field).to.equal('phy.devices');
    const sweepBad = `${train}phy: { snr_db: 10 }\nsweep: { grid: { phy.snr_db: [[0, 10]] } }\n`;
    expect((await aerr(() => validateScenarioText(sweepBad, 'sw.yaml'))).message).to.match(/^sw\.yaml: sweep job j0000 .*phy\.snr_db/);
    const ok = await validateScenarioText(`${train}phy: { snr_db: 10 }\n`);
    expect(ok.kind).to.equal('airfl');
  });
});
