import { strict as assert } from 'node:assert';
import { gzipSync } from 'node:zlib';
import { createApp, LOOPBACK_HOSTS, type AppOptions } from '../../app/createApp';
import { createFetchApp } from '../../app/fetchApp';
import { lambdaFetchHandler } from '../../app/lambdaHttp';
import type { Logger } from '../../app/logger';
import { json, listen, post, request, rpcBody, silentLogger, type Running } from '../helpers/http';
import { serveThroughHttpApi } from '../helpers/httpApi';
import { captureLog } from './logCapture';
import { cost } from './testServers';

const init = {
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 't', version: '1' } },
};

/** The two ways the app is served: Express (containers, local) and the Lambda handler (its fetch-shaped app). */
const TARGETS: [string, (options: AppOptions & { logger: Logger }) => Promise<Running>][] = [
  ['the Express app', (options) => listen(createApp(cost, options))],
  ['the Lambda handler', (options) => serveThroughHttpApi(lambdaFetchHandler(createFetchApp(cost, options), options.logger))],
];

for (const [target, serve] of TARGETS) {
  describe(`bad input on /mcp (${target})`, () => {
    let running: Running;
    let mcp: string;
    const log = captureLog();

    before(async () => {
      running = await serve({
        responseMode: 'json',
        allowedHosts: LOOPBACK_HOSTS,
        allowedOrigins: ['https://inspector.example.com'],
        maxBodyBytes: 4096,
        logger: log.logger,
      });
      mcp = `${running.url}/mcp`;
    });
    after(() => running.close());

    beforeEach(() => log.clear());

    // After every refusal the same server must still answer a good request, and a client's mistake is
    // never logged as an error of the server.
    afterEach(async () => {
      const errors = log.lines.filter((l) => l.level >= 50);
      assert.deepEqual(errors, [], 'no error-level log line');
      const res = await post(mcp, { jsonrpc: '2.0', id: 99, method: 'ping' });
      assert.equal(res.status, 200);
      assert.deepEqual((await rpcBody(res)).result, {});
    });

    for (const encoding of ['gzip', 'deflate', 'br']) {
      it(`a body that does not decompress as Content-Encoding: ${encoding} says: 400 with JSON-RPC -32700`, async () => {
        const res = await post(mcp, 'this is not compressed', { 'content-encoding': encoding });
        assert.equal(res.status, 400);
        const body = await json(res);
        assert.equal(body.error.code, -32700);
        assert.match(body.error.message, new RegExp(encoding));
        assert.equal(body.id, null);
      });
    }

    it('a well-compressed gzip body is served', async () => {
      const res = await request(mcp, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'content-encoding': 'gzip' },
        body: gzipSync(JSON.stringify({ jsonrpc: '2.0', id: 5, method: 'ping' })) as unknown as string,
      });
      assert.equal(res.status, 200);
      assert.equal((await rpcBody(res)).id, 5);
    });

    for (const charset of ['latin1', 'utf-99']) {
      it(`an unsupported charset (${charset}): 415 with a JSON-RPC error`, async () => {
        const res = await post(mcp, JSON.stringify(init), { 'content-type': `application/json; charset=${charset}` });
        assert.equal(res.status, 415);
        assert.match((await json(res)).error.message, /UTF-8/);
      });
    }

    it('the refusal is on the request log line, below error level', async () => {
      const res = await post(mcp, 'this is not compressed', { 'content-encoding': 'gzip' });
      await res.text();
      const line = await log.next((l) => l.msg === 'request');
      assert.equal(line.level, 30);
      assert.equal(line.status, 400);
      assert.match(line.error, /header check/);
    });

    const invalidCalls: [string, string, unknown, RegExp][] = [
      ['tools/call', 'a non-string tool name', { name: 42, arguments: {} }, /params\.name/],
      ['tools/call', 'arguments null', { name: 'estimate_hosting_cost', arguments: null }, /params\.arguments/],
      ['tools/call', 'arguments an array', { name: 'estimate_hosting_cost', arguments: ['text'] }, /params\.arguments/],
      ['tools/call', 'arguments a string', { name: 'estimate_hosting_cost', arguments: 'text' }, /params\.arguments/],
      ['tools/call', 'arguments a number', { name: 'estimate_hosting_cost', arguments: 7 }, /params\.arguments/],
      ['prompts/get', 'a non-string prompt name', { name: ['choose_target'] }, /params\.name/],
      ['prompts/get', 'prompt arguments a number', { name: 'choose_target', arguments: 1 }, /params\.arguments/],
      ['resources/read', 'a missing uri', {}, /params\.uri/],
      ['resources/read', 'a non-string uri', { uri: { href: 'x' } }, /params\.uri/],
    ];
    for (const [method, what, params, names] of invalidCalls) {
      it(`${method} with ${what}: JSON-RPC -32602 with a one-line message naming the field`, async () => {
        const res = await post(mcp, { jsonrpc: '2.0', id: 11, method, params });
        assert.equal(res.status, 200);
        const body = await rpcBody(res);
        assert.equal(body.id, 11);
        assert.equal(body.error.code, -32602);
        assert.match(body.error.message, names);
        assert.ok(!body.error.message.includes('\n'), 'one line');
        assert.ok(body.error.message.length <= 300);
      });
    }

    it('malformed JSON: 400 with JSON-RPC -32700', async () => {
      const res = await post(mcp, '{"jsonrpc": "2.0", "id": 1,');
      assert.equal(res.status, 400);
      const body = await json(res);
      assert.equal(body.error.code, -32700);
      assert.equal(body.id, null);
    });

    it('a JSON value that is not a JSON-RPC message: 400', async () => {
      const res = await post(mcp, { hello: 'world' });
      assert.equal(res.status, 400);
      assert.ok((await json(res)).error.code < 0);
    });

    it('wrong content type: 415', async () => {
      const res = await post(mcp, JSON.stringify(init), { 'content-type': 'text/plain' });
      assert.equal(res.status, 415);
      assert.ok((await json(res)).error);
    });

    it('Accept without text/event-stream and application/json: 406', async () => {
      const res = await post(mcp, init, { accept: 'text/html' });
      assert.equal(res.status, 406);
      assert.ok((await json(res)).error);
    });

    it('a body over the limit: 413 naming the limit', async () => {
      const res = await post(mcp, { ...init, params: { ...init.params, padding: 'x'.repeat(5000) } });
      assert.equal(res.status, 413);
      const body = await json(res);
      assert.match(body.error.message, /4096 bytes/);
    });

    it('an unknown method: JSON-RPC -32601', async () => {
      const res = await post(mcp, { jsonrpc: '2.0', id: 3, method: 'tools/explode' });
      const body = await rpcBody(res);
      assert.equal(body.error.code, -32601);
      assert.equal(body.id, 3);
    });

    it('GET and DELETE: 405 with Allow: POST', async () => {
      for (const method of ['GET', 'DELETE', 'PUT']) {
        const res = await request(mcp, { method, headers: { accept: 'text/event-stream' } });
        assert.equal(res.status, 405, method);
        assert.equal(res.headers.get('allow'), 'POST');
        assert.ok((await json(res)).error);
      }
    });

    it('a Host not on the allow-list: 403 (DNS rebinding)', async () => {
      const res = await post(mcp, init, { host: 'evil.example.com' });
      assert.equal(res.status, 403);
      assert.match((await json(res)).error.message, /Host not allowed/);
    });

    it('a disallowed Origin: 403', async () => {
      const res = await post(mcp, init, { origin: 'https://evil.example.com' });
      assert.equal(res.status, 403);
      assert.match((await json(res)).error.message, /Origin not allowed/);
    });

    it('the server’s own origin and configured origins are accepted', async () => {
      for (const origin of [running.url, `http://localhost:${running.port}`, 'https://inspector.example.com']) {
        const res = await post(mcp, init, { origin });
        assert.equal(res.status, 200, origin);
        await res.text();
      }
    });

    it('/healthz answers whatever the Host, as load balancers probe by IP', async () => {
      const res = await request(`${running.url}/healthz`, { headers: { host: '10.0.3.17:3000' } });
      assert.equal(res.status, 200);
      assert.deepEqual(await json(res), { status: 'ok' });
    });

    it('an unknown path: 404', async () => {
      const res = await fetch(`${running.url}/nope`);
      assert.equal(res.status, 404);
      await res.text();
    });
  });

  describe(`without a Host allow-list (${target})`, () => {
    it('accepts any Host but still refuses a cross-origin browser request', async () => {
      const running = await serve({ responseMode: 'json', logger: silentLogger });
      try {
        const any = await post(`${running.url}/mcp`, init, { host: 'mcp.example.com' });
        assert.equal(any.status, 200);
        await any.text();
        const cross = await post(`${running.url}/mcp`, init, { host: 'mcp.example.com', origin: 'https://evil.example.com' });
        assert.equal(cross.status, 403);
        await cross.text();
      } finally {
        await running.close();
      }
    });
  });
}
