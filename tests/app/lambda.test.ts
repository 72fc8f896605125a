import { strict as assert } from 'node:assert';
import { PassThrough, type Writable } from 'node:stream';
import { functionUrlEvent, httpApiV2Event, lambdaContext } from '../fixtures/lambdaEvents';

type Handler = (event: unknown, context: unknown) => Promise<{ statusCode: number; headers?: Record<string, string>; body: string; isBase64Encoded?: boolean }>;

const rpc = (id: number, method: string, params?: unknown) => JSON.stringify({ jsonrpc: '2.0', id, method, ...(params ? { params } : {}) });
const initialize = rpc(1, 'initialize', {
  protocolVersion: '2025-11-25',
  capabilities: {},
  clientInfo: { name: 'lambda-test', version: '1.0.0' },
});

function bodyOf(result: { body: string; isBase64Encoded?: boolean }): any {
  const text = result.isBase64Encoded ? Buffer.from(result.body, 'base64').toString('utf8') : result.body;
  return JSON.parse(text);
}

describe('Lambda handler', () => {
  let handler: Handler;

  before(() => {
    process.env.LOG_LEVEL = 'silent';
    // Loaded here so that the module's logger is created with the level set above.
    ({ handler } = require('../../app/lambda') as { handler: Handler });
  });

  for (const [name, makeEvent] of [
    ['API Gateway HTTP API v2', httpApiV2Event],
    ['Function URL', functionUrlEvent],
  ] as const) {
    describe(name, () => {
      it('answers initialize with JSON', async () => {
        const res = await handler(makeEvent(initialize), lambdaContext);
        assert.equal(res.statusCode, 200);
        assert.match(res.headers!['content-type']!, /application\/json/);
        const body = bodyOf(res);
        assert.equal(body.id, 1);
        assert.equal(body.result.serverInfo.name, 'mcp-on-aws');
      });

      it('answers tools/list', async () => {
        const res = await handler(makeEvent(rpc(2, 'tools/list')), lambdaContext);
        assert.equal(res.statusCode, 200);
        assert.deepEqual(bodyOf(res).result.tools.map((t: any) => t.name).sort(), ['analyze_text', 'estimate_hosting_cost']);
      });

      it('answers tools/call from a base64-encoded body', async () => {
        const call = rpc(3, 'tools/call', { name: 'analyze_text', arguments: { text: 'Grüße aus Lambda. Zwei Sätze!' } });
        const res = await handler(makeEvent(call, { base64: true }), lambdaContext);
        assert.equal(res.statusCode, 200);
        const result = bodyOf(res).result;
        assert.equal(result.structuredContent.words, 5);
        assert.equal(result.structuredContent.sentences, 2);
      });

      it('answers malformed JSON with 400 and -32700', async () => {
        const res = await handler(makeEvent('{"jsonrpc":'), lambdaContext);
        assert.equal(res.statusCode, 400);
        assert.equal(bodyOf(res).error.code, -32700);
      });
    });
  }

  it('streams the same answer through a Function URL in RESPONSE_STREAM mode', async () => {
    const { createStreamHandler } = require('../../app/lambda') as typeof import('../../app/lambda');
    let metadata: { statusCode: number; headers?: Record<string, string> } | undefined;
    const chunks: Buffer[] = [];
    const runtime = {
      streamifyResponse: <T>(fn: T) => fn,
      HttpResponseStream: {
        from(stream: Writable, meta: { statusCode: number; headers?: Record<string, string> }) {
          metadata = meta;
          return stream;
        },
      },
    };
    const stream = createStreamHandler(runtime) as (e: unknown, s: Writable, c: unknown) => Promise<void>;
    const sink = new PassThrough();
    sink.on('data', (c: Buffer) => chunks.push(c));
    await stream(functionUrlEvent(initialize, { base64: true }), sink, lambdaContext);
    assert.equal(metadata?.statusCode, 200);
    assert.match(metadata!.headers!['content-type']!, /application\/json/);
    assert.equal(JSON.parse(Buffer.concat(chunks).toString()).result.serverInfo.name, 'mcp-on-aws');
  });

  it('answers the health check', async () => {
    const res = await handler(httpApiV2Event('', { method: 'GET', path: '/healthz' }), lambdaContext);
    assert.equal(res.statusCode, 200);
    assert.deepEqual(bodyOf(res), { status: 'ok' });
  });
});
