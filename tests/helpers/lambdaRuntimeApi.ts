import http, { type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A fake Lambda Runtime API on 127.0.0.1, enough for the Node.js runtime to run a function:
 * https://docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html. `invoke()` queues an event for
 * `GET /2018-06-01/runtime/invocation/next` and resolves with what the runtime POSTs back.
 */

export const FUNCTION_ARN = 'arn:aws:lambda:us-east-1:123456789012:function:mcp-server';

export interface InvocationResult {
  /** `response` (the function's answer) or `error` (the runtime reported a failure). */
  kind: 'response' | 'error';
  /** The request headers of the runtime's POST (for a streamed response: Lambda-Runtime-Function-Response-Mode, Content-Type). */
  headers: IncomingHttpHeaders;
  /** The raw bytes the runtime posted. */
  body: Buffer;
  /** HTTP trailers of a streamed response (the runtime reports mid-stream errors there). */
  trailers: Record<string, string | undefined>;
}

interface Pending {
  id: string;
  event: unknown;
  resolve(result: InvocationResult): void;
  reject(err: Error): void;
}

export interface FakeRuntimeApi {
  /** host:port, the value of AWS_LAMBDA_RUNTIME_API. */
  address: string;
  /** Queues one invocation; resolves once the runtime has posted its response or error. */
  invoke(event: unknown): Promise<InvocationResult>;
  /** Set when the runtime reported an initialization error. */
  initError?: { headers: IncomingHttpHeaders; body: string };
  /** Fails every invocation not answered yet (e.g. when the runtime process exited). */
  failPending(err: Error): void;
  close(): Promise<void>;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export async function startFakeRuntimeApi(): Promise<FakeRuntimeApi> {
  const queue: Pending[] = [];
  const inFlight = new Map<string, Pending>();
  const waiting: ServerResponse[] = [];
  let nextId = 1;

  const handOut = () => {
    while (queue.length && waiting.length) {
      const invocation = queue.shift()!;
      const res = waiting.shift()!;
      inFlight.set(invocation.id, invocation);
      res.writeHead(200, {
        'content-type': 'application/json',
        'lambda-runtime-aws-request-id': invocation.id,
        // Fixed far in the future: the function's remaining time is not what these tests are about.
        'lambda-runtime-deadline-ms': '4102444800000',
        'lambda-runtime-invoked-function-arn': FUNCTION_ARN,
        'lambda-runtime-trace-id': 'Root=1-6743a1b2-0123456789abcdef01234567;Parent=0123456789abcdef;Sampled=0',
      });
      res.end(JSON.stringify(invocation.event));
    }
  };

  const api: FakeRuntimeApi = {
    address: '',
    invoke(event) {
      return new Promise((resolve, reject) => {
        queue.push({ id: `req-${nextId++}`, event, resolve, reject });
        handOut();
      });
    },
    failPending(err) {
      for (const p of [...queue.splice(0), ...inFlight.values()]) p.reject(err);
      inFlight.clear();
    },
    close: () =>
      new Promise((resolve) => {
        for (const res of waiting.splice(0)) res.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };

  const server = http.createServer(async (req, res) => {
    const url = req.url ?? '';
    if (req.method === 'GET' && url === '/2018-06-01/runtime/invocation/next') {
      waiting.push(res);
      handOut();
      return;
    }
    const body = await readBody(req);
    const invocation = /^\/2018-06-01\/runtime\/invocation\/([^/]+)\/(response|error)$/.exec(url);
    if (req.method === 'POST' && invocation) {
      const id = decodeURIComponent(invocation[1]!);
      const pending = inFlight.get(id);
      if (!pending) {
        res.writeHead(400, { 'content-type': 'application/json' }).end('{"errorType":"InvalidRequestID"}');
        return;
      }
      inFlight.delete(id);
      res.writeHead(202, { 'content-type': 'application/json' }).end('{"status":"OK"}');
      pending.resolve({
        kind: invocation[2] as 'response' | 'error',
        headers: req.headers,
        body,
        trailers: { ...req.trailers },
      });
      return;
    }
    if (req.method === 'POST' && url === '/2018-06-01/runtime/init/error') {
      api.initError = { headers: req.headers, body: body.toString('utf8') };
      res.writeHead(202, { 'content-type': 'application/json' }).end('{"status":"OK"}');
      api.failPending(new Error(`the runtime reported an init error: ${api.initError.body}`));
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  api.address = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  return api;
}

/**
 * Splits what a streaming function posts for a Function URL (`awslambda.HttpResponseStream`): a JSON
 * prelude with statusCode, headers and cookies, 8 NUL bytes, then the body. Undefined when the bytes
 * do not start with a JSON prelude followed by the delimiter.
 */
export function splitHttpIntegrationResponse(raw: Buffer): { prelude: { statusCode: number; headers?: Record<string, string>; cookies?: string[] }; body: Buffer } | undefined {
  const delimiter = Buffer.alloc(8);
  const at = raw.indexOf(delimiter);
  if (at < 0) return undefined;
  try {
    const prelude = JSON.parse(raw.subarray(0, at).toString('utf8'));
    if (typeof prelude?.statusCode !== 'number') return undefined;
    return { prelude, body: raw.subarray(at + delimiter.length) };
  } catch {
    return undefined;
  }
}
