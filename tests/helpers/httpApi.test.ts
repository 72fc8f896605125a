import assert from 'node:assert/strict';
import http from 'node:http';
import type { LambdaHttpHandler } from '../../app/lambdaHttp';
import { httpApiEvent, lambdaFetch, serveThroughHttpApi, type HttpApiResult } from './httpApi';
import type { Running } from './http';

/** A raw HTTP request (node:http, so that a header can repeat), answering status, raw headers and body bytes. */
function send(url: string, opts: { method?: string; path: string; headers?: string[]; body?: Buffer }) {
  return new Promise<{ status: number; rawHeaders: string[]; body: Buffer }>((resolve, reject) => {
    const headers = ['Host', new URL(url).host, ...(opts.headers ?? []), ...(opts.body ? ['Content-Length', String(opts.body.length)] : [])];
    const req = http.request(url + opts.path, { method: opts.method ?? 'POST', headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, rawHeaders: res.rawHeaders, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

/** The values of header `name` in a raw header list, one per line it was sent on. */
const valuesOf = (rawHeaders: string[], name: string) => rawHeaders.flatMap((h, i) => (i % 2 === 0 && h.toLowerCase() === name ? [rawHeaders[i + 1]!] : []));

describe('the API Gateway HTTP API stand-in (tests/helpers/httpApi.ts)', () => {
  let server: Running | undefined;
  let seen: any[] = [];
  let answer: HttpApiResult | (() => never) = { statusCode: 200 };
  const handler: LambdaHttpHandler = async (event) => {
    seen.push(event);
    if (typeof answer === 'function') answer();
    return answer as HttpApiResult;
  };

  beforeEach(async () => {
    seen = [];
    server = await serveThroughHttpApi(handler);
  });
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('hands the handler the payload 2.0 event: lowercased headers, repeats joined by commas, cookies apart, the query string, a JSON body as text', async () => {
    answer = { statusCode: 204 };
    const body = Buffer.from('{"jsonrpc":"2.0","id":1,"method":"ping"}');
    const res = await send(server!.url, {
      path: '/mcp?a=1&b=2&a=3',
      headers: ['Content-Type', 'application/json', 'X-Dup', 'one', 'X-Dup', 'two', 'Cookie', 'c1=v1; c2=v2', 'MCP-Protocol-Version', '2025-11-25'],
      body,
    });
    assert.equal(res.status, 204);
    const [event] = seen;
    assert.equal(event.version, '2.0');
    assert.equal(event.rawPath, '/mcp');
    assert.equal(event.rawQueryString, 'a=1&b=2&a=3');
    assert.deepEqual(event.queryStringParameters, { a: '1,3', b: '2' });
    assert.equal(event.requestContext.http.method, 'POST');
    assert.equal(event.requestContext.http.path, '/mcp');
    assert.equal(event.headers['x-dup'], 'one,two');
    assert.equal(event.headers['mcp-protocol-version'], '2025-11-25');
    assert.equal(event.headers['content-type'], 'application/json');
    assert.equal(event.headers.cookie, undefined);
    assert.deepEqual(event.cookies, ['c1=v1', 'c2=v2']);
    assert.equal(event.isBase64Encoded, false);
    assert.equal(event.body, body.toString());
    // Nothing the caller did not send, but what API Gateway adds.
    assert.equal(event.headers.accept, undefined);
    assert.equal(event.headers['x-forwarded-proto'], 'https');
  });

  it('base64-encodes a body that is not text, and sends no body for a GET', async () => {
    answer = { statusCode: 200 };
    const bytes = Buffer.from([0, 1, 2, 0xfe, 0xff, 0x80]);
    await send(server!.url, { path: '/upload', headers: ['Content-Type', 'application/octet-stream'], body: bytes });
    await send(server!.url, { method: 'GET', path: '/mcp' });
    assert.equal(seen[0].isBase64Encoded, true);
    assert.deepEqual(Buffer.from(seen[0].body, 'base64'), bytes);
    assert.equal(seen[1].requestContext.http.method, 'GET');
    assert.equal(seen[1].body, undefined);
    assert.equal(seen[1].isBase64Encoded, false);
  });

  it('writes back the status, the headers, each cookie and each multi-value header on its own line, and a base64 body decoded', async () => {
    const bytes = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0xff]);
    answer = {
      statusCode: 201,
      headers: { 'Content-Type': 'image/png', 'x-one': '1' },
      multiValueHeaders: { 'x-multi': ['a', 'b'] },
      cookies: ['s=1; Path=/', 't=2; HttpOnly'],
      body: bytes.toString('base64'),
      isBase64Encoded: true,
    };
    const res = await send(server!.url, { path: '/mcp', headers: ['Content-Type', 'application/json'], body: Buffer.from('{}') });
    assert.equal(res.status, 201);
    assert.deepEqual(res.body, bytes);
    assert.deepEqual(valuesOf(res.rawHeaders, 'content-type'), ['image/png']);
    assert.deepEqual(valuesOf(res.rawHeaders, 'x-one'), ['1']);
    assert.deepEqual(valuesOf(res.rawHeaders, 'x-multi'), ['a', 'b']);
    assert.deepEqual(valuesOf(res.rawHeaders, 'set-cookie'), ['s=1; Path=/', 't=2; HttpOnly']);
  });

  it('answers 500 {"message":"Internal Server Error"} as API Gateway does when the handler throws, and keeps serving', async () => {
    answer = () => {
      throw new Error('boom');
    };
    const failed = await send(server!.url, { path: '/mcp', headers: ['Content-Type', 'application/json'], body: Buffer.from('{}') });
    assert.equal(failed.status, 500);
    assert.deepEqual(JSON.parse(failed.body.toString()), { message: 'Internal Server Error' });
    answer = { statusCode: 200, headers: { 'content-type': 'text/plain' }, body: 'still here' };
    const next = await send(server!.url, { path: '/mcp', headers: ['Content-Type', 'application/json'], body: Buffer.from('{}') });
    assert.equal(next.status, 200);
    assert.equal(next.body.toString(), 'still here');
  });

  it('lambdaFetch (the interop tests’ fetch) builds the same event and answers each cookie as its own Set-Cookie', async () => {
    answer = { statusCode: 200, headers: { 'content-type': 'application/json' }, cookies: ['a=1', 'b=2'], body: '{"ok":true}' };
    const fetch = lambdaFetch(handler);
    const res = await fetch('https://api.example.com/mcp?x=1', { method: 'POST', headers: { 'content-type': 'application/json', cookie: 'k=v' }, body: '{}' });
    assert.equal(res.status, 200);
    assert.deepEqual(res.headers.getSetCookie(), ['a=1', 'b=2']);
    assert.deepEqual(await res.json(), { ok: true });
    const event = seen[0];
    assert.deepEqual(event, httpApiEvent({ method: 'POST', url: '/mcp?x=1', headers: [['content-type', 'application/json'], ['cookie', 'k=v']], body: Buffer.from('{}') }));
  });
});
