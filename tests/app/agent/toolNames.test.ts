import { strict as assert } from 'node:assert';
import { BEDROCK_TOOL_NAME, modelToolNames, toolKey, type ServerTool } from '../../../app/agent/toolNames';

/** The names as { 'server/tool': name }, easier to read in a failure. */
const named = (entries: ServerTool[]) => {
  const names = modelToolNames(entries);
  return Object.fromEntries(entries.map((e) => [`${e.server}/${e.tool}`, names.get(toolKey(e.server, e.tool))]));
};

/** Every ordering of `items` (Heap's algorithm): no randomness, every case. */
function permutations<T>(items: T[]): T[][] {
  const out: T[][] = [];
  const a = [...items];
  const c = a.map(() => 0);
  out.push([...a]);
  for (let i = 1; i < a.length; ) {
    if (c[i]! < i) {
      const j = i % 2 ? c[i]! : 0;
      [a[i], a[j]] = [a[j]!, a[i]!];
      out.push([...a]);
      c[i]!++;
      i = 1;
    } else {
      c[i] = 0;
      i++;
    }
  }
  return out;
}

describe('tool names for the model', () => {
  it('keeps the tool’s own name when one server offers it', () => {
    assert.deepEqual(named([
      { server: 'cost', tool: 'estimate_hosting_cost' },
      { server: 'text', tool: 'analyze_text' },
    ]), { 'cost/estimate_hosting_cost': 'estimate_hosting_cost', 'text/analyze_text': 'analyze_text' });
  });

  it('prefixes a name two servers offer with the server, for each of them, and leaves the others bare', () => {
    assert.deepEqual(named([
      { server: 'text', tool: 'lookup' },
      { server: 'cost', tool: 'lookup' },
      { server: 'cost', tool: 'estimate' },
    ]), { 'text/lookup': 'text__lookup', 'cost/lookup': 'cost__lookup', 'cost/estimate': 'estimate' });
  });

  it('replaces characters Bedrock refuses with _, and two names that become alike are both prefixed', () => {
    assert.deepEqual(named([{ server: 'cost', tool: 'prices.get/v2 ünïcode' }]), { 'cost/prices.get/v2 ünïcode': 'prices_get_v2__n_code' });
    // a.b on one server and a_b on another: one base, two servers.
    assert.deepEqual(named([{ server: 'cost', tool: 'a.b' }, { server: 'text', tool: 'a_b' }]), { 'cost/a.b': 'cost__a_b', 'text/a_b': 'text__a_b' });
    // On one server: prefixing does not tell them apart, a hash of each does.
    const same = named([{ server: 'cost', tool: 'a.b' }, { server: 'cost', tool: 'a_b' }]);
    assert.match(same['cost/a.b']!, /^cost__a_b_[0-9a-f]{8}$/);
    assert.match(same['cost/a_b']!, /^cost__a_b_[0-9a-f]{8}$/);
    assert.notEqual(same['cost/a.b'], same['cost/a_b']);
  });

  it('cuts a name over 64 characters to 55 and a hash suffix, keeping cut names apart', () => {
    const long = 'x'.repeat(120);
    const names = named([
      { server: 'cost', tool: `${long}a` },
      { server: 'cost', tool: `${long}b` },
      { server: 'text', tool: 'y'.repeat(64) },
    ]);
    assert.match(names[`cost/${long}a`]!, /^x{55}_[0-9a-f]{8}$/);
    assert.match(names[`cost/${long}b`]!, /^x{55}_[0-9a-f]{8}$/);
    assert.notEqual(names[`cost/${long}a`], names[`cost/${long}b`]);
    assert.equal(names[`text/${'y'.repeat(64)}`], 'y'.repeat(64), '64 characters fit');
    // A long name two servers offer: prefixed, then cut.
    const shared = named([{ server: 'cost', tool: long }, { server: 'text', tool: long }]);
    assert.match(shared[`cost/${long}`]!, /^cost__x{49}_[0-9a-f]{8}$/);
    assert.match(shared[`text/${long}`]!, /^text__x{49}_[0-9a-f]{8}$/);
  });

  it('a tool literally named cost__x does not take the name of cost’s prefixed x', () => {
    const names = named([
      { server: 'cost', tool: 'x' },
      { server: 'text', tool: 'x' },
      { server: 'text', tool: 'cost__x' },
    ]);
    assert.equal(names['text/x'], 'text__x');
    assert.equal(new Set(Object.values(names)).size, 3, JSON.stringify(names));
    assert.equal(names['cost/x'], 'cost__x', 'the prefixed name keeps its form');
    assert.equal(names['text/cost__x'], 'text__cost__x');
  });

  it('replicas of one server are not a collision', () => {
    assert.deepEqual(named([{ server: 'cost', tool: 'estimate' }, { server: 'cost', tool: 'estimate' }]), { 'cost/estimate': 'estimate' });
  });

  it('whatever the order tools are discovered in, the same names, all unique and all Bedrock names', () => {
    // Names chosen to meet every rule at once: shared, sanitized alike, literal prefixes, over-long.
    const entries: ServerTool[] = [
      { server: 'cost', tool: 'x' },
      { server: 'text', tool: 'x' },
      { server: 'text', tool: 'cost__x' },
      { server: 'cost', tool: 'a.b' },
      { server: 'cost', tool: 'a_b' },
      { server: 'geo', tool: `${'z'.repeat(70)}.q` },
      { server: 'geo', tool: `${'z'.repeat(70)}_q` },
    ];
    const expected = modelToolNames(entries);
    const orders = permutations(entries);
    assert.equal(orders.length, 5040);
    for (const order of orders) assert.deepEqual(modelToolNames(order), expected);
    const names = [...expected.values()];
    assert.equal(new Set(names).size, entries.length);
    for (const name of names) assert.match(name, BEDROCK_TOOL_NAME);
  });
});
