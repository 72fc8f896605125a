import { strict as assert } from 'node:assert';
import path from 'node:path';
import { killLocal, startLocal, stopLocal, type LocalRun } from '../../helpers/local';
import { CLIENT, OtlpReceiver, SERVER, type ReceivedSpan } from './otlpReceiver';

const root = path.resolve(__dirname, '../../..');

// The caller's own trace, as a W3C traceparent: every span the call makes must join it.
const TRACE_ID = '6a1f0c3b9e2d4f5a8b7c6d5e4f3a2b1c';
const CALLER_SPAN = '1a2b3c4d5e6f7a8b';

const post = (url: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

describe('traces: npm start with MCP_TRACING=otlp, spans received by an OTLP collector stand-in', function () {
  this.timeout(30_000);
  let local: LocalRun | undefined;
  let receiver: OtlpReceiver;
  before(async () => {
    receiver = await new OtlpReceiver().start();
  });
  after(() => receiver.stop());
  afterEach(() => killLocal(local));

  /** npm start, its spans sent to the stand-in collector (`env` added). */
  const startTraced = (env: Record<string, string> = {}) =>
    startLocal(root, { MCP_TRACING: 'otlp', OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_BSP_SCHEDULE_DELAY: '20', ...env });

  it('one trace from the agent into the server for a tool call, with the MCP conventions and the trace id on the log lines', async () => {
    local = startTraced();
    const { agent } = await local.ready;
    const res = await post(`${agent}/tools/analyze_text/call`, { text: 'one two three' }, { traceparent: `00-${TRACE_ID}-${CALLER_SPAN}-01` });
    assert.equal(res.status, 200);
    // The agent's span ends once its answer is sent, after the server's: both are awaited.
    const spans = await receiver.until((all) =>
      ['tools/call analyze_text', 'POST /tools/{name}/call'].every((name) => all.some((s) => s.traceId === TRACE_ID && s.kind === SERVER && s.name === name)),
    );
    const ours = spans.filter((s) => s.traceId === TRACE_ID);
    const agentSpan = ours.find((s) => s.name === 'POST /tools/{name}/call')!;
    assert.ok(agentSpan, `the agent's request span: ${ours.map((s) => s.name).join(', ')}`);
    assert.equal(agentSpan.kind, SERVER);
    assert.equal(agentSpan.parentSpanId, CALLER_SPAN, "a child of the caller's span (traceparent header)");
    const client = ours.find((s) => s.kind === CLIENT && s.name === 'tools/call analyze_text')!;
    assert.ok(client, "the agent's call to the server");
    assert.equal(client.parentSpanId, agentSpan.spanId);
    assert.equal(client.attributes['gen_ai.tool.name'], 'analyze_text');
    assert.equal(client.attributes['mcp_on_aws.server'], 'text');
    const server = ours.find((s) => s.kind === SERVER && s.name === 'tools/call analyze_text')!;
    assert.equal(server.parentSpanId, client.spanId, "the server's span continues the agent's call");
    assert.equal(server.attributes['mcp.method.name'], 'tools/call');
    assert.equal(server.attributes['gen_ai.tool.name'], 'analyze_text');
    assert.equal(server.attributes['gen_ai.operation.name'], 'execute_tool');
    assert.equal(server.attributes['mcp_on_aws.server'], 'text');
    assert.match(String(server.attributes['jsonrpc.request.id']), /^\d+$/);
    assert.match(String(server.attributes['mcp.protocol.version']), /^\d{4}-\d{2}-\d{2}$/);
    assert.equal(server.attributes['error.type'], undefined, 'a call that worked has no error.type');
    // The server's request log line names the trace, as X-Ray shows it too.
    const line = local.lines.find((l) => l.msg === 'request' && l.path === '/text/mcp' && l.spanId === server.spanId);
    assert.ok(line, 'the request log line carries the span');
    assert.equal(line!.rpcMethod, 'tools/call');
    assert.equal(line!.traceId, TRACE_ID);
    assert.equal(line!.xrayTraceId, `1-${TRACE_ID.slice(0, 8)}-${TRACE_ID.slice(8)}`);
    assert.equal(await stopLocal(local), 0);
  });

  it("a client's context in params._meta wins over its headers; errors are the span's error.type (JSON-RPC code, tool_error)", async () => {
    local = startTraced();
    const { servers } = await local.ready;
    const headers = { accept: 'application/json, text/event-stream', 'mcp-protocol-version': '2025-11-25' };
    const metaTrace = 'b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7';
    const headerTrace = 'c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8';
    // A tool the server does not define: -32602, and no span named after the made-up name.
    const unknown = await post(
      servers.text!,
      { jsonrpc: '2.0', id: 7, method: 'tools/call', params: { name: 'made_up_tool', arguments: {}, _meta: { traceparent: `00-${metaTrace}-${CALLER_SPAN}-01` } } },
      { ...headers, traceparent: `00-${headerTrace}-${CALLER_SPAN}-01` },
    );
    assert.equal(unknown.status, 200);
    // A call whose arguments the tool refuses: a tool error (isError), still a 200.
    const refused = await post(
      servers.cost!,
      { jsonrpc: '2.0', id: 8, method: 'tools/call', params: { name: 'estimate_hosting_cost', arguments: { requestsPerMonth: -5 }, _meta: { traceparent: `00-${metaTrace}-${CALLER_SPAN}-01` } } },
      headers,
    );
    assert.equal(refused.status, 200);
    assert.match(await refused.text(), /"isError":true/);
    const spans = await receiver.until((all) => all.filter((s) => s.traceId === metaTrace).length >= 2);
    assert.equal(spans.filter((s) => s.traceId === headerTrace).length, 0, 'the _meta context is used, not the header');
    const [first, second] = spans.filter((s) => s.traceId === metaTrace).sort((a, b) => String(a.attributes['jsonrpc.request.id']).localeCompare(String(b.attributes['jsonrpc.request.id'])));
    check(first!, { name: 'tools/call', errorType: '-32602', tool: 'made_up_tool' });
    assert.equal(first!.attributes['rpc.response.status_code'], '-32602');
    check(second!, { name: 'tools/call estimate_hosting_cost', errorType: 'tool_error', tool: 'estimate_hosting_cost' });
    assert.equal(await stopLocal(local), 0);
  });

  it('sends the spans of its last requests when it stops (SIGTERM), not only on its export schedule', async () => {
    const before = receiver.spans.length;
    // An export schedule it never reaches: only the flush on stopping sends the spans.
    local = startTraced({ OTEL_BSP_SCHEDULE_DELAY: '600000' });
    const { agent } = await local.ready;
    assert.equal((await post(`${agent}/tools/analyze_text/call`, { text: 'last words' }, { traceparent: `00-${TRACE_ID}-${CALLER_SPAN}-01` })).status, 200);
    assert.equal(await stopLocal(local), 0);
    const names = receiver.spans.slice(before).filter((s) => s.traceId === TRACE_ID).map((s) => s.name);
    assert.ok(names.includes('POST /tools/{name}/call') && names.includes('tools/call analyze_text'), names.join(', '));
  });

  describe('sampling (OTEL_TRACES_SAMPLER=parentbased_traceidratio, as tracingSamplePercent sets it)', () => {
    it('a request that starts a trace is not recorded at ratio 0; one whose caller records its trace is', async () => {
      // The runs before this one have ended (their processes have exited): only this run's spans arrive after `before`.
      const before = receiver.spans.length;
      local = startTraced({ OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0' });
      const { agent } = await local.ready;
      assert.equal((await post(`${agent}/tools/analyze_text/call`, { text: 'untraced' })).status, 200);
      assert.equal((await post(`${agent}/tools/analyze_text/call`, { text: 'traced' }, { traceparent: `00-${TRACE_ID}-${CALLER_SPAN}-01` })).status, 200);
      const spans = (await receiver.until((all) => all.slice(before).some((s) => s.traceId === TRACE_ID && s.name === 'POST /tools/{name}/call'))).slice(before);
      assert.deepEqual([...new Set(spans.map((s) => s.traceId))], [TRACE_ID], 'only the sampled caller’s trace');
      assert.equal(await stopLocal(local), 0);
    });
  });
});

function check(span: ReceivedSpan, want: { name: string; errorType: string; tool: string }) {
  assert.equal(span.name, want.name);
  assert.equal(span.parentSpanId, CALLER_SPAN);
  assert.equal(span.attributes['error.type'], want.errorType);
  assert.equal(span.attributes['gen_ai.tool.name'], want.tool);
  assert.equal(span.status?.code, 2, 'status ERROR');
}
