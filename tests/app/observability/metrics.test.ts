// Per-tool metrics from a real local run: EMF lines as CloudWatch reads them, the Prometheus summary of
// npm start, and a bounded number of metrics whatever tool names clients send.
import { strict as assert } from 'node:assert';
import { z } from 'zod';
import { createFrontDoor } from '../../../app/frontDoor';
import { defineServer, defineTool, toolError } from '../../../app/mcp/define';
import { DIMENSION_SETS, EmfMetrics, METRIC, METRICS_NAMESPACE, PrometheusMetrics, type ToolMetrics } from '../../../app/observability/metrics';
import type * as Lambda from '../../../app/lambda';
import { httpApiV2Event, lambdaContext } from '../../fixtures/lambdaEvents';
import { listen, MCP_HEADERS, request, rpcBody, silentLogger, type Running } from '../../helpers/http';
import { emfProblems } from '../../helpers/emf';

const tools = [
  defineTool({ name: 'counts', title: 'Counts', description: 'Takes a number.', inputSchema: { n: z.number() }, run: ({ n }) => toolError(`never ${n}`) }),
  defineTool({ name: 'fine', title: 'Fine', description: 'Answers.', outputSchema: { ok: z.boolean() }, run: () => ({ ok: true }) }),
  defineTool({ name: 'refuses', title: 'Refuses', description: 'A tool error.', run: () => toolError('cannot') }),
  defineTool({
    name: 'throws',
    title: 'Throws',
    description: 'Throws.',
    run: () => {
      throw new Error('boom');
    },
  }),
];
const SERVERS = [{ name: 'alpha', definition: defineServer({ title: 'Alpha', instructions: 'A.', tools }) }];

const call = (url: string, name: string, id = 1) =>
  request(`${url}/alpha/mcp`, { method: 'POST', headers: MCP_HEADERS, body: JSON.stringify({ jsonrpc: '2.0', id, method: 'tools/call', params: { name, arguments: {} } }) });

async function run(metrics: ToolMetrics, fn: (url: string) => Promise<void>) {
  const running: Running = await listen(createFrontDoor(SERVERS, { logger: silentLogger, responseMode: 'json', metrics }, 'alpha'));
  try {
    await fn(running.url);
  } finally {
    await running.close();
  }
}

describe('per-tool metrics (app/observability/metrics)', () => {
  it('one valid EMF line per call, with the outcome: ok, tool error (isError or thrown)', async () => {
    const lines: string[] = [];
    await run(new EmfMetrics((l) => lines.push(l), () => 1_790_000_000_000), async (url) => {
      for (const name of ['fine', 'refuses', 'throws']) assert.equal((await call(url, name)).status, 200);
    });
    const records = lines.map((l) => JSON.parse(l));
    for (const r of records) assert.deepEqual(emfProblems(r), []);
    assert.deepEqual(
      records.map((r) => [r.Server, r.Tool, r.Outcome, r[METRIC.calls], r[METRIC.errors]]),
      [
        ['alpha', 'fine', 'ok', 1, 0],
        ['alpha', 'refuses', 'tool_error', 1, 1],
        ['alpha', 'throws', 'tool_error', 1, 1],
      ],
    );
    assert.equal(records[0]._aws.CloudWatchMetrics[0].Namespace, METRICS_NAMESPACE);
    assert.deepEqual(records[0]._aws.CloudWatchMetrics[0].Dimensions, DIMENSION_SETS);
    assert.ok(records.every((r) => r[METRIC.duration] >= 0));
  });

  it('a flood of tool names no server defines adds no metric', async () => {
    const lines: string[] = [];
    const prometheus = new PrometheusMetrics();
    const both: ToolMetrics = { toolCall: (...a) => (prometheus.toolCall(...a), new EmfMetrics((l) => lines.push(l)).toolCall(...a)) };
    await run(both, async (url) => {
      await call(url, 'fine');
      const before = prometheus.size;
      for (let i = 0; i < 50; i++) {
        const res = await call(url, `made-up-${i}`, i + 2);
        const body = await rpcBody(res);
        assert.ok(body.error || body.result?.isError, JSON.stringify(body));
      }
      assert.equal(prometheus.size, before);
    });
    assert.equal(lines.length, 1);
    assert.ok(!lines.some((l) => l.includes('made-up')));
  });

  it('arguments the SDK refuses are a tool error of that tool; an unknown tool is a protocol error, by method only', async () => {
    const lines: any[] = [];
    await run(new EmfMetrics((l) => lines.push(JSON.parse(l))), async (url) => {
      const bad = await request(`${url}/alpha/mcp`, {
        method: 'POST',
        headers: MCP_HEADERS,
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'counts', arguments: { n: 'seven' } } }),
      });
      assert.equal((await rpcBody(bad)).result.isError, true);
      await call(url, 'no_such_tool', 2);
    });
    for (const l of lines) assert.deepEqual(emfProblems(l), []);
    const calls = lines.filter((l) => l[METRIC.calls] !== undefined);
    assert.deepEqual(calls.map((l) => [l.Tool, l.Outcome, l[METRIC.errors]]), [['counts', 'tool_error', 1]]);
    const protocol = lines.filter((l) => l[METRIC.protocolErrors] !== undefined);
    assert.deepEqual(protocol.map((l) => [l.Server, l.Method, l.code, l.Tool]), [['alpha', 'tools/call', -32602, undefined]]);
    assert.deepEqual(protocol[0]._aws.CloudWatchMetrics[0].Dimensions, [['Server', 'Method'], ['Server']]);
  });

  it('npm start serves the sums at GET /metrics in Prometheus text format', async () => {
    await run(new PrometheusMetrics(), async (url) => {
      await call(url, 'fine');
      await call(url, 'fine', 2);
      await call(url, 'refuses', 3);
      const res = await request(`${url}/metrics`);
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type')!, /^text\/plain; version=0\.0\.4/);
      const body = await res.text();
      assert.match(body, /^mcp_tool_calls_total\{server="alpha",tool="fine",outcome="ok"\} 2$/m);
      assert.match(body, /^mcp_tool_errors_total\{server="alpha",tool="refuses",outcome="tool_error"\} 1$/m);
      assert.match(body, /^mcp_tool_duration_milliseconds_count\{server="alpha",tool="fine",outcome="ok"\} 2$/m);
    });
  });

  it('on Lambda, the first invocation of an execution environment writes one ColdStart metric, the next none; tool calls are counted there too', async () => {
    const lines: string[] = [];
    // app/lambda makes its own handler when loaded: from source it needs MCP_SERVER to pick a server.
    const saved = process.env.MCP_SERVER;
    process.env.MCP_SERVER = 'cost';
    let lambdaServerHandler: typeof Lambda.lambdaServerHandler;
    try {
      ({ lambdaServerHandler } = require('../../../app/lambda') as typeof Lambda);
    } finally {
      delete require.cache[require.resolve('../../../app/lambda')];
      if (saved === undefined) delete process.env.MCP_SERVER;
      else process.env.MCP_SERVER = saved;
    }
    const handler = lambdaServerHandler(SERVERS[0]!, { logger: silentLogger, responseMode: 'json', cors: false, metrics: new EmfMetrics((l) => lines.push(l), () => 1_790_000_000_000) });
    for (let i = 0; i < 2; i++) assert.equal((await handler(httpApiV2Event('', { method: 'GET', path: '/healthz' }), lambdaContext)).statusCode, 200);
    const cold = lines.map((l) => JSON.parse(l)).filter((r) => r[METRIC.coldStart] !== undefined);
    assert.equal(cold.length, 1);
    assert.deepEqual(emfProblems(cold[0]), []);
    assert.equal(cold[0].Server, 'alpha');
    // Tool calls are counted on Lambda as in a container: the answer seen, with its outcome.
    const rpc = (id: number, name: string) => JSON.stringify({ jsonrpc: '2.0', id, method: 'tools/call', params: { name, arguments: {} } });
    const headers = { 'mcp-protocol-version': '2025-11-25' };
    for (const [id, name] of [[1, 'fine'], [2, 'refuses']] as const) {
      assert.equal((await handler(httpApiV2Event(rpc(id, name), { headers }), lambdaContext)).statusCode, 200);
    }
    const calls = lines.map((l) => JSON.parse(l)).filter((r) => r[METRIC.calls] !== undefined);
    assert.deepEqual(calls.map((r) => [r.Server, r.Tool, r.Outcome]), [['alpha', 'fine', 'ok'], ['alpha', 'refuses', 'tool_error']]);
  });
});
