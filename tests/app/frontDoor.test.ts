import { strict as assert } from 'node:assert';
import { readEnv } from '../../app/config';
import { LOOPBACK_HOSTS } from '../../app/createApp';
import { createFrontDoor, loadServers } from '../../app/frontDoor';
import { listen, MCP_HEADERS, silentLogger, type Running } from '../helpers/http';
import { postModern } from './modernWire';
import { catalog, cost, text } from './testServers';

const rpc = (id: number, method: string, params?: unknown) => JSON.stringify({ jsonrpc: '2.0', id, method, ...(params ? { params } : {}) });
const initialize = rpc(1, 'initialize', { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 't', version: '1' } });

describe('the front door (app/frontDoor.ts): every server in one process', () => {
  let running: Running;
  const post = (path: string, body: string) => fetch(`${running.url}${path}`, { method: 'POST', headers: MCP_HEADERS, body });

  before(async () => {
    running = await listen(createFrontDoor(loadServers(catalog), { responseMode: 'json', allowedHosts: LOOPBACK_HOSTS, logger: silentLogger }));
  });
  after(() => running.close());

  it('serves each server at /<name>/mcp, and the primary, cost, also at /mcp', async () => {
    for (const [path, name] of [['/cost/mcp', 'cost'], ['/text/mcp', 'text'], ['/mcp', 'cost']] as const) {
      const res = await post(path, initialize);
      assert.equal(res.status, 200, path);
      assert.equal(((await res.json()) as any).result.serverInfo.name, `mcp-on-aws-${name}`, path);
    }
  });

  it("each path lists that server's tools only", async () => {
    const tools = async (path: string) => ((await (await post(path, rpc(2, 'tools/list'))).json()) as any).result.tools.map((t: any) => t.name);
    assert.deepEqual(await tools('/cost/mcp'), ['estimate_hosting_cost']);
    assert.deepEqual(await tools('/text/mcp'), ['analyze_text']);
    assert.deepEqual(await tools('/mcp'), ['estimate_hosting_cost']);
  });

  it("a 2026-07-28 client discovers, on each path, that server's name and instructions", async () => {
    for (const [path, server] of [['/cost/mcp', cost], ['/text/mcp', text], ['/mcp', cost]] as const) {
      const res = await postModern(`${running.url}${path}`, 3, 'server/discover');
      assert.equal(res.status, 200, path);
      const { result } = (await res.json()) as any;
      assert.equal(result._meta['io.modelcontextprotocol/serverInfo'].name, `mcp-on-aws-${server.name}`, path);
      assert.equal(result.instructions, server.definition.instructions, path);
    }
  });

  it('answers /healthz and every /<name>/healthz', async () => {
    for (const path of ['/healthz', '/cost/healthz', '/text/healthz']) {
      const res = await fetch(`${running.url}${path}`);
      assert.equal(res.status, 200, path);
      assert.deepEqual(await res.json(), { status: 'ok' });
    }
  });

  it('an unknown path: 404 naming every server’s endpoint', async () => {
    for (const path of ['/nope/mcp', '/texts/mcp', '/mcp/cost']) {
      const res = await post(path, initialize);
      assert.equal(res.status, 404, path);
      const { error } = (await res.json()) as { error: string };
      assert.match(error, /POST \/cost\/mcp, POST \/text\/mcp/);
    }
  });

  it('GET on a server’s endpoint: 405 with a JSON-RPC error, as on /mcp', async () => {
    const res = await fetch(`${running.url}/text/mcp`);
    assert.equal(res.status, 405);
    assert.equal(res.headers.get('allow'), 'POST');
    assert.equal(((await res.json()) as any).error.code, -32000);
  });

  it('refuses a cross-origin request on every server’s endpoint', async () => {
    for (const path of ['/cost/mcp', '/text/mcp', '/mcp']) {
      const res = await fetch(`${running.url}${path}`, { method: 'POST', headers: { ...MCP_HEADERS, origin: 'https://evil.example.com' }, body: initialize });
      assert.equal(res.status, 403, path);
      await res.text();
    }
  });
});

describe('the front door’s choices', () => {
  it('the primary given serves /mcp', async () => {
    const running = await listen(createFrontDoor([cost, text], { responseMode: 'json', logger: silentLogger }, 'text'));
    try {
      const res = await fetch(`${running.url}/mcp`, { method: 'POST', headers: MCP_HEADERS, body: initialize });
      assert.equal(((await res.json()) as any).result.serverInfo.name, 'mcp-on-aws-text');
    } finally {
      await running.close();
    }
  });

  it('a body limit under text’s minBodyBytes is refused, naming text', () => {
    assert.throws(() => createFrontDoor([cost, text], { maxBodyBytes: 65_536 }), /MAX_BODY_BYTES 65536 is too small: server text needs at least 2604800/);
    assert.throws(() => readEnv({ MAX_BODY_BYTES: '65536' }), /MAX_BODY_BYTES: must be at least 2604800, what server text needs/);
    // cost alone needs no more than the default.
    assert.doesNotThrow(() => createFrontDoor([cost], { maxBodyBytes: 65_536 }));
  });

  it('no server: an error', () => {
    assert.throws(() => createFrontDoor([]), /at least one server/);
  });
});
