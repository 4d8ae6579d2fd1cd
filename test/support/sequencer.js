/**
 * Jest's own order (slowest and failed first), except that the fuzz suite runs last: its generated
 * mutations change the shared test database (participation, procedures, figures, endpoints), which
 * the example-based tests do not expect.
 */
const Sequencer = require('@jest/test-sequencer').default;

class HubSequencer extends Sequencer {
  async sort(tests) {
    const sorted = await super.sort(tests);
    const last = (t) => t.path.endsWith('fuzz.spec.ts');
    return [...sorted.filter((t) => !last(t)), ...sorted.filter(last)];
  }
}

module.exports = HubSequencer;
