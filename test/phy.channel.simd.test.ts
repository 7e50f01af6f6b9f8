import { expect } from 'chai';
import { RandomStreams } from '../src/random/streams.js';
import { generateChannel } from '../src/phy/channel/index.js';
import { setSimdEnabled } from '../src/linalg/wasm.js';

const same = (a: Float64Array, b: Float64Array) => a.length === b.length && a.every((v, i) => Object.is(v, b[i]));

describe('phy.channel delay-line → frequency transform: SIMD kernel', () => {
  it('gives the same bits as the scalar loop (static TDL-A, moving TDL-D with its LOS tap, H(t) at later times)', () => {
    const configs = [
      { K: 3, Nr: 4, Nt: 2, M: 12, tdl: { profile: 'A' as const, delaySpreadS: 100e-9 } },
      { K: 2, Nr: 3, Nt: 3, M: 8, tdl: { profile: 'D' as const, delaySpreadS: 300e-9 }, mobility: { maxDopplerHz: 300 } },
    ];
    for (const cfg of configs) {
      const draw = () => {
        const ch = generateChannel(cfg, new RandomStreams(17), { trial: 1, round: 2 });
        return [ch.H.data, ...(ch.evolution ? [ch.evolution.at(1e-3).data, ch.evolution.at(7.3e-3).data] : [])];
      };
      setSimdEnabled(true);
      const fast = draw();
      setSimdEnabled(false);
      const scalar = draw();
      setSimdEnabled(true);
      expect(fast.length).to.equal(scalar.length);
      fast.forEach((h, i) => expect(same(h, scalar[i]!), `${cfg.tdl.profile} #${i}`).to.equal(true));
      // and it is not trivially zero
      expect(fast[0]!.some((v) => v !== 0)).to.equal(true);
    }
  });
});
