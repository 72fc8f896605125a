import { strict as assert } from 'node:assert';
import { createAgentApp } from '../../../app/agent/createAgentApp';
import { StaticResolver } from '../../../app/agent/resolver';
import pino from 'pino';
import { McpServers, shuffle } from '../../../app/agent/servers';
import { createApp, LOOPBACK_HOSTS } from '../../../app/createApp';
import { allTools } from '../testServers';
import { json, listen, request, silentLogger, type Running } from '../../helpers/http';

const mcpServer = () => listen(createApp(allTools, { allowedHosts: LOOPBACK_HOSTS, logger: silentLogger }));

async function agentFor(urls: string[], timeoutMs = 5000): Promise<Running> {
  const servers = new McpServers({ resolver: new StaticResolver(urls), timeoutMs, toolsTtlMs: 60_000, logger: silentLogger });
  return listen(createAgentApp({ servers, logger: silentLogger, maxBodyBytes: 4096 }));
}

const postJson = (url: string, body: unknown, headers: Record<string, string> = {}) =>
  request(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });

describe('agent against a real MCP server', () => {
  let server: Running;
  let agent: Running;

  before(async () => {
    server = await mcpServer();
    agent = await agentFor([`${server.url}/mcp`]);
  });
  after(async () => {
    await agent.close();
    await server.close();
  });

  it('GET /servers shows what discovery sees, by server (a bare URL is named by its host)', async () => {
    const res = await request(`${agent.url}/servers`);
    assert.equal(res.status, 200);
    assert.deepEqual(await json(res), {
      source: 'static',
      servers: [{ name: '127.0.0.1', endpoints: [{ id: `${server.url}/mcp`, url: `${server.url}/mcp`, server: '127.0.0.1', direct: false }] }],
    });
  });

  it('GET /tools lists every tool with the server that offers it', async () => {
    const body = await json(await request(`${agent.url}/tools`));
    assert.deepEqual(body.tools.map((t: any) => [t.name, t.server, t.tool]), [
      ['analyze_text', '127.0.0.1', 'analyze_text'],
      ['estimate_hosting_cost', '127.0.0.1', 'estimate_hosting_cost'],
    ]);
    assert.ok(body.tools[0].inputSchema.properties.text);
    assert.match(body.tools[0].description, /\w/);
    assert.deepEqual(body.unreachable, []);
  });

  it('POST /tools/:name/call routes the call and answers the tool’s result', async () => {
    const res = await postJson(`${agent.url}/tools/estimate_hosting_cost/call`, { requestsPerMonth: 1_000_000, avgDurationMs: 200 });
    assert.equal(res.status, 200);
    const body = await json(res);
    assert.equal(body.tool, 'estimate_hosting_cost');
    assert.equal(body.server, '127.0.0.1');
    assert.equal(body.endpoint.url, `${server.url}/mcp`);
    assert.equal(body.result.structuredContent.estimates[0].monthlyUsd, 2.87);
  });

  it('passes a tool error back as such', async () => {
    const res = await postJson(`${agent.url}/tools/estimate_hosting_cost/call`, { requestsPerMonth: -1 });
    assert.equal(res.status, 200);
    const body = await json(res);
    assert.equal(body.result.isError, true);
    assert.match(body.result.content[0].text, /requestsPerMonth/);
  });

  it('a tool no server offers: 404 naming it', async () => {
    const res = await postJson(`${agent.url}/tools/make_coffee/call`, {});
    assert.equal(res.status, 404);
    assert.deepEqual(await json(res), { error: 'No MCP server offers the tool "make_coffee"', tool: 'make_coffee' });
  });

  it('bad input: malformed JSON 400, wrong content type 415, too large 413, arguments not an object 400', async () => {
    const call = `${agent.url}/tools/analyze_text/call`;
    assert.equal((await postJson(call, '{"text":')).status, 400);
    assert.equal((await postJson(call, 'text=hi', { 'content-type': 'application/x-www-form-urlencoded' })).status, 415);
    assert.equal((await postJson(call, { text: 'x'.repeat(5000) })).status, 413);
    assert.equal((await postJson(call, '[1,2]')).status, 400);
    // And it keeps serving.
    const ok = await postJson(call, { text: 'still serving' });
    assert.equal((await json(ok)).result.structuredContent.words, 2);
  });

  it('POST /ask without a model: 501 naming the setting that enables it', async () => {
    const res = await postJson(`${agent.url}/ask`, { prompt: 'What does Lambda cost?' });
    assert.equal(res.status, 501);
    assert.match((await json(res)).error, /BEDROCK_MODEL_ID \(stack setting agentModelId\)/);
  });

  it('GET /healthz answers', async () => {
    assert.deepEqual(await json(await request(`${agent.url}/healthz`)), { status: 'ok' });
  });
});

describe('agent with two replicas of a server, one stopped mid-test', () => {
  // `random` orders the endpoints: with two, 0.99 keeps discovery order (a first), 0 swaps them (b first).
  for (const [order, random] of [
    ['the stopped server first', () => 0.99],
    ['the live server first', () => 0],
  ] as const) {
    it(`trying ${order}: the call lands on the live one, the stopped one is tried last once it failed, and 502 names both when none is left`, async () => {
      const warnings: any[] = [];
      const logger = pino({ level: 'warn' }, { write: (line: string) => warnings.push(JSON.parse(line)) });
      const a = await mcpServer();
      const b = await mcpServer();
      const urls = [`${a.url}/mcp`, `${b.url}/mcp`];
      // Both named by their host: two replicas of one server.
      const servers = new McpServers({ resolver: new StaticResolver(urls), timeoutMs: 5000, toolsTtlMs: 60_000, logger, random });
      const agent = await listen(createAgentApp({ servers, logger: silentLogger }));
      try {
        const tools = await json(await request(`${agent.url}/tools`));
        assert.deepEqual(tools.tools.map((t: any) => [t.name, t.server]), [
          ['analyze_text', '127.0.0.1'],
          ['estimate_hosting_cost', '127.0.0.1'],
        ]);

        await a.close();
        for (let i = 0; i < 3; i++) {
          const res = await postJson(`${agent.url}/tools/analyze_text/call`, { text: 'one two three' });
          assert.equal(res.status, 200);
          const body = await json(res);
          assert.equal(body.endpoint.url, `${b.url}/mcp`);
          assert.equal(body.result.structuredContent.words, 3);
        }
        // Tried first, the stopped replica fails once, and is tried after the live one from then on.
        assert.deepEqual(
          warnings.map((w) => [w.msg, w.server, w.what, w.err]),
          random() > 0.5 ? [['MCP server unreachable', `${a.url}/mcp`, 'tools/call', `MCP server ${a.url}/mcp unreachable: connection failed (ECONNREFUSED)`]] : [],
        );
        // The server still answers through its live replica: its tools are listed, nothing is unreachable.
        const listed = await json(await request(`${agent.url}/tools`));
        assert.deepEqual(listed.unreachable, []);
        assert.deepEqual(listed.tools.map((t: any) => t.name), ['analyze_text', 'estimate_hosting_cost']);

        await b.close();
        const res = await postJson(`${agent.url}/tools/analyze_text/call`, { text: 'anyone?' });
        assert.equal(res.status, 502);
        const body = await json(res);
        assert.match(body.error, /unreachable/);
        assert.deepEqual([...body.servers].sort(), [...urls].sort());
      } finally {
        await agent.close();
        await a.close();
        await b.close();
      }
    });
  }

  it('orders candidates with the injected random numbers (Fisher-Yates)', () => {
    assert.deepEqual(shuffle(['a', 'b'], () => 0.99), ['a', 'b']);
    assert.deepEqual(shuffle(['a', 'b'], () => 0), ['b', 'a']);
    assert.deepEqual(shuffle(['a', 'b', 'c'], () => 0), ['b', 'c', 'a']);
    assert.deepEqual(shuffle([], () => 0), []);
  });
});
