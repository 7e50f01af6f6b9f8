// `airlora validate` refuses what `run` would refuse later (unknown figure presets, a selection larger
// than the federation, the removed fl.aggregator key with what to write instead) and warns about
// sections the run would ignore.
import { expect } from 'chai';
import { validateScenarioText } from '../src/cli/commands/validate.js';
import { UserInputError } from '../src/errors.js';

const TRAIN = 'name: t\nfl: { clients: 3, rounds: 2 }\ndata: { dataset: brown }\n';

async function refusal(text: string): Promise<UserInputError> {
  try {
    await validateScenarioText(text, 't.yaml');
  } catch (e) {
    expect(e).to.be.instanceOf(UserInputError);
    return e as UserInputError;
  }
  throw new Error('accepted');
}

describe('cli: validate catches what run would reject, warns about what it ignores', function () {
  this.timeout(60_000);
  it('an unknown figure preset is refused with the presets listed', async () => {
    const e = await refusal(TRAIN + 'figures: [loss_vs_rounds]\n');
    expect(e.message).to.match(/figures\[0\]: 'loss_vs_rounds' is not a figure preset; allowed: .*loss_vs_round/);
  });
  it('selection.count larger than fl.clients is refused', async () => {
    const e = await refusal(TRAIN.replace('rounds: 2', 'rounds: 2, selection: { count: 5 }'));
    expect(e.message).to.include('fl.selection.count: 5 is not allowed; expected an integer ≤ fl.clients (3)');
  });
  it('fl.aggregator is refused with what to write instead', async () => {
    const e = await refusal(TRAIN.replace('rounds: 2', 'rounds: 2, aggregator: { kind: noisy, nmse: 0.1 }'));
    expect(e.message).to.include('fl.aggregator');
    expect(e.message).to.include('aggregation: [{ scheme: noisy, nmse: 0.01 }]');
  });
  it('a plain training run takes one aggregation entry; digital needs training', async () => {
    expect((await refusal(TRAIN + 'aggregation: [ideal, zf]\n')).message).to.match(/aggregation: .*a list of one entry in a training run without airfl/);
    expect((await refusal('name: p\naggregation: [ideal, digital]\n')).message).to.match(/aggregation\[1\]: 'digital' .*needs a training scenario/);
  });
  it('warns about sections the run ignores, and accepts the scenario', async () => {
    const r = await validateScenarioText(TRAIN + 'trials: 5\nphy: { devices: 3 }\nsweep: { grid: { fl.lr: [0.1, 0.01] } }\n', 't.yaml');
    expect(r.kind).to.equal('train');
    expect(r.warnings.join('\n')).to.match(/trials: ignored by train runs/);
    expect(r.warnings.join('\n')).to.match(/phy: ignored: the aggregation \(ideal\) uses no radio/);
    expect(r.warnings.join('\n')).to.match(/sweep: 'airlora run' ignores it/);
    const clean = await validateScenarioText(TRAIN, 't.yaml');
    expect(clean.warnings).to.deep.equal([]);
  });
});
