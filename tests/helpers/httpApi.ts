// API Gateway HTTP API in front of a Lambda handler, locally: an HTTP request becomes the payload format
// 2.0 event the route sends, and the handler's result becomes the HTTP response API Gateway writes back
// (buffered, as HTTP API is). Used in-process as a fetch (interop tests) and as an HTTP server on
// 127.0.0.1 (the conformance run's Lambda place, scripts/lambdaBridge.ts).
// https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LambdaHttpHandler, LambdaHttpResult } from '../../app/lambdaHttp';
import { httpApiV2Event, lambdaContext } from '../fixtures/lambdaEvents';
import type { Running } from './http';

export type Fetch = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

/** What the route is given: the HTTP method, the path with its query string, the headers as sent (repeats allowed), the body bytes. */
export interface HttpApiRequest {
  method: string;
  /** Path and query string, e.g. `/mcp?x=1`. */
  url: string;
  headers: ReadonlyArray<readonly [string, string]>;
  body: Buffer;
}

/** A result as a handler may return it: payload 2.0 fields, plus 1.0's multiValueHeaders, which API Gateway also honours. */
export type HttpApiResult = LambdaHttpResult & { multiValueHeaders?: Record<string, string[]> };

/** The response API Gateway writes: status, headers (a name may repeat: set-cookie), body bytes. */
export interface HttpApiResponse {
  status: number;
  headers: Array<[string, string]>;
  body: Buffer;
}

/** Media types whose bodies reach the function as text; any other body arrives base64-encoded. */
const TEXT_BODY = /^\s*(text\/|application\/([\w.+-]*\+)?(json|xml|javascript|x-www-form-urlencoded)\b)/i;

/**
 * The payload format 2.0 event for `request`: header names lowercased, repeated headers joined with
 * commas, Cookie headers moved to `cookies`, the query string in `rawQueryString` and
 * `queryStringParameters` (repeats joined with commas), a non-text or compressed body base64-encoded. The request
 * context is the fixture's (tests/fixtures/lambdaEvents.ts), with this request's method and path.
 */
export function httpApiEvent(request: HttpApiRequest) {
  const url = new URL(request.url, 'http://localhost');
  const headers: Record<string, string> = {};
  const cookies: string[] = [];
  for (const [rawName, value] of request.headers) {
    const name = rawName.toLowerCase();
    if (name === 'cookie') cookies.push(...value.split(';').map((c) => c.trim()).filter(Boolean));
    else headers[name] = headers[name] === undefined ? value : `${headers[name]},${value}`;
  }
  const query: Record<string, string> = {};
  for (const [name, value] of url.searchParams) query[name] = query[name] === undefined ? value : `${query[name]},${value}`;
  const method = request.method.toUpperCase();
  const hasBody = request.body.length > 0;
  // A compressed body is bytes whatever its type: it could not travel as a string.
  const encoded = (headers['content-encoding'] ?? 'identity').toLowerCase() !== 'identity';
  const base64 = hasBody && (encoded || !TEXT_BODY.test(headers['content-type'] ?? ''));
  const fixture = httpApiV2Event('', { method, path: url.pathname });
  return {
    ...fixture,
    rawQueryString: url.search.slice(1),
    ...(url.search ? { queryStringParameters: query } : {}),
    ...(cookies.length ? { cookies } : {}),
    // What API Gateway adds to the caller's headers.
    headers: {
      ...headers,
      'x-amzn-trace-id': fixture.headers['x-amzn-trace-id'],
      'x-forwarded-for': fixture.headers['x-forwarded-for'],
      'x-forwarded-port': fixture.headers['x-forwarded-port'],
      'x-forwarded-proto': fixture.headers['x-forwarded-proto'],
    },
    requestContext: { ...fixture.requestContext, http: { ...fixture.requestContext.http, userAgent: headers['user-agent'] ?? '' } },
    body: hasBody ? request.body.toString(base64 ? 'base64' : 'utf8') : undefined,
    isBase64Encoded: base64,
  };
}

/** What API Gateway makes of a handler's result: `cookies` become Set-Cookie headers, a base64 body is decoded. */
export function httpApiResponse(result: HttpApiResult): HttpApiResponse {
  const headers: Array<[string, string]> = [];
  for (const [name, value] of Object.entries(result.headers ?? {})) headers.push([name.toLowerCase(), String(value)]);
  for (const [name, values] of Object.entries(result.multiValueHeaders ?? {})) for (const v of values) headers.push([name.toLowerCase(), String(v)]);
  for (const cookie of result.cookies ?? []) headers.push(['set-cookie', cookie]);
  const body = result.body === undefined || result.body === null ? Buffer.alloc(0) : Buffer.from(result.body, result.isBase64Encoded ? 'base64' : 'utf8');
  return { status: result.statusCode, headers, body };
}

/** What API Gateway answers when the integration fails (the function threw or returned no status). */
const INTEGRATION_ERROR: HttpApiResponse = {
  status: 500,
  headers: [['content-type', 'application/json']],
  body: Buffer.from('{"message":"Internal Server Error"}'),
};

/** One request through `handler`, as API Gateway passes it: never throws. */
export async function invokeThroughHttpApi(handler: LambdaHttpHandler, request: HttpApiRequest): Promise<HttpApiResponse> {
  try {
    const result = (await handler(httpApiEvent(request), lambdaContext)) as HttpApiResult | undefined;
    if (!result || typeof result.statusCode !== 'number') return INTEGRATION_ERROR;
    return httpApiResponse(result);
  } catch {
    return INTEGRATION_ERROR;
  }
}

/**
 * A fetch that hands each request to a Lambda handler as API Gateway HTTP API (payload format 2.0)
 * delivers it, and answers what API Gateway would: the client talks to the function as it would
 * through the API.
 */
export function lambdaFetch(handler: LambdaHttpHandler): Fetch {
  return async (input, init) => {
    const request = new Request(input, init);
    const url = new URL(request.url);
    const headers: Array<[string, string]> = [];
    request.headers.forEach((value, name) => headers.push([name, value]));
    const body = Buffer.from(await request.arrayBuffer());
    const out = await invokeThroughHttpApi(handler, { method: request.method, url: url.pathname + url.search, headers, body });
    const responseHeaders = new Headers();
    for (const [name, value] of out.headers) responseHeaders.append(name, value);
    const noBody = [204, 205, 304].includes(out.status) || out.body.length === 0;
    return new Response(noBody ? null : out.body, { status: out.status, headers: responseHeaders });
  };
}

/** Serves `handler` on `host`:`port` (0: any free port) as API Gateway HTTP API would, buffered. */
export async function serveThroughHttpApi(handler: LambdaHttpHandler, opts: { host?: string; port?: number } = {}): Promise<Running> {
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const headers: Array<[string, string]> = [];
      for (let i = 0; i < req.rawHeaders.length; i += 2) headers.push([req.rawHeaders[i]!, req.rawHeaders[i + 1]!]);
      void invokeThroughHttpApi(handler, { method: req.method ?? 'GET', url: req.url ?? '/', headers, body: Buffer.concat(chunks) }).then((out) => {
        const grouped = new Map<string, string[]>();
        for (const [name, value] of out.headers) grouped.set(name, [...(grouped.get(name) ?? []), value]);
        for (const [name, values] of grouped) res.setHeader(name, name === 'set-cookie' || values.length > 1 ? values : values[0]!);
        res.setHeader('content-length', String(out.body.length));
        res.writeHead(out.status);
        res.end(out.body);
      });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolve());
  });
  const { address, port } = server.address() as AddressInfo;
  return {
    url: `http://${address}:${port}`,
    port,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
