import { expect } from 'chai';
import { RandomStreams } from '../src/random/streams.js';
import { participationPenalty, roundWeight } from '../src/split/penalty.js';
import { LyapunovScheduler, delayCost } from '../src/split/schedulers/lyapunov.js';
import { AllInScheduler, BestChannelScheduler, RandomScheduler, RoundRobinScheduler, mixedSize } from '../src/split/schedulers/fixed-size.js';
import type { RoundState } from '../src/split/schedulers/types.js';
import { SplitChannel, simulateDelays, matchBudget } from '../src/split/delay-sim.js';
import { defaultRadio } from '../src/split/radio.js';

/**
 * The min-max round delay of a fixed set, found independently of src/split/bandwidth.ts: the device
 * time t_k(b) = c_k + Q_k / (b log2(1 + s_k/b)) + D_k / (b e_k) written out here, each device's
 * bandwidth for a delay τ by bisection on log b, and τ by bisection on log τ (Σ_k b_k(τ) ≤ B).
 */
function bruteMinMax(members: number[], st: RoundState): number {
  if (!members.length) return 0;
  const t = (k: number, b: number) => (st.computeS?.[k] ?? 0) + st.payloadBits[k]! / (b * Math.log2(1 + st.snrDensity[k]! / b))
    + (st.downBits ? st.downBits[k]! / (b * st.downEff![k]!) : 0);
  const bandFor = (k: number, tau: number) => {
    if (t(k, 1e15) > tau) return Infinity;
    let lo = Math.log(1e-3);
    let hi = Math.log(1e15);
    for (let i = 0; i < 64; i++) {
      const m = (lo + hi) / 2;
      if (t(k, Math.exp(m)) <= tau) hi = m; else lo = m;
    }
    return Math.exp(hi);
  };
  let lo = Math.log(1e-9);
  let hi = Math.log(Math.max(...members.map((k) => t(k, st.bandwidthHz / members.length))) * 1.001);
  for (let i = 0; i < 64; i++) {
    const m = (lo + hi) / 2;
    const need = members.reduce((a, k) => a + bandFor(k, Math.exp(m)), 0);
    if (need <= st.bandwidthHz) hi = m; else lo = m;
  }
  return Math.exp(hi) + members.length * (st.serverPerDeviceS ?? 0);
}

function randomState(rng: ReturnType<RandomStreams['stream']>, K: number, equalBits: boolean, timed = false): RoundState {
  const s = Float64Array.from({ length: K }, () => 10 ** (5 + 3 * rng.uniform()));
  const extra = timed ? {
    downBits: Float64Array.from({ length: K }, () => (equalBits ? 3e4 : 2e4 * (1 + rng.uniform()))),
    // reciprocity: downlink efficiency grows with the uplink channel
    downEff: Float64Array.from(s, (x) => Math.log2(1 + x / 1e5)),
    computeS: new Float64Array(K).fill(equalBits ? 0.02 : 0).map((c) => c || 0.04 * rng.uniform()),
    serverPerDeviceS: 0.01,
  } : {};
  return {
    round: rng.int(10),
    horizon: 10,
    snrDensity: s,
    payloadBits: Float64Array.from({ length: K }, () => (equalBits ? 2e5 : 1e5 * (1 + 2 * rng.uniform()))),
    bandwidthHz: 1e6,
    queue: 10 ** (-1 + 2 * rng.uniform()),
    budgetS: 0.2,
    ...extra,
  };
}

describe('split: Lyapunov scheduling', () => {
  it('penalty Φ and round weights have their closed forms', () => {
    expect(participationPenalty(1, 10)).to.equal(1);
    expect(participationPenalty(10, 10)).to.equal(0);
    expect(participationPenalty(4, 10)).to.be.closeTo(6 / 36, 1e-15);
    expect(participationPenalty(0, 10)).to.equal(Infinity);
    expect(participationPenalty(4, 10, 'linear')).to.be.closeTo(0.6, 1e-15);
    expect(roundWeight(9, 10, 0.9)).to.equal(1);
    expect(roundWeight(0, 10, 0.9)).to.be.closeTo(0.9 ** 9, 1e-15);
  });

  for (const drift of ['linear', 'quadratic'] as const) {
    for (const equalBits of [true, false]) {
      for (const timed of [false, true]) {
      it(`per-round solver equals exhaustive search with an independent bandwidth solver (K = 6, ${equalBits ? 'equal' : 'unequal'} payloads, ${drift} drift${timed ? ', downlink + compute timed' : ''})`, () => {
        const rng = new RandomStreams(11).stream('exhaustive', String(equalBits), drift, String(timed));
        for (let trial = 0; trial < 8; trial++) {
          const K = 6;
          const st = randomState(rng, K, equalBits, timed);
          if (trial % 3 === 0) st.queue = 0; // the empty-queue case, where the two drifts differ most
          const V = 10 ** (-2 + 3 * rng.uniform());
          const decay = 0.8 + 0.2 * rng.uniform();
          // every other instance with a per-round cap between the best single device and all-in
          const capS = trial % 2 ? Infinity : 0.2 + 2 * rng.uniform();
          const sched = new LyapunovScheduler({ V, decay, drift, capS });
          const d = sched.decide(st);
          const w = roundWeight(st.round, st.horizon, decay);
          const J = (n: number, tau: number) => V * w * participationPenalty(n, K) + delayCost(drift, st.queue, st.budgetS, tau);
          let bestJ = Infinity;
          for (let mask = 1; mask < 1 << K; mask++) {
            const members: number[] = [];
            for (let k = 0; k < K; k++) if (mask & (1 << k)) members.push(k);
            const tau = bruteMinMax(members, st);
            if (tau <= capS || members.length === 1) bestJ = Math.min(bestJ, J(members.length, tau));
          }
          const got = J(d.scheduled.length, d.roundDelayS);
          expect(got - bestJ).to.be.at.most(1e-8 * bestJ + 1e-15);
          expect(got - bestJ).to.be.at.least(-1e-8 * bestJ - 1e-15);
          if (d.scheduled.length > 1) expect(d.roundDelayS).to.be.at.most(capS * (1 + 1e-9));
          const used = d.bandwidthHz.reduce((a, b) => a + b, 0);
          expect(used).to.be.at.most(st.bandwidthHz * (1 + 1e-12));
          // the decision's own round delay is what the independent solver gives for its set
          expect(d.roundDelayS / bruteMinMax(d.scheduled, st)).to.be.closeTo(1, 1e-9);
        }
      });
      }
    }
  }

  it('schedules everyone when the queue is empty and shrinks the set as the backlog grows', () => {
    const rng = new RandomStreams(12).stream('q');
    const st = randomState(rng, 20, true);
    const sched = new LyapunovScheduler({ V: 1 }); // linear drift: an empty queue makes delay free
    const counts = [0, 0.1, 1, 10, 100].map((q) => sched.decide({ ...st, queue: q }).scheduled.length);
    expect(counts[0]).to.equal(20);
    for (let i = 1; i < counts.length; i++) expect(counts[i]).to.be.at.most(counts[i - 1]!);
    expect(counts[counts.length - 1]).to.be.lessThan(20);
  });

  it('keeps the long-run average delay within 5% of a binding budget while All-in overshoots it', () => {
    const radio = { ...defaultRadio, devices: 20 };
    const channel = new SplitChannel(new RandomStreams(5), 0, radio);
    const bits = new Float64Array(20).fill(2e6);
    const T = 600;
    const allIn = simulateDelays(new AllInScheduler(), channel, T, 1, bits);
    // half the median All-in round delay: binding in most rounds
    const budget = 0.5 * allIn.map((r) => r.roundDelayS).sort((a, b) => a - b)[T / 2]!;
    for (const capS of [Infinity, 2 * budget]) {
      const ly = simulateDelays(new LyapunovScheduler({ V: 0.5, capS }), channel, T, budget, bits);
      const avg = ly[T - 1]!.averageDelayS;
      expect(avg / budget).to.be.within(0.95, 1.05);
      // the path identity: average ≤ τ̄ + Q_T / T
      expect(avg).to.be.at.most(budget + ly[T - 1]!.queue / T + 1e-12);
    }
    expect(allIn[T - 1]!.averageDelayS).to.be.greaterThan(budget * 2);
  });

  it('a per-round cap removes the deep-fade spikes of empty-queue rounds: more devices, no overshoot', () => {
    const radio = { ...defaultRadio, devices: 20 };
    const channel = new SplitChannel(new RandomStreams(5), 0, radio);
    const bits = new Float64Array(20).fill(2e6);
    const T = 600;
    const allIn = simulateDelays(new AllInScheduler(), channel, T, 1, bits);
    // half the mean All-in delay, which heavy tails put above the median: the queue is often empty
    const budget = 0.5 * allIn[T - 1]!.averageDelayS;
    const free = simulateDelays(new LyapunovScheduler({ V: 0.5 }), channel, T, budget, bits);
    const capped = simulateDelays(new LyapunovScheduler({ V: 0.5, capS: 2 * budget }), channel, T, budget, bits);
    for (const r of capped) if (r.scheduled.length > 1) expect(r.roundDelayS).to.be.at.most(2 * budget * (1 + 1e-9));
    expect(capped[T - 1]!.averageDelayS).to.be.at.most(1.05 * budget);
    const meanN = (rs: typeof free) => rs.reduce((a, r) => a + r.scheduled.length, 0) / rs.length;
    expect(meanN(capped)).to.be.greaterThan(meanN(free));
    expect(Math.max(...capped.map((r) => r.queue))).to.be.lessThan(Math.max(...free.map((r) => r.queue)));
  });

  it('baselines: set sizes, round robin cycles, random is reproducible, matchBudget meets the budget', () => {
    const radio = { ...defaultRadio, devices: 10 };
    const streams = new RandomStreams(6);
    const channel = new SplitChannel(streams, 0, radio);
    const bits = new Float64Array(10).fill(1e6);
    const rr = simulateDelays(new RoundRobinScheduler(4), channel, 5, 1, bits);
    expect(rr.map((r) => r.scheduled)).to.deep.equal([[0, 1, 2, 3], [4, 5, 6, 7], [0, 1, 8, 9], [2, 3, 4, 5], [6, 7, 8, 9]]);
    const a = simulateDelays(new RandomScheduler(3, streams, 0), channel, 20, 1, bits);
    const b = simulateDelays(new RandomScheduler(3, streams, 0), channel, 20, 1, bits);
    expect(a).to.deep.equal(b);
    for (const r of a) expect(r.scheduled).to.have.length(3);
    const best = new BestChannelScheduler(2).decide({ round: 0, horizon: 1, snrDensity: channel.snrDensity(0), payloadBits: bits, bandwidthHz: radio.bandwidthHz, queue: 0, budgetS: 1 });
    const s = channel.snrDensity(0);
    const top = Array.from(s.keys()).sort((x, y) => s[y]! - s[x]!).slice(0, 2).sort((x, y) => x - y);
    expect(best.scheduled).to.deep.equal(top);
    const budget = 0.3;
    const m = matchBudget((size) => new RandomScheduler(size, streams, 0), channel, 50, budget, bits);
    const recs = simulateDelays(new RandomScheduler(mixedSize(m.n, m.p), streams, 0), channel, 50, budget, bits);
    expect(recs[49]!.averageDelayS).to.be.at.most(budget);
    expect(recs[49]!.averageDelayS).to.equal(m.achievedS);
    expect(m.overBudget).to.equal(false);
    if (m.n < 10) {
      const over = simulateDelays(new RandomScheduler(m.n + 1, streams, 0), channel, 50, budget, bits);
      expect(over[49]!.averageDelayS).to.be.greaterThan(budget);
      // mixing in n + 1 uses the budget better than n alone
      const plain = simulateDelays(new RandomScheduler(m.n, streams, 0), channel, 50, budget, bits);
      expect(m.achievedS).to.be.at.least(plain[49]!.averageDelayS);
    }
    // a budget no single device meets is flagged
    const tight = matchBudget((size) => new RandomScheduler(size, streams, 0), channel, 50, 1e-6, bits);
    expect(tight).to.include({ n: 1, p: 0, overBudget: true });
  });

  it('mixed sizes: n + 1 in a fraction p of the rounds, evenly spread; round robin continues where it stopped', () => {
    const sz = mixedSize(3, 0.25);
    const counts = Array.from({ length: 8 }, (_, t) => sz.count(t));
    expect(counts).to.deep.equal([3, 3, 3, 4, 3, 3, 3, 4]);
    for (let t = 0; t < 8; t++) expect(sz.before(t)).to.equal(counts.slice(0, t).reduce((a, b) => a + b, 0));
    const radio = { ...defaultRadio, devices: 5 };
    const channel = new SplitChannel(new RandomStreams(6), 0, radio);
    const rr = simulateDelays(new RoundRobinScheduler(mixedSize(2, 0.5)), channel, 4, 1, new Float64Array(5).fill(1e6));
    expect(rr.map((r) => r.scheduled)).to.deep.equal([[0, 1], [2, 3, 4], [0, 1], [2, 3, 4]]);
  });
});
