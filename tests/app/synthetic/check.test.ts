import { strict as assert } from 'node:assert';
import path from 'node:path';
import { z } from 'zod';
import { StaticResolver, type McpEndpoint, type Resolver } from '../../../app/agent/resolver';
import { McpServers } from '../../../app/agent/servers';
import { createApp, LOOPBACK_HOSTS } from '../../../app/createApp';
import { createFrontDoor } from '../../../app/frontDoor';
import { defineServer, defineTool, toolError } from '../../../app/mcp/define';
import { EmfMetrics, METRIC, PrometheusMetrics } from '../../../app/observability/metrics';
import { frontDoorOnly, runSyntheticCheck } from '../../../app/synthetic/check';
import { createSyntheticHandler } from '../../../app/synthetic/lambda';
import { emfProblems } from '../../helpers/emf';
import { listen, silentLogger, type Running } from '../../helpers/http';
import { killLocal, startLocal, stopLocal, type LocalRun } from '../../helpers/local';
import { cost, text } from '../testServers';

/** A server whose only read-only tool has probe arguments and answers a tool error; and one with no read-only tool. */
const failing = {
  name: 'failing',
  definition: defineServer({
    title: 'Failing',
    instructions: 'A server whose backend is down.',
    tools: [
      defineTool({
        name: 'status',
        title: 'Status',
        description: 'Says the backend is down.',
        inputSchema: { region: z.string() },
        annotations: { readOnlyHint: true },
        probe: { region: 'eu-west-1' },
        run: ({ region }) => toolError(`backend in ${region} is down`),
      }),
    ],
  }),
};
const writeOnly = {
  name: 'writer',
  definition: defineServer({
    title: 'Writer',
    instructions: 'A server that only writes.',
    tools: [defineTool({ name: 'write', title: 'Write', description: 'Writes.', run: () => toolError('must not be called') })],
  }),
};

describe('the synthetic check (app/synthetic)', function () {
  this.timeout(30_000);
  let front: Running;
  let others: Running[];
  const metrics = new PrometheusMetrics();
  before(async () => {
    front = await listen(createFrontDoor([cost, text], { allowedHosts: LOOPBACK_HOSTS, logger: silentLogger, metrics }));
    others = [
      await listen(createApp(failing, { allowedHosts: LOOPBACK_HOSTS, logger: silentLogger })),
      await listen(createApp(writeOnly, { allowedHosts: LOOPBACK_HOSTS, logger: silentLogger })),
    ];
  });
  after(async () => {
    await front.close();
    for (const o of others) await o.close();
  });

  const check = (resolver: Resolver) => runSyntheticCheck(new McpServers({ resolver, toolsTtlMs: 0, timeoutMs: 5000 }));

  it("calls each server's read-only tool with its probe arguments, as a client does, and says it passed", async () => {
    const results = await check(new StaticResolver([`cost=${front.url}/cost/mcp`, `text=${front.url}/text/mcp`]));
    assert.deepEqual(
      results.map((r) => [r.server, r.ok, r.tool]),
      [
        ['cost', true, 'estimate_hosting_cost'],
        ['text', true, 'analyze_text'],
      ],
    );
    // The servers ran them (their own metrics say so).
    assert.match(metrics.render(), /^mcp_tool_calls_total\{server="cost",tool="estimate_hosting_cost",outcome="ok"\} 1$/m);
    assert.match(metrics.render(), /^mcp_tool_calls_total\{server="text",tool="analyze_text",outcome="ok"\} 1$/m);
    for (const r of results) assert.ok(r.latencyMs > 0);
  });

  it('a tool error, an unreachable server: failed, with the reason; a server without a read-only tool: listed only', async () => {
    const closed = await listen(createApp(text, { allowedHosts: LOOPBACK_HOSTS, logger: silentLogger }));
    await closed.close();
    const results = await check(new StaticResolver([`failing=${others[0]!.url}/mcp`, `writer=${others[1]!.url}/mcp`, `gone=${closed.url}/mcp`]));
    const by = Object.fromEntries(results.map((r) => [r.server, r]));
    assert.equal(by.failing!.ok, false);
    assert.equal(by.failing!.tool, 'status');
    assert.match(by.failing!.error!, /tool error: backend in eu-west-1 is down/);
    assert.equal(by.writer!.ok, true);
    assert.equal(by.writer!.tool, undefined);
    assert.match(by.writer!.note!, /listed only/);
    assert.equal(by.gone!.ok, false);
    assert.match(by.gone!.error!, /unreachable|ECONNREFUSED|fetch failed/i);
  });

  it('goes through the front door only: a task address found in Cloud Map is not tried', async () => {
    const inner: Resolver = {
      source: 'cloudmap',
      resolve: async (): Promise<McpEndpoint[]> => [
        { id: 'task-1', url: 'http://10.0.0.1:3000/mcp', server: 'text', direct: true },
        { id: 'url', url: `${front.url}/text/mcp`, server: 'text', direct: false },
      ],
      invalidate: () => undefined,
    };
    assert.deepEqual((await frontDoorOnly(inner).resolve()).map((e) => e.id), ['url']);
    const [result] = await check(frontDoorOnly(inner));
    assert.equal(result!.ok, true);
  });

  it('the Lambda handler writes one valid EMF line per server: SyntheticSuccess 1 or 0 and SyntheticLatency', async () => {
    const lines: any[] = [];
    const handle = createSyntheticHandler(
      { MCP_SERVERS: `text=${front.url}/text/mcp,failing=${others[0]!.url}/mcp` },
      silentLogger,
      new EmfMetrics((line) => lines.push(JSON.parse(line))),
    );
    assert.deepEqual(await handle(), { servers: 2, failed: ['failing'] });
    assert.equal(lines.length, 2);
    for (const l of lines) assert.deepEqual(emfProblems(l), []);
    const by = Object.fromEntries(lines.map((l) => [l.Server, l]));
    assert.equal(by.text[METRIC.syntheticSuccess], 1);
    assert.equal(by.failing[METRIC.syntheticSuccess], 0);
    assert.ok(by.text[METRIC.syntheticLatency] > 0);
    assert.deepEqual(by.text._aws.CloudWatchMetrics[0].Dimensions, [['Server']]);
  });
});

describe('the synthetic check with authorization on (AUTH=local npm start)', function () {
  this.timeout(60_000);
  let local: LocalRun | undefined;
  after(() => killLocal(local));

  it('gets machine tokens as the agent does and passes; with credentials the server does not know, every server fails', async () => {
    local = startLocal(path.resolve(__dirname, '../../..'), { AUTH: 'local', AUTH_PORT: '0' });
    const { issuer, servers } = await local.ready;
    const scope = 'mcp-on-aws/cost mcp-on-aws/text';
    const client = (await (
      await fetch(`${issuer}/reg`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ grant_types: ['client_credentials'], response_types: [], redirect_uris: [], token_endpoint_auth_method: 'client_secret_basic', scope }),
      })
    ).json()) as { client_id: string; client_secret: string };
    const env = (secret: string) => ({
      MCP_SERVERS: Object.entries(servers).map(([n, u]) => `${n}=${u}`).join(','),
      MCP_AUTH: 'local',
      MCP_AUTH_TOKEN_URL: `${issuer}/token`,
      MCP_AUTH_CLIENT_ID: client.client_id,
      MCP_AUTH_CLIENT_SECRET: secret,
      MCP_AUTH_SCOPE_PREFIX: 'mcp-on-aws',
    });
    const lines: any[] = [];
    const metrics = new EmfMetrics((l) => lines.push(JSON.parse(l)));
    assert.deepEqual(await createSyntheticHandler(env(client.client_secret), silentLogger, metrics)(), { servers: 2, failed: [] });
    assert.deepEqual(lines.map((l) => [l.Server, l[METRIC.syntheticSuccess]]), [['cost', 1], ['text', 1]]);
    assert.deepEqual(await createSyntheticHandler(env('not-the-secret'), silentLogger, metrics)(), { servers: 2, failed: ['cost', 'text'] });
    assert.equal(await stopLocal(local), 0);
  });
});
