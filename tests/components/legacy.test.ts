import { strict as assert } from 'node:assert';
import * as pulumi from '@pulumi/pulumi';
import { LEGACY_URNS } from '../fixtures/legacyUrns';
import { valueOf } from '../helpers/pulumi';
import { VARIANTS, urnsOf } from '../helpers/urns';
import { aliases, urns } from '../setup';

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

/** Resources an upgrade deletes on purpose, each with the reason. */
const REMOVED: Record<string, string> = {
  // Fargate: the agent has its own execution role now, which writes its log group; the policy that let the server's
  // execution role write it goes.
  'urn:pulumi:dev::mcp-on-aws::mcp-on-aws:index:FargateAgent$aws:iam/rolePolicy:RolePolicy::agent-execution-logs': 'the agent has its own execution role',
};

// Existing stacks hold the fixture's URNs: a resource renamed, re-parented or removed would be replaced (or deleted)
// by the next `pulumi up`. Each must still be registered, or be the alias of exactly one resource that takes it over.
describe('URNs of existing stacks (under mocks)', function () {
  this.timeout(60_000);

  it('records every variant, and only those', () => {
    assert.deepEqual(Object.keys(LEGACY_URNS).sort(), Object.keys(VARIANTS).sort());
  });

  for (const variant of Object.keys(VARIANTS)) {
    it(`${variant}: keeps or aliases every recorded URN, each alias claimed once`, async () => {
      const now = await urnsOf(variant);
      const claimed = await Promise.all(aliases.map(async (a) => ({ urn: a.urn, alias: await a.alias })));
      const recorded = LEGACY_URNS[variant] ?? [];
      const kept = (u: string) => u in REMOVED || now.includes(u) || claimed.some((c) => c.alias === u);
      assert.deepEqual(recorded.filter((u) => !kept(u)), [], 'legacy URNs neither registered nor aliased');
      const twice = claimed.filter((c, i) => claimed.findIndex((d) => d.alias === c.alias) !== i);
      assert.deepEqual(twice, [], 'an alias is claimed by one resource only');
      assert.deepEqual(claimed.filter((c) => now.includes(c.alias)), [], 'no alias is the URN of a resource registered now');
      assert.equal(new Set(now).size, now.length, 'no URN is registered twice');
    });
  }
});
