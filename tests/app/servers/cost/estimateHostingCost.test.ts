import { strict as assert } from 'node:assert';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { createApp } from '../../../../app/createApp';
import { connectClient, listen, silentLogger, type Running } from '../../../helpers/http';
import { cost } from '../../testServers';

/** Every numeric argument: the values at the edges of its range, and what the refusal says. */
const ARGS: Array<{ name: string; range: string; accepted: number[]; refused: unknown[] }> = [
  {
    name: 'requestsPerMonth',
    range: 'a whole number from 0 to 1000000000000',
    accepted: [0, 1, 1e12],
    refused: [-1, 1e12 + 1, 1.5, 1e308, 5e-324, null, '5'],
  },
  {
    name: 'avgDurationMs',
    range: 'a number from 0.001 to 900000 (milliseconds)',
    accepted: [0.001, 0.0015, 900_000],
    refused: [0, 1e-21, 5e-324, 0.000999, 900_000.001, 1e308, -1],
  },
  {
    name: 'memoryMb',
    range: 'a whole number from 128 to 10240 (MiB)',
    accepted: [128, 10_240],
    refused: [127, 10_241, 512.5, 1e308],
  },
  {
    name: 'payloadKb',
    range: 'a number 0, or from 0.001 to 10240 (KiB)',
    accepted: [0, 0.001, 10_240],
    refused: [-0.001, 1e-21, 5e-324, 0.000999, 10_240.001, 1e308],
  },
  {
    name: 'alwaysOnHours',
    range: 'a number 0, or from 0.001 to 744 (hours)',
    accepted: [0, 0.001, 744],
    refused: [-1, 1e-21, 744.001, 1e308],
  },
  { name: 'tasks', range: 'a whole number from 1 to 1000', accepted: [1, 1000], refused: [0, 1001, 1.5, 1e308] },
  { name: 'nodes', range: 'a whole number from 1 to 1000', accepted: [1, 1000], refused: [0, 1001, 2.5, 1e308] },
  { name: 'natGateways', range: 'a whole number from 0 to 6', accepted: [0, 6], refused: [-1, 7, 0.5] },
  {
    name: 'egressGbPerMonth',
    range: 'a number 0, or from 0.001 to 10000000 (GB)',
    accepted: [0, 0.001, 10_000_000],
    refused: [-1, 1e-21, 5e-324, 10_000_000.001, 1e308],
  },
];

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Checks that an answer is a full estimate for every target with finite, non-negative dollar figures. */
function assertEstimates(result: Awaited<ReturnType<Client['callTool']>>, label: string) {
  assert.equal(result.isError, undefined, `${label}: ${JSON.stringify(result.content)}`);
  const out = result.structuredContent as { estimates: Array<{ monthlyUsd: number; lineItems: Array<{ quantity: number; usd: number }> }> };
  assert.equal(out.estimates.length, 3, label);
  for (const e of out.estimates) {
    assert.ok(Number.isFinite(e.monthlyUsd) && e.monthlyUsd >= 0, `${label}: monthlyUsd ${e.monthlyUsd}`);
    for (const i of e.lineItems) assert.ok(Number.isFinite(i.quantity) && Number.isFinite(i.usd) && i.usd >= 0, `${label}: ${JSON.stringify(i)}`);
  }
}

describe('estimate_hosting_cost arguments at the edges of their ranges', () => {
  let running: Running;
  let client: Client;
  const base = { requestsPerMonth: 1_000_000, avgDurationMs: 200 };

  before(async () => {
    running = await listen(createApp(cost, { responseMode: 'json', logger: silentLogger }));
    client = await connectClient(`${running.url}/mcp`);
  });
  after(async () => {
    await client.close();
    await running.close();
  });

  for (const { name, range, accepted, refused } of ARGS) {
    it(`${name}: answers ${accepted.join(', ')}`, async () => {
      for (const value of accepted) {
        assertEstimates(await client.callTool({ name: 'estimate_hosting_cost', arguments: { ...base, [name]: value } }), `${name}=${value}`);
      }
    });

    it(`${name}: refuses ${refused.map((v) => JSON.stringify(v)).join(', ')}, naming it and its range`, async () => {
      for (const value of refused) {
        const result = await client.callTool({ name: 'estimate_hosting_cost', arguments: { ...base, [name]: value } });
        assert.equal(result.isError, true, `${name}=${value}`);
        const text = (result.content as Array<{ text: string }>)[0]!.text;
        // One message, naming the argument and its whole range.
        assert.match(text, new RegExp(`: ${name}: ${escape(`${name} must be ${range}`)}$`), `${name}=${value}: ${text}`);
      }
    });
  }

  it('answers with every argument at its largest at once', async () => {
    const largest = Object.fromEntries(ARGS.map((a) => [a.name, Math.max(...a.accepted)]));
    assertEstimates(await client.callTool({ name: 'estimate_hosting_cost', arguments: largest }), 'largest');
  });

  it('answers with every argument at its smallest at once', async () => {
    const smallest = Object.fromEntries(ARGS.map((a) => [a.name, Math.min(...a.accepted)]));
    assertEstimates(await client.callTool({ name: 'estimate_hosting_cost', arguments: smallest }), 'smallest');
  });

  it('refuses a Fargate CPU size that does not exist, listing those that do', async () => {
    const result = await client.callTool({ name: 'estimate_hosting_cost', arguments: { ...base, fargateCpu: 300 } });
    assert.equal(result.isError, true);
    assert.match((result.content as Array<{ text: string }>)[0]!.text, /: fargateCpu: fargateCpu must be one of 256, 512, 1024, 2048, 4096, 8192, 16384 \(CPU units\)$/);
  });
});
