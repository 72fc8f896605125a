import { strict as assert } from 'node:assert';
import * as pulumi from '@pulumi/pulumi';
import { LEGACY_URNS } from '../fixtures/legacyUrns';
import { valueOf } from '../helpers/pulumi';
import { VARIANTS, urnsOf } from '../helpers/urns';
import { urns } from '../setup';

describe('the URN recorder', () => {
  it('gives a grandchild the whole parent chain, as the SDK builds a child URN from its parent URN', async () => {
    urns.length = 0;
    const outer = new pulumi.ComponentResource('test:index:Outer', 'outer');
    const inner = new pulumi.ComponentResource('test:index:Inner', 'inner', {}, { parent: outer });
    new pulumi.ComponentResource('test:index:Leaf', 'leaf', {}, { parent: inner });
    const [outerUrn, innerUrn, leafUrn] = urns;
    assert.equal(outerUrn, 'urn:pulumi:dev::mcp-on-aws::test:index:Outer::outer');
    assert.equal(innerUrn, await valueOf(pulumi.createUrn('inner', 'test:index:Inner', outerUrn)));
    assert.equal(leafUrn, await valueOf(pulumi.createUrn('leaf', 'test:index:Leaf', innerUrn)));
    assert.equal(leafUrn, 'urn:pulumi:dev::mcp-on-aws::test:index:Outer$test:index:Inner$test:index:Leaf::leaf');
  });
});

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
