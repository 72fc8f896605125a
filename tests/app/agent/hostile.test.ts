import { strict as assert } from 'node:assert';
import { createAgentApp } from '../../../app/agent/createAgentApp';
import { StaticResolver } from '../../../app/agent/resolver';
import { McpServers } from '../../../app/agent/servers';
import { createApp, LOOPBACK_HOSTS } from '../../../app/createApp';
import { allTools } from '../testServers';
import { json, listen, request, silentLogger, type Running } from '../../helpers/http';
import { answer, fakeServer, streamForever, type Behavior, type FakeServer } from './fakeServer';

/** Counts invalidate() calls: only an unreachable server may drop discovery. */
class CountingResolver extends StaticResolver {
  invalidations = 0;
  override invalidate(): void {
    this.invalidations++;
  }
}

const SECRET = 'AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';

interface Setup {
  server: FakeServer;
  agent: Running;
  resolver: CountingResolver;
  close(): Promise<void>;
}

async function agentBefore(behaviors: { call: Behavior; list?: Behavior }, opts: { timeoutMs?: number; maxResponseBytes?: number } = {}): Promise<Setup> {
  const server = await fakeServer(behaviors);
  const resolver = new CountingResolver([server.url]);
  const servers = new McpServers({
    resolver,
    timeoutMs: opts.timeoutMs ?? 10_000,
    maxResponseBytes: opts.maxResponseBytes ?? 64 * 1024,
    logger: silentLogger,
  });
  const agent = await listen(createAgentApp({ servers, logger: silentLogger }));
  return {
    server,
    agent,
    resolver,
    close: async () => {
      await agent.close();
      await server.close();
    },
  };
}

const call = (agent: Running, body: unknown, tool = 'leak') =>
  request(`${agent.url}/tools/${tool}/call`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });

describe('agent against hostile MCP servers', () => {
  describe('an answer that never ends is cut at MAX_RESPONSE_BYTES', () => {
    const cases: [string, Behavior][] = [
      [
        'an SSE event that never ends',
        (msg, res) => {
          res.writeHead(200, { 'content-type': 'text/event-stream' });
          streamForever(res, `event: message\ndata: {"jsonrpc":"2.0","id":${JSON.stringify(msg.id)},"result":{"content":[{"type":"text","text":"`, 'x'.repeat(16 * 1024));
        },
      ],
      [
        'SSE events that never answer the request',
        (_msg, res) => {
          res.writeHead(200, { 'content-type': 'text/event-stream' });
          streamForever(res, '', `event: message\ndata: {"jsonrpc":"2.0","method":"notifications/message","params":{"level":"info","data":"${'y'.repeat(16 * 1024)}"}}\n\n`);
        },
      ],
      [
        'a JSON body that never ends',
        (msg, res) => {
          res.writeHead(200, { 'content-type': 'application/json' });
          streamForever(res, `{"jsonrpc":"2.0","id":${JSON.stringify(msg.id)},"result":{"content":[{"type":"text","text":"`, 'z'.repeat(16 * 1024));
        },
      ],
    ];
    for (const [name, behavior] of cases) {
      it(`${name}: 502 naming the server and the limit, and the agent keeps serving`, async () => {
        const s = await agentBefore({ call: behavior });
        try {
          const res = await call(s.agent, { text: 'hi' });
          assert.equal(res.status, 502);
          const body = await json(res);
          assert.equal(body.server, s.server.url);
          assert.match(body.error, new RegExp(`MCP server ${s.server.url} failed: response larger than the limit of 65536 bytes \\(MAX_RESPONSE_BYTES\\)`));
          assert.equal(s.resolver.invalidations, 0, 'a server that answered is reachable');
          assert.deepEqual(await json(await request(`${s.agent.url}/healthz`)), { status: 'ok' });
        } finally {
          await s.close();
        }
      });
    }
  });

  it('a 500 whose body holds a secret: 502 with the status only, never the body', async () => {
    const s = await agentBefore({
      call: (_msg, res) => {
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(`Traceback (most recent call last): ${SECRET}`);
      },
    });
    try {
      const res = await call(s.agent, {});
      assert.equal(res.status, 502);
      const text = await res.text();
      assert.ok(!text.includes('wJalrXUtnFEMI'), text);
      assert.ok(!text.includes('Traceback'), text);
      assert.deepEqual(JSON.parse(text), { error: `MCP server ${s.server.url} failed: answered HTTP 500`, server: s.server.url });
      assert.equal(s.resolver.invalidations, 0);
    } finally {
      await s.close();
    }
  });

  it('a tools/list answering 500 with a secret: GET /tools names the server and the status only', async () => {
    const s = await agentBefore({
      call: () => undefined,
      list: (_msg, res) => {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: SECRET }));
      },
    });
    try {
      const body = await json(await request(`${s.agent.url}/tools`));
      assert.deepEqual(body, { tools: [], unreachable: [{ server: '127.0.0.1', error: `MCP server ${s.server.url} failed: answered HTTP 500` }] });
    } finally {
      await s.close();
    }
  });

  it('a server listing one tool twice: listed once, and called', async () => {
    const tool = { name: 'leak', description: 'twice', inputSchema: { type: 'object' } };
    const s = await agentBefore({
      list: (msg, res) => answer(res, msg.id, { tools: [tool, { ...tool, description: 'again' }] }),
      call: (msg, res) => answer(res, msg.id, { content: [{ type: 'text', text: 'ok' }] }),
    });
    try {
      const body = await json(await request(`${s.agent.url}/tools`));
      assert.deepEqual(body.tools.map((t: any) => [t.name, t.description]), [['leak', 'twice']]);
      assert.equal((await call(s.agent, {})).status, 200);
    } finally {
      await s.close();
    }
  });

  it('a JSON-RPC error is the tool call’s error result, its message one capped line', async () => {
    const message = `Invalid params\n\u001b[31m${'a'.repeat(300)} ${SECRET}`;
    const s = await agentBefore({
      call: (msg, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ jsonrpc: '2.0', id: msg.id, error: { code: -32602, message, data: { stack: SECRET } } }));
      },
    });
    try {
      const res = await call(s.agent, {});
      assert.equal(res.status, 200);
      const body = await json(res);
      assert.equal(body.result.isError, true);
      const text: string = body.result.content[0].text;
      assert.match(text, /^MCP error -32602: Invalid params \[31maaaa/);
      assert.match(text, /… \(\d+ more characters not shown\)$/);
      assert.ok(!JSON.stringify(body).includes('wJalrXUtnFEMI'));
      assert.ok(!/[\u0000-\u001f]/.test(text), 'no control characters');
      assert.equal(s.resolver.invalidations, 0);
    } finally {
      await s.close();
    }
  });

  it('an answer that trickles in past CALL_TIMEOUT_MS: 504 naming the timeout', async () => {
    const s = await agentBefore(
      {
        call: (msg, res) => {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.write(`{"jsonrpc":"2.0","id":${JSON.stringify(msg.id)},"result":{"content":[{"type":"text","text":"`);
          const timer = setInterval(() => res.write('.'), 20);
          res.once('close', () => clearInterval(timer));
        },
      },
      { timeoutMs: 300 },
    );
    try {
      const res = await call(s.agent, {});
      assert.equal(res.status, 504);
      assert.deepEqual(await json(res), {
        error: `MCP server ${s.server.url} did not answer within CALL_TIMEOUT_MS (300 ms)`,
        server: s.server.url,
      });
    } finally {
      await s.close();
    }
  });

  it('CALL_TIMEOUT_MS bounds the whole call: a slow initialize and a slow answer, each within it, add up past it', async () => {
    // Each step takes 3/4 of the timeout: answered in time step by step, not as a whole.
    const server = await fakeServer({
      call: (msg, res) => {
        setTimeout(() => answer(res, msg.id, { content: [{ type: 'text', text: 'late' }] }), 1500);
      },
      initializeDelayMs: 1500,
    });
    const servers = new McpServers({ resolver: new StaticResolver([server.url]), timeoutMs: 2000, toolsTtlMs: 60_000, logger: silentLogger });
    const agent = await listen(createAgentApp({ servers, logger: silentLogger }));
    try {
      // The tool list is cached first (its own call), so the call below is one operation: initialize + tools/call.
      const listed = await json(await request(`${agent.url}/tools`));
      assert.deepEqual(listed.unreachable, []);
      const res = await call(agent, {});
      assert.equal(res.status, 504);
      assert.match((await json(res)).error, /did not answer within CALL_TIMEOUT_MS \(2000 ms\)/);
    } finally {
      await agent.close();
      await server.close();
    }
  });

  it('arguments nested 100k deep: 400, no server asked, discovery kept', async () => {
    const s = await agentBefore({ call: (msg, res) => answer(res, msg.id, { content: [{ type: 'text', text: 'ok' }] }) });
    try {
      const deep = `{"a":${'['.repeat(100_000)}${']'.repeat(100_000)}}`;
      const res = await call(s.agent, deep);
      assert.equal(res.status, 400);
      assert.match((await json(res)).error, /nest deeper than 64 levels/);
      assert.equal(s.resolver.invalidations, 0);
      assert.ok(!s.server.methods.includes('tools/call'));
      // 64 levels are fine, and the agent still serves.
      const ok = await call(s.agent, { a: JSON.parse(`${'['.repeat(63)}${']'.repeat(63)}`) });
      assert.equal(ok.status, 200);
      assert.equal((await json(ok)).result.content[0].text, 'ok');
    } finally {
      await s.close();
    }
  });

  // The SDK's client transport follows no redirect to another origin (its default redirect policy): a
  // server cannot send the agent elsewhere (to instance metadata, say) with the agent's network position.
  it('a redirect to another origin is not followed: 502 naming the status, and the other address is never asked', async () => {
    const elsewhere = await fakeServer({ call: (msg, res) => answer(res, msg.id, { content: [{ type: 'text', text: 'followed' }] }) });
    const s = await agentBefore({
      call: (_msg, res) => {
        res.writeHead(307, { location: elsewhere.url });
        res.end();
      },
    });
    try {
      const res = await call(s.agent, {});
      assert.equal(res.status, 502);
      assert.deepEqual(await json(res), { error: `MCP server ${s.server.url} failed: answered HTTP 307`, server: s.server.url });
      assert.deepEqual(elsewhere.methods, []);
    } finally {
      await s.close();
      await elsewhere.close();
    }
  });

  it('a server that went away drops discovery (one that answers badly does not: see the 500 answers above)', async () => {
    const s = await agentBefore({ call: (msg, res) => answer(res, msg.id, { content: [{ type: 'text', text: 'ok' }] }) });
    try {
      assert.equal((await call(s.agent, {})).status, 200);
      await s.server.close();
      const res = await call(s.agent, {});
      assert.equal(res.status, 502);
      assert.match((await json(res)).error, /unreachable: connection failed \(ECONNREFUSED\)/);
      assert.ok(s.resolver.invalidations >= 1);
    } finally {
      await s.close();
    }
  });
});

describe('agent against hostile callers', () => {
  let server: Running;
  let agent: Running;
  before(async () => {
    server = await listen(createApp(allTools, { allowedHosts: LOOPBACK_HOSTS, logger: silentLogger }));
    const servers = new McpServers({ resolver: new StaticResolver([`${server.url}/mcp`]), logger: silentLogger });
    agent = await listen(createAgentApp({ servers, logger: silentLogger, allowedHosts: LOOPBACK_HOSTS, allowedOrigins: ['https://console.example.com'] }));
  });
  after(async () => {
    await agent.close();
    await server.close();
  });

  it('/tools/%ff/call: 400, not 500', async () => {
    const res = await call(agent, {}, '%ff');
    assert.equal(res.status, 400);
    assert.match((await json(res)).error, /percent-encoding/);
  });

  it('a DNS-rebinding Host or a foreign Origin: 403 on every route', async () => {
    for (const [method, path] of [
      ['GET', '/servers'],
      ['GET', '/tools'],
      ['POST', '/tools/analyze_text/call'],
      ['POST', '/ask'],
    ]) {
      const headers = { 'content-type': 'application/json' };
      const body = method === 'POST' ? '{"prompt":"hi"}' : undefined;
      const rebound = await request(`${agent.url}${path}`, { method, headers: { ...headers, host: `evil.example:${agent.port}` }, body });
      assert.equal(rebound.status, 403, `${method} ${path}`);
      assert.match((await json(rebound)).error, /Host not allowed: evil\.example/);
      const foreign = await request(`${agent.url}${path}`, { method, headers: { ...headers, origin: 'http://evil.example' }, body });
      assert.equal(foreign.status, 403, `${method} ${path}`);
      assert.match((await json(foreign)).error, /Origin not allowed: http:\/\/evil\.example/);
    }
  });

  it('loopback names, same-origin and allowed origins pass; /healthz answers whatever the Host', async () => {
    for (const host of [`localhost:${agent.port}`, `127.0.0.1:${agent.port}`, `[::1]:${agent.port}`]) {
      assert.equal((await request(`${agent.url}/servers`, { headers: { host } })).status, 200, host);
    }
    assert.equal((await request(`${agent.url}/servers`, { headers: { origin: agent.url } })).status, 200);
    assert.equal((await request(`${agent.url}/servers`, { headers: { origin: 'https://console.example.com' } })).status, 200);
    const probe = await request(`${agent.url}/healthz`, { headers: { host: '10.0.3.7:3001' } });
    assert.deepEqual(await json(probe), { status: 'ok' });
  });
});
