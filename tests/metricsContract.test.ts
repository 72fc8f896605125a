// The metrics the stack's dashboard and alarms name (the program, under mocks) against the EMF lines the
// apps write (a real local run: npm start with MCP_METRICS=emf, the synthetic check against it, and the
// Lambda handler's and the agent's Bedrock loop in this process): same namespace, name, dimension set and
// dimension values, so that no widget or alarm watches a metric nobody writes.
import { strict as assert } from 'node:assert';
import path from 'node:path';
import type { ConverseCommand } from '@aws-sdk/client-bedrock-runtime';
import { ask } from '../app/agent/ask';
import { EmfMetrics, METRIC, METRICS_NAMESPACE } from '../app/observability/metrics';
import type * as Lambda from '../app/lambda';
import { createSyntheticHandler } from '../app/synthetic/lambda';
import { alarmMetrics, dashboardMetrics, type AlarmArgs, type MetricRef } from '../components/observability';
import { httpApiV2Event, lambdaContext } from './fixtures/lambdaEvents';
import { silentLogger } from './helpers/http';
import { killLocal, startLocal, stopLocal, type LocalRun } from './helpers/local';
import { deployWith } from './helpers/pulumi';
import { loadServer } from './app/testServers';

const root = path.resolve(__dirname, '..');
const MODEL = 'us.amazon.nova-lite-v1:0';

type EmfLine = Record<string, any> & { _aws: { CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string }[] }[] } };

/** Whether `line` writes `metric`: its namespace, its name, one of its dimension sets exactly, with the same values. */
function writes(line: EmfLine, metric: MetricRef): boolean {
  const keys = Object.keys(metric.dimensions).sort().join();
  return line._aws.CloudWatchMetrics.some(
    (d) =>
      d.Namespace === metric.namespace &&
      d.Metrics.some((m) => m.Name === metric.name) &&
      d.Dimensions.some((set) => [...set].sort().join() === keys) &&
      Object.entries(metric.dimensions).every(([k, v]) => line[k] === v),
  );
}

const post = (url: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

describe('the dashboard and alarms watch what the apps write', function () {
  this.timeout(120_000);
  let local: LocalRun | undefined;
  const lines: EmfLine[] = [];

  before(async () => {
    local = startLocal(root, { MCP_METRICS: 'emf' });
    const { agent, servers } = await local.ready;
    const call = async (tool: string, args: unknown) => (await post(`${agent}/tools/${tool}/call`, args)).json();
    // Through the agent: a call of each tool that works, and one whose arguments the server refuses (a tool error).
    await call('analyze_text', { text: 'One. Two.' });
    await call('estimate_hosting_cost', { requestsPerMonth: 1000, avgDurationMs: 50 });
    await call('analyze_text', { text: 42 });
    await call('estimate_hosting_cost', { requestsPerMonth: 'many' });
    // Straight to each server: a tool it does not define (a protocol error).
    for (const url of Object.values(servers)) {
      await post(url, { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'no_such_tool', arguments: {} } }, { accept: 'application/json, text/event-stream', 'mcp-protocol-version': '2025-11-25' });
    }
    // The synthetic check, against the same servers.
    const capture = new EmfMetrics((l) => lines.push(JSON.parse(l)));
    await createSyntheticHandler({ MCP_SERVERS: Object.entries(servers).map(([n, u]) => `${n}=${u}`).join(',') }, silentLogger, capture)();
    assert.equal(await stopLocal(local), 0);
    lines.push(...(local.lines.filter((l) => '_aws' in l) as EmfLine[]));
    // Lambda's cold start, from the handler itself (from source it needs MCP_SERVER set while it loads).
    process.env.MCP_SERVER = 'cost';
    let lambda: typeof Lambda;
    try {
      lambda = require('../app/lambda') as typeof Lambda;
    } finally {
      delete require.cache[require.resolve('../app/lambda')];
      delete process.env.MCP_SERVER;
    }
    for (const name of ['cost', 'text']) {
      const handler = lambda.lambdaServerHandler(loadServer(name), { logger: silentLogger, responseMode: 'json', cors: false, metrics: capture });
      await handler(httpApiV2Event('', { method: 'GET', path: '/healthz' }), lambdaContext);
    }
    // The agent's Bedrock loop, with a model that answers at once.
    const bedrock = { send: async (_c: ConverseCommand) => ({ output: { message: { role: 'assistant', content: [{ text: 'done' }] } }, stopReason: 'end_turn' }) };
    await ask({ bedrock: bedrock as never, modelId: MODEL, prompt: 'hi', tools: [], callTool: async () => assert.fail('no tool'), maxSteps: 1, metrics: capture });
  });
  after(() => killLocal(local));

  it('the local run wrote every kind of line: tool calls, tool errors, protocol errors, agent calls, synthetic checks, cold starts, Bedrock calls', () => {
    for (const name of Object.values(METRIC)) assert.ok(lines.some((l) => typeof l[name] === 'number'), `a line with ${name}`);
  });

  for (const target of ['lambda', 'fargate', 'eks'] as const) {
    it(`${target}: every metric of the apps the dashboard or an alarm names is written by them (namespace, name, dimensions and values)`, async () => {
      const d = await deployWith({ target, agentModelId: MODEL });
      const dashboard = d.resources.find((r) => r.type === 'aws:cloudwatch/dashboard:Dashboard')!;
      const named = [
        ...dashboardMetrics(dashboard.inputs.dashboardBody).map((m) => ({ where: 'dashboard', m })),
        ...d.resources.filter((r) => r.type === 'aws:cloudwatch/metricAlarm:MetricAlarm').flatMap((a) => alarmMetrics(a.inputs as AlarmArgs).map((m) => ({ where: a.name, m }))),
      ].filter(({ m }) => m.namespace === METRICS_NAMESPACE);
      assert.ok(named.length > 20, `${named.length} metrics of the apps named`);
      const missing = named.filter(({ m }) => !lines.some((l) => writes(l, m)));
      assert.deepEqual(missing.map(({ where, m }) => `${where}: ${m.name} ${JSON.stringify(m.dimensions)}`), []);
      // And every metric the apps write is watched somewhere on this target (cold starts: Lambda only).
      for (const name of Object.values(METRIC)) {
        if (name === METRIC.coldStart && target !== 'lambda') continue;
        assert.ok(named.some(({ m }) => m.name === name), `${target}: ${name} is on the dashboard or an alarm`);
      }
    });
  }

  it('the check catches a dashboard that names a dimension value the apps never write', () => {
    const wrong: MetricRef = { namespace: METRICS_NAMESPACE, name: METRIC.calls, dimensions: { Server: 'cost', Tool: 'estimate_hosting_cost', Outcome: 'okay' } };
    assert.ok(!lines.some((l) => writes(l, wrong)));
    const right: MetricRef = { ...wrong, dimensions: { ...wrong.dimensions, Outcome: 'ok' } };
    assert.ok(lines.some((l) => writes(l, right)));
  });
});
