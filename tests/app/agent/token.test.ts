// The agent's own credentials towards the servers: client-credentials tokens, cached, refreshed, and
// sent to the servers that require them (app/agent/token.ts), against a token endpoint and a server on 127.0.0.1.
import { strict as assert } from 'node:assert';
import express from 'express';
import pino from 'pino';
import { TokenSource, type ClientCredentials } from '../../../app/agent/token';
import type { McpEndpoint, Resolver } from '../../../app/agent/resolver';
import { McpServers } from '../../../app/agent/servers';
import { createFrontDoor } from '../../../app/frontDoor';
import { listen, silentLogger, type Running } from '../../helpers/http';
import { cost, text } from '../testServers';

const SECRET = 'agent-secret-Zq7Zq7Zq7';

/** A token endpoint: checks the grant and the client, issues tok-1, tok-2, …; `refuse` answers that error instead. */
async function tokenEndpoint() {
  const state = { requests: [] as URLSearchParams[], issued: 0, refuse: undefined as string | undefined, clientSecret: SECRET, running: undefined as unknown as Running };
  const app = express();
  app.post('/token', express.urlencoded({ extended: false }), (req, res) => {
    const body = new URLSearchParams(req.body as Record<string, string>);
    state.requests.push(body);
    const [id, secret] = Buffer.from(String(req.headers.authorization).replace(/^Basic /, ''), 'base64').toString().split(':');
    if (state.refuse) return res.status(400).json({ error: state.refuse });
    if (id !== 'agent-client' || decodeURIComponent(secret!) !== state.clientSecret || body.get('grant_type') !== 'client_credentials') {
      return res.status(401).json({ error: 'invalid_client' });
    }
    res.json({ access_token: `tok-${++state.issued}`, token_type: 'Bearer', expires_in: 3600 });
  });
  state.running = await listen(app);
  return state;
}

/** The MCP servers behind a check that accepts the tokens in `valid` only (what the resource server does). */
async function protectedServers(valid: Set<string>, seen: string[]) {
  const inner = createFrontDoor([cost, text], { logger: silentLogger, responseMode: 'json' }, 'cost');
  const app = express();
  app.use((req, res, next) => {
    const auth = req.headers.authorization ?? '';
    seen.push(`${req.path} ${auth}`);
    if (req.path.startsWith('/text/')) return next(); // text is registered as auth none
    if (!valid.has(auth.replace(/^Bearer /, ''))) return res.status(401).set('www-authenticate', 'Bearer error="invalid_token"').json({ error: 'no' });
    next();
  });
  app.use(inner);
  return listen(app);
}

const resolverOf = (endpoints: McpEndpoint[]): Resolver => ({ source: 'test', resolve: async () => endpoints, invalidate: () => undefined });

describe('the agent authenticates to the servers with client-credentials tokens', function () {
  this.timeout(30_000);
  let tokens: Awaited<ReturnType<typeof tokenEndpoint>>;
  let server: Running;
  const valid = new Set<string>();
  const seen: string[] = [];
  let now = 1_000_000;
  let reads: boolean[];
  let lines: string[];

  const make = () => {
    lines = [];
    reads = [];
    const logger = pino({}, { write: (l: string) => lines.push(l) });
    const source = new TokenSource({
      tokenUrl: `${tokens.running.url}/token`,
      credentials: async (fresh): Promise<ClientCredentials> => {
        reads.push(fresh);
        return { clientId: 'agent-client', clientSecret: fresh ? tokens.clientSecret : SECRET };
      },
      logger,
      now: () => now,
    });
    const endpoints: McpEndpoint[] = [
      { id: 'c', url: `${server.url}/cost/mcp`, server: 'cost', direct: false, auth: 'cognito', authScope: 'mcp-on-aws-dev/cost' },
      { id: 't', url: `${server.url}/text/mcp`, server: 'text', direct: false, auth: 'none', authScope: '' },
    ];
    return { source, servers: new McpServers({ resolver: resolverOf(endpoints), logger, auth: { tokens: source, mode: 'none' } }) };
  };

  before(async () => {
    tokens = await tokenEndpoint();
    server = await protectedServers(valid, seen);
  });
  after(async () => {
    await server.close();
    await tokens.running.close();
  });
  beforeEach(() => {
    tokens.requests.length = 0;
    tokens.issued = 0;
    tokens.refuse = undefined;
    tokens.clientSecret = SECRET;
    valid.clear();
    valid.add('tok-1');
    valid.add('tok-2');
    seen.length = 0;
    now = 1_000_000;
  });

  it('gets one token for the server’s scope and uses it for every call; the auth none server gets no Authorization header', async () => {
    const { servers } = make();
    const { tools, unreachable } = await servers.tools();
    assert.deepEqual(unreachable, []);
    assert.ok(tools.some((t) => t.server === 'cost') && tools.some((t) => t.server === 'text'));
    for (let i = 0; i < 3; i++) {
      const out = await servers.callTool('estimate_hosting_cost', { requestsPerMonth: 1000, avgDurationMs: 100 });
      assert.equal(out.result.isError, undefined);
    }
    assert.equal(tokens.requests.length, 1);
    assert.equal(tokens.requests[0]!.get('scope'), 'mcp-on-aws-dev/cost');
    assert.equal(tokens.requests[0]!.get('resource'), null, 'Cognito is sent no resource');
    assert.ok(seen.filter((h) => h === '/cost/mcp Bearer tok-1').length >= 4);
    await servers.callTool('analyze_text', { text: 'hello world' });
    const toText = seen.filter((h) => h.startsWith('/text/'));
    assert.ok(toText.length > 0 && toText.every((h) => h === '/text/mcp '), 'no token to the auth none server');
  });

  it('outside Cognito, asks for the server’s URL as resource (RFC 8707)', async () => {
    const { source } = make();
    await source.token({ scope: 's', resource: `${server.url}/cost/mcp` });
    assert.equal(tokens.requests[0]!.get('resource'), `${server.url}/cost/mcp`);
  });

  it('gets a new token a minute before the old one expires', async () => {
    const { source } = make();
    assert.equal(await source.token({ scope: 'a' }), 'tok-1');
    now += 3600_000 - 61_000;
    assert.equal(await source.token({ scope: 'a' }), 'tok-1');
    now += 2_000;
    assert.equal(await source.token({ scope: 'a' }), 'tok-2');
  });

  it('concurrent calls share one token request', async () => {
    const { source } = make();
    const got = await Promise.all([1, 2, 3, 4].map(() => source.token({ scope: 'a' })));
    assert.deepEqual(got, ['tok-1', 'tok-1', 'tok-1', 'tok-1']);
    assert.equal(tokens.requests.length, 1);
  });

  it('a token the server refuses (401) is replaced and the call made once more', async () => {
    const { servers } = make();
    valid.delete('tok-1');
    const out = await servers.callTool('estimate_hosting_cost', { requestsPerMonth: 1000, avgDurationMs: 100 });
    assert.equal(out.result.isError, undefined);
    assert.equal(tokens.requests.length, 2);
    assert.ok(seen.includes('/cost/mcp Bearer tok-2'));
  });

  it('refused as invalid_client, reads the credentials again once (a rotated secret)', async () => {
    const { source } = make();
    tokens.clientSecret = 'rotated';
    assert.equal(await source.token({ scope: 'a' }), 'tok-1');
    assert.deepEqual(reads, [false, true]);
  });

  it('a token endpoint that fails: that server’s call fails saying why; the other server still answers; no secret or token in the logs', async () => {
    const { servers } = make();
    tokens.refuse = 'temporarily_unavailable';
    await assert.rejects(servers.callTool('estimate_hosting_cost', { requestsPerMonth: 1000, avgDurationMs: 100 }), /token endpoint .* gave no token \(temporarily_unavailable\)/);
    const out = await servers.callTool('analyze_text', { text: 'still here' });
    assert.equal(out.server, 'text');
    const log = lines.join('\n');
    assert.match(log, /no token from the token endpoint/);
    assert.ok(!log.includes(SECRET) && !log.includes('tok-'), 'a log line carries a secret or a token');
  });
});
