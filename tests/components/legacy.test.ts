import { strict as assert } from 'node:assert';
import { LEGACY_URNS } from '../fixtures/legacyUrns';
import { VARIANTS, urnsOf } from '../helpers/urns';

// Existing stacks hold the fixture's URNs: a resource renamed, re-parented or removed would be replaced (or deleted)
// by the next `pulumi up`. Until the program is restructured, it must register exactly these URNs.
describe('URNs of existing stacks (under mocks)', function () {
  this.timeout(60_000);

  it('records every variant, and only those', () => {
    assert.deepEqual(Object.keys(LEGACY_URNS).sort(), Object.keys(VARIANTS).sort());
  });

  for (const variant of Object.keys(VARIANTS)) {
    it(`${variant}: registers exactly the recorded URNs`, async () => {
      const now = await urnsOf(variant);
      const recorded = LEGACY_URNS[variant] ?? [];
      assert.deepEqual(
        { missing: recorded.filter((u) => !now.includes(u)), added: now.filter((u) => !recorded.includes(u)) },
        { missing: [], added: [] },
      );
      assert.equal(new Set(now).size, now.length, 'no URN is registered twice');
    });
  }
});
