// mocha's spec reporter plus one plain closing line, `N passed, N failed[, N skipped]`,
// which the CI harness reads (it does not parse mocha's own summary).
const Mocha = require('mocha');

class SpecWithCount extends Mocha.reporters.Spec {
  constructor(runner, options) {
    super(runner, options);
    runner.once(Mocha.Runner.constants.EVENT_RUN_END, () => {
      const s = this.stats;
      const skipped = s.pending ? `, ${s.pending} skipped` : '';
      process.stdout.write(`\n${s.passes} passed, ${s.failures} failed${skipped}\n`);
    });
  }
}
module.exports = SpecWithCount;
