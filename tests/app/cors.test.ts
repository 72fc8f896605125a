import { strict as assert } from 'node:assert';
import { MCP_CORS } from '../../app/cors';
import { createApp, LOOPBACK_HOSTS } from '../../app/createApp';
import { cost } from './testServers';
import { listen, post, request, rpcBody, silentLogger, type Running } from '../helpers/http';

const ALLOWED = 'https://inspector.example.com';
const OTHER = 'https://evil.example.com';

const preflight = (url: string, origin: string) =>
  request(url, {
    method: 'OPTIONS',
    headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type, mcp-protocol-version' },
  });

const corsHeaders = (res: Response) => [...res.headers.keys()].filter((k) => k.startsWith('access-control-'));

describe('CORS on the app (container targets)', () => {
  let running: Running;
  let mcp: string;

  before(async () => {
    running = await listen(
      createApp(cost, { responseMode: 'sse', allowedHosts: LOOPBACK_HOSTS, allowedOrigins: [ALLOWED], logger: silentLogger }),
    );
    mcp = `${running.url}/mcp`;
  });
  after(() => running.close());

  it('a preflight from an allowed origin: 204 with the origin, methods, MCP headers and max age', async () => {
    const res = await preflight(mcp, ALLOWED);
    assert.equal(res.status, 204);
    assert.equal(res.headers.get('access-control-allow-origin'), ALLOWED);
    assert.deepEqual(res.headers.get('access-control-allow-methods')!.split(', '), MCP_CORS.allowMethods);
    assert.deepEqual(res.headers.get('access-control-allow-headers')!.split(', '), MCP_CORS.allowHeaders);
    assert.equal(res.headers.get('access-control-max-age'), String(MCP_CORS.maxAge));
    assert.match(res.headers.get('vary') ?? '', /Origin/);
    assert.equal(await res.text(), '');
  });

  it('a 2026-07-28 browser client may send and read MCP-Protocol-Version, Mcp-Method and Mcp-Name', async () => {
    const wanted = ['mcp-protocol-version', 'mcp-method', 'mcp-name'];
    const res = await request(mcp, {
      method: 'OPTIONS',
      headers: { origin: ALLOWED, 'access-control-request-method': 'POST', 'access-control-request-headers': `content-type, ${wanted.join(', ')}` },
    });
    assert.equal(res.status, 204);
    const allowed = res.headers.get('access-control-allow-headers')!.toLowerCase().split(', ');
    for (const name of ['content-type', ...wanted]) assert.ok(allowed.includes(name), `${name} allowed`);
    await res.text();
    const answer = await post(mcp, { jsonrpc: '2.0', id: 1, method: 'ping' }, { origin: ALLOWED });
    const exposed = answer.headers.get('access-control-expose-headers')!.toLowerCase().split(', ');
    for (const name of wanted) assert.ok(exposed.includes(name), `${name} exposed`);
    await answer.text();
  });

  it('the origin matches whatever its case, and is echoed as sent', async () => {
    const res = await preflight(mcp, 'HTTPS://Inspector.Example.com');
    assert.equal(res.status, 204);
    assert.equal(res.headers.get('access-control-allow-origin'), 'HTTPS://Inspector.Example.com');
  });

  it('a preflight from another origin: no CORS headers, and the request itself is refused 403', async () => {
    const res = await preflight(mcp, OTHER);
    assert.deepEqual(corsHeaders(res), []);
    assert.match(res.headers.get('vary') ?? '', /Origin/);
    await res.text();
    const actual = await post(mcp, { jsonrpc: '2.0', id: 1, method: 'ping' }, { origin: OTHER });
    assert.equal(actual.status, 403);
    assert.deepEqual(corsHeaders(actual), []);
    await actual.text();
  });

  it('a response to an allowed origin carries Allow-Origin and the exposed MCP headers', async () => {
    const res = await post(mcp, { jsonrpc: '2.0', id: 1, method: 'ping' }, { origin: ALLOWED });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('access-control-allow-origin'), ALLOWED);
    assert.deepEqual(res.headers.get('access-control-expose-headers')!.split(', '), MCP_CORS.exposeHeaders);
    assert.match(res.headers.get('vary') ?? '', /Origin/);
    assert.deepEqual((await rpcBody(res)).result, {});
  });

  it('an error answered to an allowed origin carries them too, so that the browser can read it', async () => {
    const res = await post(mcp, '{"jsonrpc":', { origin: ALLOWED });
    assert.equal(res.status, 400);
    assert.equal(res.headers.get('access-control-allow-origin'), ALLOWED);
    await res.text();
  });

  it('a request without an Origin gets no CORS headers', async () => {
    const res = await post(mcp, { jsonrpc: '2.0', id: 1, method: 'ping' });
    assert.deepEqual(corsHeaders(res), []);
    await res.text();
  });

  it('off when the app is told so (Lambda, where API Gateway answers CORS)', async () => {
    const lambdaLike = await listen(createApp(cost, { responseMode: 'json', allowedOrigins: [ALLOWED], cors: false, logger: silentLogger }));
    try {
      const res = await post(`${lambdaLike.url}/mcp`, { jsonrpc: '2.0', id: 1, method: 'ping' }, { origin: ALLOWED });
      assert.equal(res.status, 200, 'the Origin check still lets it through');
      assert.deepEqual(corsHeaders(res), []);
      await res.text();
    } finally {
      await lambdaLike.close();
    }
  });
});
