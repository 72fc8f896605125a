import { strict as assert } from 'node:assert';
import { createApp, LOOPBACK_HOSTS } from '../../app/createApp';
import { createFetchApp } from '../../app/fetchApp';
import { lambdaFetchHandler } from '../../app/lambdaHttp';
import { listen, silentLogger, type Running } from '../helpers/http';
import { connect, lambdaFetch, recording, type ClientKind, type Exchange, type Fetch } from './interopClients';
import { cost } from './testServers';

const MODERN = '2026-07-28';
const LEGACY = '2025-11-25';

/** Each client, and the protocol version it must end up on against this server. */
const CLIENTS: [ClientKind, string][] = [
  ['v2-pinned-2026-07-28', MODERN],
  ['v2-auto', MODERN],
  ['v2-legacy', LEGACY],
  ['v1', LEGACY],
  ['ai-sdk', MODERN],
];

interface Target {
  name: string;
  url: string;
  fetch: Fetch;
}

describe('interop: real MCP clients against the server', () => {
  let running: Running;
  const targets: Target[] = [];

  before(async () => {
    // A container serves SSE; the Lambda function behind HTTP API answers JSON.
    running = await listen(createApp(cost, { responseMode: 'sse', allowedHosts: LOOPBACK_HOSTS, logger: silentLogger }));
    const lambda = lambdaFetchHandler(createFetchApp(cost, { responseMode: 'json', logger: silentLogger }), silentLogger);
    targets.push(
      { name: 'locally (SSE, as a container serves)', url: `${running.url}/mcp`, fetch: (input, init) => fetch(input, init) },
      { name: 'through the Lambda handler (JSON, as behind HTTP API)', url: 'https://abc123def4.execute-api.us-east-1.amazonaws.com/mcp', fetch: lambdaFetch(lambda) },
    );
  });
  after(() => running.close());

  for (const where of [0, 1]) {
    describe(where === 0 ? 'locally (SSE, as a container serves)' : 'through the Lambda handler (JSON, as behind HTTP API)', () => {
      for (const [kind, expected] of CLIENTS) {
        it(`${kind} lists and calls a tool on ${expected}${expected === MODERN ? ', with no failed or extra request' : ''}`, async () => {
          const target = targets[where]!;
          const log: Exchange[] = [];
          const client = await connect(kind, target.url, recording(target.fetch, log));
          try {
            assert.deepEqual(await client.listToolNames(), ['estimate_hosting_cost']);
            const result = await client.callTool('estimate_hosting_cost', { requestsPerMonth: 1_000_000, avgDurationMs: 200 });
            assert.notEqual(result.isError, true);
            assert.deepEqual(
              (result.structuredContent as { estimates: { target: string }[] }).estimates.map((e) => e.target),
              ['lambda', 'fargate', 'eks'],
            );
            assert.equal(client.negotiatedVersion(), expected, 'the version the client settled on');
            const call = log.find((e) => e.method === 'tools/call');
            assert.equal(call?.version, expected, 'the version tools/call was sent with');
            if (expected === MODERN) {
              // One request per step, each answered: no initialize, no refused first try, no fallback.
              assert.deepEqual(log, [
                { method: 'server/discover', version: MODERN, status: 200 },
                { method: 'tools/list', version: MODERN, status: 200 },
                { method: 'tools/call', version: MODERN, status: 200 },
              ]);
            } else {
              assert.deepEqual(log[0], { method: 'initialize', version: LEGACY, status: 200 });
              // A 2025 client may open the optional GET stream: 405 from a stateless server is the spec's answer.
              assert.deepEqual(log.filter((e) => e.status >= 400 && e.method !== 'GET'), []);
            }
          } finally {
            await client.close();
          }
        });
      }
    });
  }
});
