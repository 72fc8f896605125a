import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import { bundleOptions } from '../../scripts/bundles';
import { PassThrough, type Writable } from 'node:stream';
import express from 'express';
import pino from 'pino';
import type { LambdaHttpHandler, LambdaHttpResult } from '../../app/lambdaHttp';
import { functionUrlEvent, httpApiV2Event, lambdaContext } from '../fixtures/lambdaEvents';
import { silentLogger } from '../helpers/http';
import type { LoadedServer } from '../../app/createApp';
import { catalogFrom } from '../../app/servers/catalog';
import { cost } from './testServers';
import { envelope, MODERN } from './modernWire';
import { createFetchApp } from '../../app/fetchApp';
import { lambdaFetchHandler } from '../../app/lambdaHttp';
import { defineServer } from '../../app/mcp/define';
import { z } from 'zod';

type Handler = (event: unknown, context: unknown) => Promise<{ statusCode: number; headers?: Record<string, string>; body: string; isBase64Encoded?: boolean }>;

const rpc = (id: number, method: string, params?: unknown) => JSON.stringify({ jsonrpc: '2.0', id, method, ...(params ? { params } : {}) });
const initialize = rpc(1, 'initialize', {
  protocolVersion: '2025-11-25',
  capabilities: {},
  clientInfo: { name: 'lambda-test', version: '1.0.0' },
});

function bodyOf(result: { body?: string; isBase64Encoded?: boolean }): any {
  const text = result.isBase64Encoded ? Buffer.from(result.body!, 'base64').toString('utf8') : result.body!;
  return JSON.parse(text);
}

/** The JSON-RPC messages of a text/event-stream body (its `data:` lines). */
function sseMessages(result: LambdaHttpResult): any[] {
  const text = result.isBase64Encoded ? Buffer.from(result.body!, 'base64').toString('utf8') : result.body!;
  return text
    .split('\n')
    .filter((line) => line.startsWith('data: '))
    .map((line) => JSON.parse(line.slice('data: '.length)));
}

/** A logger that keeps its lines (warnings and up), to read what the handler logged. */
function capturingLogger() {
  const lines: any[] = [];
  const logger = pino({ level: 'warn' }, { write: (line: string) => lines.push(JSON.parse(line)) });
  return { logger, lines };
}

/**
 * app/lambda.ts, whose `handler` is built at load from the environment: loaded with LOG_LEVEL=silent
 * and MCP_SERVER=text (from source the catalog has every server, so MCP_SERVER must pick one).
 */
function lambdaModule(): typeof import('../../app/lambda') {
  process.env.LOG_LEVEL = 'silent';
  const { MCP_SERVER } = process.env;
  process.env.MCP_SERVER = 'text';
  try {
    return require('../../app/lambda') as typeof import('../../app/lambda');
  } finally {
    if (MCP_SERVER === undefined) delete process.env.MCP_SERVER;
    else process.env.MCP_SERVER = MCP_SERVER;
  }
}

describe('Lambda handler (MCP_SERVER=text)', () => {
  let handler: Handler;

  before(() => {
    ({ handler } = lambdaModule() as { handler: Handler });
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
        assert.equal(body.result.serverInfo.name, 'mcp-on-aws-text');
      });

      it('answers tools/list with the tools of text only', async () => {
        const res = await handler(makeEvent(rpc(2, 'tools/list')), lambdaContext);
        assert.equal(res.statusCode, 200);
        assert.deepEqual(bodyOf(res).result.tools.map((t: any) => t.name), ['analyze_text']);
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

  it('serves the route /text/mcp as it serves /mcp', async () => {
    const res = await handler(httpApiV2Event(rpc(2, 'tools/list'), { path: '/text/mcp' }), lambdaContext);
    assert.equal(res.statusCode, 200);
    assert.deepEqual(bodyOf(res).result.tools.map((t: any) => t.name), ['analyze_text']);
    const health = await handler(httpApiV2Event('', { method: 'GET', path: '/text/healthz' }), lambdaContext);
    assert.deepEqual(bodyOf(health), { status: 'ok' });
    const other = await handler(httpApiV2Event(rpc(2, 'tools/list'), { path: '/cost/mcp' }), lambdaContext);
    assert.equal(other.statusCode, 404, 'another server is not served');
  });

  it('streams the same answer through a Function URL in RESPONSE_STREAM mode', async () => {
    const { createStreamHandler } = lambdaModule();
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
    assert.equal(JSON.parse(Buffer.concat(chunks).toString()).result.serverInfo.name, 'mcp-on-aws-text');
  });

  it('answers the health check', async () => {
    const res = await handler(httpApiV2Event('', { method: 'GET', path: '/healthz' }), lambdaContext);
    assert.equal(res.statusCode, 200);
    assert.deepEqual(bodyOf(res), { status: 'ok' });
  });
});

describe('Lambda handler in SSE mode (MCP_RESPONSE_MODE=sse)', () => {
  let handler: LambdaHttpHandler;
  let costHandler: LambdaHttpHandler;

  before(() => {
    const { createHandler } = lambdaModule();
    handler = createHandler({ MCP_RESPONSE_MODE: 'sse', MCP_SERVER: 'text' }, silentLogger);
    costHandler = createHandler({ MCP_RESPONSE_MODE: 'sse', MCP_SERVER: 'cost' }, silentLogger);
  });

  for (const [name, makeEvent] of [
    ['API Gateway HTTP API v2', httpApiV2Event],
    ['Function URL', functionUrlEvent],
  ] as const) {
    describe(name, () => {
      it('answers initialize with a text/event-stream body', async () => {
        const res = await handler(makeEvent(initialize), lambdaContext);
        assert.equal(res.statusCode, 200);
        assert.match(res.headers!['content-type']!, /^text\/event-stream/);
        const [message] = sseMessages(res);
        assert.equal(message.id, 1);
        assert.equal(message.result.serverInfo.name, 'mcp-on-aws-text');
      });

      it('answers tools/list', async () => {
        const res = await handler(makeEvent(rpc(2, 'tools/list')), lambdaContext);
        assert.match(res.headers!['content-type']!, /^text\/event-stream/);
        assert.deepEqual(sseMessages(res)[0].result.tools.map((t: any) => t.name), ['analyze_text']);
        const cost = await costHandler(makeEvent(rpc(2, 'tools/list')), lambdaContext);
        assert.deepEqual(sseMessages(cost)[0].result.tools.map((t: any) => t.name), ['estimate_hosting_cost']);
      });

      it('answers tools/call', async () => {
        const call = rpc(3, 'tools/call', { name: 'analyze_text', arguments: { text: 'Grüße aus Lambda. Zwei Sätze!' } });
        const res = await handler(makeEvent(call, { base64: true }), lambdaContext);
        assert.equal(res.statusCode, 200);
        assert.match(res.headers!['content-type']!, /^text\/event-stream/);
        const [message] = sseMessages(res);
        assert.equal(message.id, 3);
        assert.equal(message.result.structuredContent.words, 5);
      });

      it('answers tools/call with the largest result a tool gives (estimate_hosting_cost, every target)', async () => {
        const call = rpc(4, 'tools/call', { name: 'estimate_hosting_cost', arguments: { requestsPerMonth: 10_000_000, avgDurationMs: 120 } });
        const res = await costHandler(makeEvent(call), lambdaContext);
        assert.equal(res.statusCode, 200);
        assert.match(res.headers!['content-type']!, /^text\/event-stream/);
        const [message] = sseMessages(res);
        assert.equal(message.id, 4);
        assert.deepEqual(message.result.structuredContent.estimates.map((e: any) => e.target).sort(), ['eks', 'fargate', 'lambda']);
      });

      it('answers a tools/call whose result is 100 KB, whole', async () => {
        // The answer to a call of an unknown tool repeats the tool's name: 100 000 characters here.
        const name = 'x'.repeat(100_000);
        const res = await handler(makeEvent(rpc(5, 'tools/call', { name, arguments: {} })), lambdaContext);
        assert.equal(res.statusCode, 200);
        assert.match(res.headers!['content-type']!, /^text\/event-stream/);
        const [message] = sseMessages(res);
        assert.equal(message.id, 5);
        assert.equal(message.error.code, -32602);
        assert.ok(message.error.message.includes(name));
      });
    });
  }
});

/** A server whose one tool reports progress (when the call asks for it) before its result. */
const progressServer: LoadedServer = {
  name: 'progress',
  definition: defineServer({
    title: 'Progress',
    instructions: 'A tool that reports progress.',
    tools: [
      {
        name: 'count',
        register: (server) =>
          server.registerTool('count', { description: 'Counts to 3, reporting each step', inputSchema: z.object({}) }, async (_args, ctx) => {
            const progressToken = ctx.mcpReq._meta?.progressToken;
            if (progressToken !== undefined) {
              for (let progress = 1; progress <= 3; progress++) {
                await ctx.mcpReq.notify({ method: 'notifications/progress', params: { progressToken, progress, total: 3 } });
              }
            }
            return { content: [{ type: 'text', text: 'done' }] };
          }),
      },
    ],
  }),
};

describe('Lambda handler in JSON mode, a tool that reports progress', () => {
  const handler = lambdaFetchHandler(createFetchApp(progressServer, { responseMode: 'json', logger: silentLogger }), silentLogger);
  const modernCall = (meta: Record<string, unknown>) =>
    httpApiV2Event(JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'tools/call', params: { name: 'count', arguments: {}, _meta: { ...envelope(), ...meta } } }), {
      headers: { 'mcp-protocol-version': MODERN, 'mcp-method': 'tools/call', 'mcp-name': 'count' },
    });

  it('2026-07-28: the progress notifications reach the client, then the result, in one text/event-stream body', async () => {
    const res = await handler(modernCall({ progressToken: 'p1' }), lambdaContext);
    assert.equal(res.statusCode, 200);
    assert.match(res.headers!['content-type']!, /^text\/event-stream/);
    const messages = sseMessages(res);
    assert.deepEqual(
      messages.filter((m) => m.method === 'notifications/progress').map((m) => [m.params.progressToken, m.params.progress]),
      [['p1', 1], ['p1', 2], ['p1', 3]],
    );
    assert.equal(messages.at(-1).id, 7);
    assert.deepEqual(messages.at(-1).result.content, [{ type: 'text', text: 'done' }]);
  });

  it('2026-07-28: a call that asks for no progress is answered with one application/json body', async () => {
    const res = await handler(modernCall({}), lambdaContext);
    assert.equal(res.statusCode, 200);
    assert.match(res.headers!['content-type']!, /^application\/json/);
    assert.deepEqual(bodyOf(res).result.content, [{ type: 'text', text: 'done' }]);
  });

  it('2025-11-25: the same call is answered with one application/json body', async () => {
    const res = await handler(
      httpApiV2Event(rpc(8, 'tools/call', { name: 'count', arguments: {}, _meta: { progressToken: 'p1' } }), { headers: { 'mcp-protocol-version': '2025-11-25' } }),
      lambdaContext,
    );
    assert.equal(res.statusCode, 200);
    assert.match(res.headers!['content-type']!, /^application\/json/);
    assert.equal(bodyOf(res).id, 8);
    assert.deepEqual(bodyOf(res).result.content, [{ type: 'text', text: 'done' }]);
  });
});

describe('Lambda handler, a Host header that is not a hostname', () => {
  const event = (host: string) => httpApiV2Event(initialize, { headers: { host } });

  it('with an allow-list: 403 naming the Host, as the Express app answers', async () => {
    const handler = lambdaFetchHandler(createFetchApp(cost, { responseMode: 'json', allowedHosts: ['mcp.example.com'], logger: silentLogger }), silentLogger);
    const res = await handler(event('bad host'), lambdaContext);
    assert.equal(res.statusCode, 403);
    assert.match(bodyOf(res).error.message, /Host not allowed: bad host/);
  });

  it('without one: served', async () => {
    const handler = lambdaFetchHandler(createFetchApp(cost, { responseMode: 'json', logger: silentLogger }), silentLogger);
    const res = await handler(event('bad host'), lambdaContext);
    assert.equal(res.statusCode, 200);
    assert.equal(bodyOf(res).result.serverInfo.name, 'mcp-on-aws-cost');
  });
});

describe("the MCP server's Lambda bundle", () => {
  it('holds neither Express nor serverless-express (they are most of a cold start): the handler serves events without them', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'mcp-lambda-bundle-'));
    try {
      const result = await build({ ...bundleOptions({ kind: 'lambda', server: 'cost' }), outfile: path.join(dir, 'index.js'), sourcemap: false, metafile: true });
      const packages = new Set(Object.keys(result.metafile.inputs).flatMap((input) => /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input)?.[1] ?? []));
      for (const name of ['express', '@codegenie/serverless-express', 'body-parser', 'router', '@modelcontextprotocol/node']) {
        assert.ok(!packages.has(name), `${name} is in the bundle`);
      }
      assert.ok(packages.has('@modelcontextprotocol/server'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the server a Lambda handler serves', () => {
  const catalogOf = (...servers: LoadedServer[]) => catalogFrom(Object.fromEntries(servers.map((s) => [s.name, () => s.definition])));

  it('several servers in the bundle and no MCP_SERVER: an error naming them', () => {
    const { createHandler } = lambdaModule();
    assert.throws(() => createHandler({}, silentLogger), /MCP_SERVER must name the server this function serves: one of cost, text/);
    assert.throws(() => createHandler({ MCP_SERVER: 'nope' }, silentLogger), /MCP_SERVER: no server named "nope"; choose one of cost, text/);
  });

  it("a per-server bundle's one server without MCP_SERVER, and no other", async () => {
    const { createHandler } = lambdaModule();
    const handler = createHandler({}, silentLogger, catalogOf(cost));
    const res = await handler(httpApiV2Event(initialize, { path: '/cost/mcp' }), lambdaContext);
    assert.equal(bodyOf(res).result.serverInfo.name, 'mcp-on-aws-cost');
    assert.throws(() => createHandler({ MCP_SERVER: 'text' }, silentLogger, catalogOf(cost)), /no server named "text"; choose one of cost/);
  });
});

/** Events a Lambda function may receive that are not HTTP API (payload format 2.0) or Function URL requests. */
const NOT_HTTP: [string, unknown][] = [
  ['undefined', undefined],
  ['null', null],
  ['an empty object', {}],
  ['a string', 'ping'],
  ['a number', 42],
  ['an array', []],
  [
    'an SQS event',
    {
      Records: [
        {
          messageId: '059f36b4-87a3-44ab-83d2-661975830a7d',
          body: 'hello',
          eventSource: 'aws:sqs',
          eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:my-queue',
          awsRegion: 'us-east-1',
        },
      ],
    },
  ],
  [
    'a scheduled EventBridge event',
    {
      version: '0',
      id: '53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa',
      'detail-type': 'Scheduled Event',
      source: 'aws.events',
      account: '123456789012',
      time: '2026-11-21T20:00:00Z',
      region: 'us-east-1',
      resources: ['arn:aws:events:us-east-1:123456789012:rule/my-schedule'],
      detail: {},
    },
  ],
  [
    'an API Gateway REST API (payload format 1.0) event',
    {
      resource: '/mcp',
      path: '/mcp',
      httpMethod: 'POST',
      headers: { 'content-type': 'application/json' },
      requestContext: { httpMethod: 'POST', path: '/prod/mcp', stage: 'prod', identity: { sourceIp: '203.0.113.10' } },
      body: '{}',
      isBase64Encoded: false,
    },
  ],
  [
    'an ALB event',
    {
      requestContext: { elb: { targetGroupArn: 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/tg/0123456789abcdef' } },
      httpMethod: 'GET',
      path: '/healthz',
      headers: {},
      body: '',
      isBase64Encoded: false,
    },
  ],
  ['an HTTP event without its requestContext', (({ requestContext: _, ...rest }) => rest)(httpApiV2Event('{}'))],
];

type V2Event = ReturnType<typeof httpApiV2Event>;

/** HTTP API (payload format 2.0) events with one field wrong, and the field the error must name. */
const MALFORMED: [string, (e: V2Event) => unknown, RegExp][] = [
  ['null headers', (e) => ({ ...e, headers: null }), /headers/],
  ['a header value that is a list', (e) => ({ ...e, headers: { ...e.headers, accept: ['application/json', 'text/event-stream'] } }), /headers\.accept/],
  ['a header value that is a number', (e) => ({ ...e, headers: { ...e.headers, 'content-length': 2 } }), /headers\.content-length/],
  ['no rawPath', ({ rawPath: _, ...e }) => e, /rawPath/],
  ['a rawPath without a leading slash', (e) => ({ ...e, rawPath: 'mcp' }), /rawPath/],
  ['no HTTP method', (e) => ({ ...e, requestContext: { ...e.requestContext, http: { path: '/mcp' } } }), /requestContext\.http\.method/],
  ['a body that is not a string', (e) => ({ ...e, body: { jsonrpc: '2.0' } }), /body/],
  ['isBase64Encoded that is not a boolean', (e) => ({ ...e, isBase64Encoded: 'true' }), /isBase64Encoded/],
  ['cookies that are not a list', (e) => ({ ...e, cookies: 'a=b' }), /cookies/],
];

describe('Lambda handlers on events they do not serve', () => {
  const handlers: [string, (logger: pino.Logger) => LambdaHttpHandler][] = [];

  before(() => {
    const { createHandler } = lambdaModule();
    // The agent's module builds its handler at load, from the environment: give it one.
    process.env.MCP_SERVERS = 'http://127.0.0.1:9/mcp';
    try {
      const { createAgentHandler } = require('../../app/agent/lambda') as typeof import('../../app/agent/lambda');
      handlers.push(
        ['MCP server', (logger) => createHandler({ MCP_SERVER: 'cost' }, logger)],
        ['agent', (logger) => createAgentHandler({ MCP_SERVERS: 'http://127.0.0.1:9/mcp' }, logger)],
      );
    } finally {
      delete process.env.MCP_SERVERS;
    }
  });

  for (const target of ['MCP server', 'agent']) {
    describe(target, () => {
      const build = (logger: pino.Logger) => handlers.find(([name]) => name === target)![1](logger);

      for (const [name, event] of NOT_HTTP) {
        it(`answers ${name} with 400 and a JSON error naming the events it expects, and logs a warning`, async () => {
          const { logger, lines } = capturingLogger();
          const res = await build(logger)(event, lambdaContext);
          assert.equal(res.statusCode, 400);
          assert.match(res.headers!['content-type']!, /^application\/json/);
          const body = bodyOf(res);
          assert.equal(body.error.code, -32600);
          assert.match(body.error.message, /expects API Gateway HTTP API \(payload format 2\.0\) or Lambda Function URL events/);
          const warning = lines.find((l) => l.level === 40 && /Unsupported event/.test(l.msg));
          assert.ok(warning, 'a warning was logged');
        });
      }

      for (const [name, malform, field] of MALFORMED) {
        it(`answers an HTTP event with ${name} with 400 and a JSON error naming the field`, async () => {
          const { logger } = capturingLogger();
          const event = malform(httpApiV2Event('', { method: 'GET', path: '/healthz' }));
          const res = await build(logger)(event, lambdaContext);
          assert.equal(res.statusCode, 400);
          assert.match(res.headers!['content-type']!, /^application\/json/);
          const body = bodyOf(res);
          assert.equal(body.error.code, -32600);
          assert.match(body.error.message, /^Malformed HTTP event/);
          assert.match(body.error.message, field);
        });
      }

      it('serves an HTTP event that has no headers at all', async () => {
        const { headers: _, ...event } = httpApiV2Event('', { method: 'GET', path: '/healthz' });
        const res = await build(silentLogger)(event, lambdaContext);
        assert.equal(res.statusCode, 200);
        assert.deepEqual(bodyOf(res), { status: 'ok' });
      });

      it('keeps serving after a bad event', async () => {
        const handler = build(silentLogger);
        assert.equal((await handler(null, lambdaContext)).statusCode, 400);
        const res = await handler(httpApiV2Event('', { method: 'GET', path: '/healthz' }), lambdaContext);
        assert.equal(res.statusCode, 200);
      });
    });
  }

  it('answers 500 with a JSON error, not an empty body, when serverless-express fails on a response', async () => {
    const { lambdaHttpHandler } = require('../../app/lambdaExpress') as typeof import('../../app/lambdaExpress');
    // serverless-express refuses chunked responses for API Gateway, and answers an empty 500.
    const app = express().get('/chunked', (_req, res) => {
      res.setHeader('transfer-encoding', 'chunked');
      res.end('x');
    });
    const res = await lambdaHttpHandler(app, silentLogger)(httpApiV2Event('', { method: 'GET', path: '/chunked' }), lambdaContext);
    assert.equal(res.statusCode, 500);
    assert.match(res.headers!['content-type']!, /^application\/json/);
    assert.deepEqual(bodyOf(res), { jsonrpc: '2.0', error: { code: -32603, message: 'Internal error' }, id: null });
  });
});
