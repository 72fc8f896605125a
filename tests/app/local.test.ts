import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import net from 'node:net';
import path from 'node:path';
import { localServersList } from '../../app/local';
import { killLocal, startLocal, stopLocal, type LocalRun } from '../helpers/local';

const root = path.resolve(__dirname, '../..');

describe('npm start (app/local.ts): the servers and the agent together', function () {
  this.timeout(30_000);
  let local: LocalRun | undefined;
  afterEach(() => killLocal(local));

  it("gives the agent every server as name=url, at the front door's /<name>/mcp", () => {
    assert.equal(localServersList(['cost', 'text'], 3000), 'cost=http://127.0.0.1:3000/cost/mcp,text=http://127.0.0.1:3000/text/mcp');
  });

  it('serves every server, and the agent lists and calls the tools of each through the static list', async () => {
    local = startLocal(root);
    {
      const { servers, ...urls } = await local.ready;
      const base = urls.mcp!.replace(/\/mcp$/, '');
      assert.deepEqual(servers, { cost: `${base}/cost/mcp`, text: `${base}/text/mcp` }, 'the log line lists every server');
      const tools = (await (await fetch(`${urls.agent}/tools`)).json()) as any;
      assert.deepEqual(tools.tools.map((t: any) => [t.name, t.server]).sort(), [
        ['analyze_text', 'text'],
        ['estimate_hosting_cost', 'cost'],
      ]);
      const text = await fetch(`${urls.agent}/tools/analyze_text/call`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ text: 'one two' }),
      });
      assert.equal(text.status, 200);
      assert.equal(((await text.json()) as any).result.structuredContent.words, 2);
      const res = await fetch(`${urls.agent}/tools/estimate_hosting_cost/call`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ requestsPerMonth: 1_000_000, avgDurationMs: 200 }),
      });
      assert.equal(res.status, 200);
      assert.equal(((await res.json()) as any).result.structuredContent.cheapest, 'lambda');
      // The calls the agent made, summed for a developer at GET /metrics.
      const metrics = await (await fetch(`${base}/metrics`)).text();
      assert.match(metrics, /^mcp_tool_calls_total\{server="cost",tool="estimate_hosting_cost",outcome="ok"\} 1$/m);
      assert.match(metrics, /^mcp_tool_calls_total\{server="text",tool="analyze_text",outcome="ok"\} 1$/m);
      assert.equal(await stopLocal(local), 0);
    }
  });

  it('AUTH=local: a real authorization server beside them; the servers and the agent require tokens, and the agent gets its own', async () => {
    local = startLocal(root, { AUTH: 'local', AUTH_PORT: '0' });
    const { issuer, agent, servers } = await local.ready;
    assert.match(issuer!, /^http:\/\/127\.0\.0\.1:\d+$/);
    const open = await fetch(servers.cost!, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' }, body: '{}' });
    assert.equal(open.status, 401);
    assert.equal((await fetch(`${agent}/tools`)).status, 401);
    // A machine client of the user's own, registered at the server (RFC 7591), asks for a token for the agent.
    const registered = (await (
      await fetch(`${issuer}/reg`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ grant_types: ['client_credentials'], response_types: [], redirect_uris: [], token_endpoint_auth_method: 'client_secret_basic', scope: 'mcp-on-aws/agent' }),
      })
    ).json()) as any;
    const token = (await (
      await fetch(`${issuer}/token`, {
        method: 'POST',
        headers: { authorization: `Basic ${Buffer.from(`${registered.client_id}:${registered.client_secret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'mcp-on-aws/agent', resource: agent }),
      })
    ).json()) as any;
    const tools = await fetch(`${agent}/tools`, { headers: { authorization: `Bearer ${token.access_token}` } });
    assert.equal(tools.status, 200);
    // The agent reached both servers with tokens it got itself.
    assert.deepEqual(((await tools.json()) as any).tools.map((t: any) => t.server).sort(), ['cost', 'text']);
    assert.equal(await stopLocal(local), 0);
  });

  it('exits 1 naming the servers when MCP_SERVER names none of them', async () => {
    const child = spawn(process.execPath, [require.resolve('tsx/cli'), 'app/local.ts'], {
      cwd: root,
      env: { ...process.env, PORT: '0', AGENT_PORT: '0', MCP_SERVER: 'nope', LOG_LEVEL: 'silent', MCP_SERVERS: '' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
    const [code] = await once(child, 'exit');
    assert.equal(code, 1);
    assert.match(stderr, /MCP_SERVER: no server named "nope"; choose one of cost, text/);
  });

  for (const which of ['PORT', 'AGENT_PORT']) {
    it(`exits 1 naming the address when ${which} is taken`, async () => {
      const taken = net.createServer();
      await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
      const { port } = taken.address() as net.AddressInfo;
      try {
        const child = spawn(process.execPath, [require.resolve('tsx/cli'), 'app/local.ts'], {
          cwd: root,
          env: { ...process.env, PORT: '0', AGENT_PORT: '0', [which]: String(port), LOG_LEVEL: 'silent', MCP_SERVERS: '' },
          stdio: ['ignore', 'ignore', 'pipe'],
        });
        let stderr = '';
        child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
        const [code] = await once(child, 'exit');
        assert.equal(code, 1);
        assert.match(stderr, new RegExp(`Cannot listen on 127\\.0\\.0\\.1:${port}: the address is already in use`));
      } finally {
        await new Promise((r) => taken.close(r));
      }
    });
  }
});
