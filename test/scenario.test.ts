import { expect } from 'chai';
import { readdirSync } from 'node:fs';
import { UserInputError } from '../src/errors.js';
import { loadScenario, parseScenario } from '../src/scenario/index.js';
import { phyExperiment } from '../src/scenario/resolve/phy.js';

function errorOf(text: string): UserInputError {
  try {
    parseScenario(text, 'test.yaml');
  } catch (e) {
    expect(e).to.be.instanceOf(UserInputError);
    return e as UserInputError;
  }
  throw new Error('expected a UserInputError');
}

describe('scenario', () => {
  it('shipped PHY scenarios load, with defaults filled in', () => {
    for (const f of ['phy-quickstart', 'phy-snr-sweep', 'phy-antennas']) {
      const s = loadScenario(`scenarios/${f}.yaml`);
      expect(s.name).to.equal(f);
      expect(s.phy.noise.figure_db).to.equal(7);
      expect(s.aggregation.map((a) => a.scheme)).to.include.members(['ideal', 'zf', 'mmse', 'tci']);
      const exp = phyExperiment(s);
      expect(exp.schemes.find((e) => e.label === 'tci')!.S).to.equal(1);
    }
    expect(loadScenario('scenarios/phy-antennas.yaml').phy.antennas.server).to.deep.equal([4, 8, 16, 32, 64]);
    // every shipped scenario file in the folder validates (other sections included)
    for (const f of readdirSync('scenarios').filter((n) => n.startsWith('phy'))) {
      expect(() => loadScenario(`scenarios/${f}`)).not.to.throw();
    }
  });

  it('a minimal scenario resolves to documented defaults; a scalar snr_db becomes a list', () => {
    const s = parseScenario('name: tiny\nphy: { snr_db: 5 }\n');
    expect(s.seed).to.equal(1);
    expect(s.trials).to.equal(100);
    expect(s.phy.snr_db).to.deep.equal([5]);
    expect(s.phy.power.mode).to.equal('symbol');
    expect(s.aggregation.map((a) => a.label)).to.deep.equal(['ideal', 'zf', 'mmse']);
    const exp = phyExperiment(s);
    expect(exp.points).to.have.length(1);
    expect(exp.points[0]!.sigma2).to.be.closeTo(Math.pow(10, -0.5), 1e-15);
    expect(exp.D).to.equal(Math.max(16 * 64 * 2, 8192)); // default payload: unbiased per-trial NMSE
  });

  it('path loss switches SNR to power in dBm and noise from −174 dBm/Hz + NF over the subcarrier spacing', () => {
    const s = parseScenario('name: pl\nphy: { subcarriers: 64, subcarrier_spacing_khz: 30, power: { dbm: [20, 23] }, noise: { figure_db: 9 }, channel: { path_loss: { exponent: 3 } } }\n');
    const exp = phyExperiment(s);
    expect(exp.points.map((p) => p.label)).to.deep.equal(['dbm=20', 'dbm=23']);
    expect(exp.points[1]!.P).to.be.closeTo(Math.pow(10, (23 - 30) / 10) / 64, 1e-18);
    expect(10 * Math.log10(exp.points[0]!.sigma2) + 30).to.be.closeTo(-174 + 10 * Math.log10(30000) + 9, 1e-9);
    expect(exp.channel.pathLoss).to.deep.include({ exponent: 3, refLossDb: 30, dMin: 50, dMax: 200 });
  });

  it('a wrong type names the path, the value and what is allowed', () => {
    const e = errorOf('name: x\nphy:\n  antennas:\n    server: ten\n');
    expect(e.field).to.equal('phy.antennas.server');
    expect(e.message).to.match(/phy\.antennas\.server: 'ten' is not allowed; expected an integer ≥ 1, or a non-empty list of them/);
  });

  it('an unknown key names its path and lists the allowed keys', () => {
    const e = errorOf('name: x\nphy: { antennas: { sever: 4 } }\n');
    expect(e.field).to.equal('phy.antennas.sever');
    expect(e.message).to.match(/phy\.antennas\.sever: unknown key.*allowed keys here: device, server/);
    expect(errorOf('name: x\ntrails: 3\n').message).to.match(/trails: unknown key.*allowed keys here: name, seed, trials/);
  });

  it('enums, ranges, list items and scheme options are reported with their allowed values', () => {
    const e = errorOf('name: x\nphy: { power: { mode: sometimes }, channel: { correlation: { server: 1.5 } } }\naggregation: [nope, { scheme: tci, threshold: -1 }]\n');
    expect(e.message).to.include("phy.power.mode: 'sometimes' is not allowed; expected one of 'subcarrier', 'symbol'");
    expect(e.message).to.include('phy.channel.correlation.server: 1.5 is not allowed; expected a number in [0, 1]');
    expect(e.message).to.include("aggregation[0]: 'nope' is not allowed; expected a scheme name (ideal, zf, mmse, mmse-fixed, tci");
    expect(e.message).to.include('aggregation[1].threshold: -1 is not allowed; expected a number ≥ 0');
  });

  it('cross-field rules: streams vs antennas, tci single-stream, snr vs path loss, weights length, duplicate labels', () => {
    expect(errorOf('name: x\nphy: { streams: 4, antennas: { device: 2 } }\naggregation: [zf]\n').message)
      .to.include('phy.streams: 4 is not allowed; expected an integer ≤ phy.antennas.device (2) for zf');
    expect(errorOf('name: x\naggregation: [{ scheme: tci, streams: 2 }]\n').message)
      .to.include('aggregation[0].streams: 2 is not allowed; expected 1 (tci is single-stream)');
    expect(errorOf('name: x\nphy: { snr_db: 3, channel: { path_loss: {} } }\n').message)
      .to.include('phy.snr_db: 3 is not allowed; expected absent when phy.channel.path_loss is set');
    expect(errorOf('name: x\nphy: { devices: 3, weights: [1, 2] }\n').message).to.include('phy.weights: [1,2] is not allowed; expected a list of 3 numbers');
    expect(errorOf('name: x\naggregation: [zf, zf]\n').message).to.include("aggregation[1].label: 'zf' is not allowed");
  });

  it('missing required fields, bad YAML and missing files are UserInputErrors', () => {
    expect(errorOf('phy: {}\n').message).to.include('name: missing; expected a non-empty name');
    expect(errorOf('name: [\n').message).to.match(/not valid YAML \(line \d+, column \d+\)/);
    expect(errorOf('- a\n- b\n').message).to.include('YAML mapping');
    expect(() => loadScenario('scenarios/does-not-exist.yaml')).to.throw(UserInputError, /no such file/);
  });
});
