import { strict as assert } from 'node:assert';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildBundle } from '../../scripts/bundles';
import { functionUrlEvent } from '../fixtures/lambdaEvents';
import { startLambdaRuntime, type RunningRuntime } from '../helpers/lambdaRuntime';
import { splitHttpIntegrationResponse, type InvocationResult } from '../helpers/lambdaRuntimeApi';
import { envelope, MODERN } from './modernWire';

const rpc = (id: number | undefined, method: string, params?: unknown) =>
  JSON.stringify({ jsonrpc: '2.0', ...(id === undefined ? {} : { id }), method, ...(params ? { params } : {}) });

/** A Function URL event of a 2026-07-28 tools/call: envelope in _meta, headers mirroring the body. */
function modernCall(id: number, name: string, args: Record<string, unknown>) {
  const event = functionUrlEvent(rpc(id, 'tools/call', { name, arguments: args, _meta: envelope() }));
  return { ...event, headers: { ...event.headers, 'mcp-protocol-version': MODERN, 'mcp-method': 'tools/call', 'mcp-name': name } };
}

/** What the Function URL makes of the bytes the runtime streamed: status, headers, body. */
function asFunctionUrlResponse(result: InvocationResult) {
  assert.equal(result.kind, 'response', `the runtime reported an error: ${result.body.toString()}`);
  assert.equal(result.headers['lambda-runtime-function-response-mode'], 'streaming');
  assert.equal(result.headers['content-type'], 'application/vnd.awslambda.http-integration-response');
  assert.equal(result.trailers['lambda-runtime-function-error-type'], undefined, 'no mid-stream error');
  const split = splitHttpIntegrationResponse(result.body);
  assert.ok(split, `the stream starts with a JSON prelude and 8 NUL bytes; it was: ${JSON.stringify(result.body.subarray(0, 120).toString())}`);
  return split;
}

describe('Function URL in RESPONSE_STREAM mode, through the real Lambda Node.js runtime (aws-lambda-ric)', function () {
  this.timeout(60_000);
  let taskRoot: string;
  let runtime: RunningRuntime;

  before(async () => {
    taskRoot = mkdtempSync(path.join(tmpdir(), 'mcp-lambda-'));
    copyFileSync(await buildBundle({ kind: 'lambda', server: 'cost' }), path.join(taskRoot, 'index.js'));
    runtime = await startLambdaRuntime(taskRoot, 'index.streamHandler', { LOG_LEVEL: 'silent' });
  });

  after(async () => {
    await runtime?.stop();
    if (taskRoot) rmSync(taskRoot, { recursive: true, force: true });
  });

  it('answers initialize: the prelude carries status 200 and the JSON content type, then the body', async () => {
    const event = functionUrlEvent(
      rpc(1, 'initialize', { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'ric-test', version: '1.0.0' } }),
    );
    const { prelude, body } = asFunctionUrlResponse(await runtime.api.invoke(event));
    assert.equal(prelude.statusCode, 200);
    assert.match(prelude.headers?.['content-type'] ?? '', /^application\/json/);
    const answer = JSON.parse(body.toString('utf8'));
    assert.equal(answer.id, 1);
    assert.equal(answer.result.serverInfo.name, 'mcp-on-aws-cost');
  });

  it('answers tools/call from a base64-encoded body', async () => {
    const event = functionUrlEvent(rpc(2, 'tools/call', { name: 'estimate_hosting_cost', arguments: { requestsPerMonth: 1_000_000, avgDurationMs: 200 } }), {
      base64: true,
    });
    const { prelude, body } = asFunctionUrlResponse(await runtime.api.invoke(event));
    assert.equal(prelude.statusCode, 200);
    const result = JSON.parse(body.toString('utf8')).result;
    assert.equal(result.isError, undefined);
    assert.equal(result.structuredContent.cheapest, 'lambda');
  });

  it(`answers a ${MODERN} tools/call with no initialize: JSON, resultType complete`, async () => {
    const event = modernCall(6, 'estimate_hosting_cost', { requestsPerMonth: 1_000_000, avgDurationMs: 200 });
    const { prelude, body } = asFunctionUrlResponse(await runtime.api.invoke(event));
    assert.equal(prelude.statusCode, 200);
    assert.match(prelude.headers?.['content-type'] ?? '', /^application\/json/);
    const result = JSON.parse(body.toString('utf8')).result;
    assert.equal(result.resultType, 'complete');
    assert.equal(result.structuredContent.cheapest, 'lambda');
  });

  it("serves cost's tools only, with no MCP_SERVER: the bundle holds that one server", async () => {
    const { body } = asFunctionUrlResponse(await runtime.api.invoke(functionUrlEvent(rpc(5, 'tools/list'))));
    assert.deepEqual(JSON.parse(body.toString('utf8')).result.tools.map((t: any) => t.name), ['estimate_hosting_cost']);
    const code = readFileSync(path.join(taskRoot, 'index.js'), 'utf8');
    assert.ok(!code.includes('analyze_text'), "the text server's code is not in the cost bundle");
  });

  it('sends the prelude for an empty body too (a notification: 202)', async () => {
    const { prelude, body } = asFunctionUrlResponse(await runtime.api.invoke(functionUrlEvent(rpc(undefined, 'notifications/initialized'))));
    assert.equal(prelude.statusCode, 202);
    assert.equal(body.length, 0);
  });

  it('answers an event that is not HTTP with 400 and a JSON error, and keeps serving', async () => {
    const { prelude, body } = asFunctionUrlResponse(await runtime.api.invoke({ Records: [{ eventSource: 'aws:sqs', body: 'x' }] }));
    assert.equal(prelude.statusCode, 400);
    assert.match(JSON.parse(body.toString('utf8')).error.message, /expects API Gateway HTTP API \(payload format 2\.0\) or Lambda Function URL events/);
    const next = asFunctionUrlResponse(await runtime.api.invoke(functionUrlEvent(rpc(3, 'tools/list'))));
    assert.equal(next.prelude.statusCode, 200);
  });
});

describe('Function URL in RESPONSE_STREAM mode with MCP_RESPONSE_MODE=sse, through the real Lambda Node.js runtime', function () {
  this.timeout(60_000);
  let taskRoot: string;
  let runtime: RunningRuntime;

  before(async () => {
    taskRoot = mkdtempSync(path.join(tmpdir(), 'mcp-lambda-sse-'));
    copyFileSync(await buildBundle({ kind: 'lambda', server: 'cost' }), path.join(taskRoot, 'index.js'));
    runtime = await startLambdaRuntime(taskRoot, 'index.streamHandler', { LOG_LEVEL: 'silent', MCP_RESPONSE_MODE: 'sse' });
  });

  after(async () => {
    await runtime?.stop();
    if (taskRoot) rmSync(taskRoot, { recursive: true, force: true });
  });

  it('answers tools/call with a text/event-stream body', async () => {
    const event = functionUrlEvent(rpc(4, 'tools/call', { name: 'estimate_hosting_cost', arguments: { requestsPerMonth: 10_000_000, avgDurationMs: 120 } }));
    const { prelude, body } = asFunctionUrlResponse(await runtime.api.invoke(event));
    assert.equal(prelude.statusCode, 200);
    assert.match(prelude.headers?.['content-type'] ?? '', /^text\/event-stream/);
    const data = body.toString('utf8').split('\n').find((line) => line.startsWith('data: '));
    assert.ok(data, 'an SSE data line');
    const message = JSON.parse(data.slice('data: '.length));
    assert.equal(message.id, 4);
    assert.deepEqual(message.result.structuredContent.estimates.map((e: any) => e.target).sort(), ['eks', 'fargate', 'lambda']);
  });

  it(`answers a ${MODERN} tools/call that sends no notification with one JSON body`, async () => {
    const event = modernCall(7, 'estimate_hosting_cost', { requestsPerMonth: 10_000_000, avgDurationMs: 120 });
    const { prelude, body } = asFunctionUrlResponse(await runtime.api.invoke(event));
    assert.equal(prelude.statusCode, 200);
    assert.match(prelude.headers?.['content-type'] ?? '', /^application\/json/);
    const message = JSON.parse(body.toString('utf8'));
    assert.equal(message.id, 7);
    assert.equal(message.result.resultType, 'complete');
  });
});
