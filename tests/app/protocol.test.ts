import { strict as assert } from 'node:assert';
import { createApp, LOOPBACK_HOSTS, type AppOptions, type ResponseMode } from '../../app/createApp';
import { createFetchApp } from '../../app/fetchApp';
import { lambdaFetchHandler } from '../../app/lambdaHttp';
import type { Logger } from '../../app/logger';
import { listen, post, rpcBody, type Running } from '../helpers/http';
import { serveThroughHttpApi } from '../helpers/httpApi';
import { captureLog } from './logCapture';
import { MODERN, postModern } from './modernWire';
import { cost } from './testServers';

const SERVER_INFO = 'io.modelcontextprotocol/serverInfo';
/** A 2025-era answer: one JSON body in JSON mode, a stream in SSE mode. */
const legacyAnswer = (mode: ResponseMode) => (mode === 'json' ? /^application\/json/ : /^text\/event-stream/);
/** A 2026-07-28 answer that no notification precedes is one JSON body in both modes (the SDK's auto mode). */
const MODERN_ANSWER = /^application\/json/;

/** The two ways the app is served: Express (containers, local) and the Lambda handler (its fetch-shaped app). */
const TARGETS: [string, (options: AppOptions & { logger: Logger }) => Promise<Running>][] = [
  ['Express app', (options) => listen(createApp(cost, options))],
  ['Lambda handler', (options) => serveThroughHttpApi(lambdaFetchHandler(createFetchApp(cost, options), options.logger))],
];

const CASES = TARGETS.flatMap(([target, serve]) => (['json', 'sse'] as ResponseMode[]).map((responseMode) => ({ target, serve, responseMode })));

for (const { target, serve, responseMode } of CASES) {
  describe(`both protocol generations on one endpoint (${responseMode} responses, ${target})`, () => {
    let running: Running;
    let mcp: string;
    const log = captureLog();

    before(async () => {
      running = await serve({ responseMode, allowedHosts: LOOPBACK_HOSTS, logger: log.logger });
      mcp = `${running.url}/mcp`;
    });
    after(() => running.close());
    beforeEach(() => log.clear());
    // Whatever a client sent, nothing is logged as an error of the server, and it keeps serving.
    afterEach(async () => {
      assert.deepEqual(log.lines.filter((l) => l.level >= 50), [], 'no error-level log line');
      const res = await postModern(mcp, 99, 'tools/list');
      assert.equal(res.status, 200);
      assert.equal((await rpcBody(res)).result.tools[0].name, 'estimate_hosting_cost');
    });

    it(`server/discover offers ${MODERN}, with the server's name and instructions, as JSON`, async () => {
      const res = await postModern(mcp, 1, 'server/discover');
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type')!, MODERN_ANSWER);
      const { result } = await rpcBody(res);
      assert.ok(result.supportedVersions.includes(MODERN));
      assert.equal(result.instructions, cost.definition.instructions);
      assert.equal(result._meta[SERVER_INFO].name, 'mcp-on-aws-cost');
      assert.ok(result.capabilities.tools && result.capabilities.resources && result.capabilities.prompts);
      // List changes reach a 2026-07-28 client only on subscriptions/listen, which JSON mode refuses.
      const changes = responseMode === 'sse';
      assert.deepEqual(
        [result.capabilities.tools.listChanged, result.capabilities.prompts.listChanged, result.capabilities.resources.listChanged],
        [changes, changes, changes],
      );
    });

    it(`a ${MODERN} tools/call is answered at once (no initialize), complete, with the structured estimate`, async () => {
      const res = await postModern(mcp, 2, 'tools/call', { name: 'estimate_hosting_cost', arguments: { requestsPerMonth: 1_000_000, avgDurationMs: 200 } });
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type')!, MODERN_ANSWER);
      const body = await rpcBody(res);
      assert.equal(body.id, 2);
      assert.equal(body.result.resultType, 'complete');
      assert.equal(body.result.structuredContent.estimates[0].monthlyUsd, 2.87);
      assert.equal(res.headers.get('mcp-session-id'), null, 'stateless: no session id');
    });

    it(`a ${MODERN} list result carries its cache hint (ttlMs, cacheScope)`, async () => {
      const { result } = await rpcBody(await postModern(mcp, 3, 'prompts/list'));
      assert.deepEqual(result.prompts.map((p: { name: string }) => p.name), ['choose_target']);
      assert.equal(typeof result.ttlMs, 'number');
      assert.ok(['public', 'private'].includes(result.cacheScope));
    });

    for (const version of ['2025-03-26', '2025-06-18', '2025-11-25']) {
      it(`a ${version} client still initializes and lists tools, as ${responseMode}`, async () => {
        const init = await post(mcp, {
          jsonrpc: '2.0',
          id: 1,
          method: 'initialize',
          params: { protocolVersion: version, capabilities: {}, clientInfo: { name: 'old', version: '1' } },
        });
        assert.equal(init.status, 200);
        assert.match(init.headers.get('content-type')!, legacyAnswer(responseMode));
        const { result } = await rpcBody(init);
        assert.equal(result.protocolVersion, version);
        assert.equal(result.serverInfo.name, 'mcp-on-aws-cost');
        const list = await post(mcp, { jsonrpc: '2.0', id: 2, method: 'tools/list' }, { 'mcp-protocol-version': version });
        assert.match(list.headers.get('content-type')!, legacyAnswer(responseMode));
        const listed = await rpcBody(list);
        assert.equal(listed.result.tools[0].name, 'estimate_hosting_cost');
        assert.equal(listed.result.resultType, undefined, '2025 results have no resultType');
      });
    }

    it('an Mcp-Method header that disagrees with the body: 400 with JSON-RPC -32020', async () => {
      const res = await postModern(mcp, 4, 'tools/list', {}, { headers: { 'mcp-method': 'prompts/list' } });
      assert.equal(res.status, 400);
      const body = await rpcBody(res);
      assert.equal(body.error.code, -32020);
      assert.match(body.error.message, /prompts\/list/);
    });

    it('an Mcp-Name header that disagrees with the tool called: 400 with JSON-RPC -32020', async () => {
      const res = await postModern(mcp, 5, 'tools/call', { name: 'estimate_hosting_cost', arguments: {} }, { headers: { 'mcp-name': 'analyze_text' } });
      assert.equal(res.status, 400);
      assert.equal((await rpcBody(res)).error.code, -32020);
    });

    it('a protocol version the server does not speak: 400 with JSON-RPC -32022 naming the one it does', async () => {
      const res = await postModern(mcp, 6, 'tools/list', {}, { version: '2099-01-01' });
      assert.equal(res.status, 400);
      const body = await rpcBody(res);
      assert.equal(body.error.code, -32022);
      assert.deepEqual(body.error.data.supported, [MODERN]);
      assert.equal(body.error.data.requested, '2099-01-01');
    });

    it("a refusal by the SDK is on the request's log line, at info level, and nothing else is logged", async () => {
      const res = await postModern(mcp, 9, 'tools/list', {}, { version: '2099-01-01' });
      await res.text();
      const line = await log.next((l) => l.msg === 'request' && l.status === 400);
      assert.equal(line.level, 30);
      assert.equal(line.rpcMethod, 'tools/list');
      assert.match(line.error, /Unsupported protocol version: 2099-01-01/);
      assert.deepEqual(log.lines.filter((l) => l.level >= 40), [], 'no warning');
    });

    if (responseMode === 'json') {
      it('subscriptions/listen, a stream that never ends, is refused at once: 404 with JSON-RPC -32601 (a buffering gateway would wait for its end)', async () => {
        const res = await postModern(mcp, 11, 'subscriptions/listen', { notifications: { toolsListChanged: true } });
        assert.equal(res.status, 404);
        assert.match(res.headers.get('content-type')!, /^application\/json/);
        const body = await rpcBody(res);
        assert.equal(body.id, 11);
        assert.equal(body.error.code, -32601);
        assert.match(body.error.message, /stream/);
      });
    }

    for (const method of ['initialize', 'ping', 'logging/setLevel', 'resources/subscribe', 'resources/unsubscribe']) {
      it(`${method}, which ${MODERN} removed: HTTP 404 with JSON-RPC -32601, whatever its params`, async () => {
        const res = await postModern(mcp, 10, method, {});
        assert.equal(res.status, 404);
        const body = await rpcBody(res);
        assert.equal(body.id, 10);
        assert.equal(body.error.code, -32601);
      });
    }

    it(`${MODERN} invalid params: JSON-RPC -32602 with a one-line message naming the field`, async () => {
      const res = await postModern(mcp, 7, 'tools/call', { name: 'estimate_hosting_cost', arguments: null });
      assert.equal(res.status, 200);
      const body = await rpcBody(res);
      assert.equal(body.id, 7);
      assert.equal(body.error.code, -32602);
      assert.match(body.error.message, /params\.arguments/);
      assert.ok(!body.error.message.includes('\n'), 'one line');
    });

    it(`${MODERN} invalid tool arguments: a tool error result naming the argument`, async () => {
      const res = await postModern(mcp, 8, 'tools/call', { name: 'estimate_hosting_cost', arguments: { requestsPerMonth: -5, avgDurationMs: 1 } });
      const { result } = await rpcBody(res);
      assert.equal(result.isError, true);
      assert.match(result.content[0].text, /requestsPerMonth must be a whole number/);
    });
  });
}
