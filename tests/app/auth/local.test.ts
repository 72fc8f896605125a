// End to end against the local authorization server (AUTH=local npm start): real MCP clients find
// everything from the first 401 (resource metadata, server metadata, registration, token), then list and
// call tools; the agent gets its tokens by client credentials and calls every server.
import { strict as assert } from 'node:assert';
import { Client, StreamableHTTPClientTransport, UnauthorizedError } from '@modelcontextprotocol/client';
import pino from 'pino';
import { McpServers } from '../../../app/agent/servers';
import { TokenSource } from '../../../app/agent/token';
import { StaticResolver } from '../../../app/agent/resolver';
import { scopeForResource, startLocalAuthServer, type LocalAuthServer } from '../../../app/auth/local/server';
import { appOptionsFromEnv, readEnv } from '../../../app/config';
import { createFrontDoor } from '../../../app/frontDoor';
import { listen, MCP_HEADERS, request, silentLogger, type Running } from '../../helpers/http';
import { catalog, cost, text } from '../testServers';

const PREFIX = 'mcp-on-aws';
const REDIRECT = 'http://127.0.0.1:33418/callback';

/**
 * A headless browser for the authorization request: follows redirects, signs in on the development
 * login and consents, and stops at the client's redirect URI; answers the callback's parameters.
 */
async function authorizeHeadless(url: URL): Promise<URLSearchParams> {
  const jar = new Map<string, string>();
  const go = async (u: URL, init: RequestInit = {}) => {
    const res = await fetch(u, { ...init, redirect: 'manual', headers: { ...(init.headers as Record<string, string>), cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; ') } });
    for (const c of res.headers.getSetCookie()) {
      const [kv] = c.split(';');
      const i = kv!.indexOf('=');
      jar.set(kv!.slice(0, i), kv!.slice(i + 1));
    }
    return res;
  };
  let res = await go(url);
  let at = url;
  for (let n = 0; n < 12; n++) {
    if (res.status >= 300 && res.status < 400) {
      at = new URL(res.headers.get('location')!, at);
      if (at.href.startsWith(REDIRECT)) return at.searchParams;
      res = await go(at);
      continue;
    }
    const html = await res.text();
    const form: Record<string, string> = html.includes('name="login"') ? { prompt: 'login', login: 'developer', password: 'any' } : { prompt: 'consent' };
    res = await go(at, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form).toString() });
  }
  throw new Error('the authorization flow did not reach the redirect URI');
}

/** An OAuth client provider as an interactive MCP client keeps it (in memory). */
function interactiveProvider(log: string[]) {
  let clientInfo: any, tokens: any, verifier: string, discovery: any;
  let callback: URLSearchParams | undefined;
  return {
    provider: {
      get redirectUrl() {
        return REDIRECT;
      },
      get clientMetadata() {
        return { client_name: 'e2e', redirect_uris: [REDIRECT], grant_types: ['authorization_code'], response_types: ['code'], token_endpoint_auth_method: 'none' };
      },
      clientInformation: () => clientInfo,
      saveClientInformation: (c: unknown) => {
        clientInfo = c;
        log.push('registered');
      },
      tokens: () => tokens,
      saveTokens: (t: unknown) => {
        tokens = t;
        log.push('token');
      },
      saveCodeVerifier: (v: string) => {
        verifier = v;
      },
      codeVerifier: () => verifier,
      saveDiscoveryState: (s: unknown) => {
        discovery = s;
      },
      discoveryState: () => discovery,
      redirectToAuthorization: async (url: URL) => {
        log.push(`authorize resource=${url.searchParams.get('resource')} scope=${url.searchParams.get('scope')}`);
        callback = await authorizeHeadless(url);
      },
    },
    callback: () => callback!,
  };
}

describe('end to end with the local authorization server (AUTH=local)', function () {
  this.timeout(60_000);
  let as: LocalAuthServer;
  let servers: Running;
  const seen: string[] = [];

  before(async () => {
    as = await startLocalAuthServer({ port: 0, scopePrefix: PREFIX, primary: 'cost', servers: catalog.names });
    const env = readEnv({ MCP_AUTH: 'local', MCP_AUTH_ISSUER: as.issuer, MCP_AUTH_SCOPE_PREFIX: PREFIX }, catalog);
    const app = createFrontDoor([cost, text], { ...appOptionsFromEnv(env, 'sse', '127.0.0.1', silentLogger), logger: silentLogger }, 'cost');
    servers = await listen(app);
  });
  after(async () => {
    await servers.close();
    await as.close();
  });

  /** A fetch that notes each request and its status (paths only). */
  const noting = (log: string[]) => async (input: string | URL | Request, init?: RequestInit) => {
    const res = await fetch(input, init);
    const url = new URL(input instanceof Request ? input.url : input);
    log.push(`${init?.method ?? 'GET'} ${url.origin === as.issuer ? 'AS' : 'RS'}${url.pathname} ${res.status}`);
    return res;
  };

  it('the v2 SDK client: 401 → resource metadata → server metadata → registration → code + PKCE → token, then lists and calls tools', async () => {
    const log: string[] = [];
    const { provider, callback } = interactiveProvider(log);
    const url = new URL(`${servers.url}/cost/mcp`);
    const connect = async () => {
      const client = new Client({ name: 'e2e', version: '1' });
      await client.connect(new StreamableHTTPClientTransport(url, { authProvider: provider as never, fetch: noting(log) }));
      return client;
    };
    const transport = new StreamableHTTPClientTransport(url, { authProvider: provider as never, fetch: noting(log) });
    await assert.rejects(new Client({ name: 'e2e', version: '1' }).connect(transport), UnauthorizedError);
    // The whole callback: its iss is checked against the server metadata's issuer (RFC 9207).
    await transport.finishAuth(callback() as never);
    const client = await connect();
    try {
      assert.deepEqual((await client.listTools()).tools.map((t) => t.name), ['estimate_hosting_cost']);
      const out = await client.callTool({ name: 'estimate_hosting_cost', arguments: { requestsPerMonth: 1000, avgDurationMs: 100 } });
      assert.equal(out.isError, undefined);
    } finally {
      await client.close();
    }
    const text = log.join('\n');
    for (const step of [/RS\/cost\/mcp 401/, /RS\/.well-known\/oauth-protected-resource\/cost\/mcp 200/, /AS\/.well-known\/(oauth-authorization-server|openid-configuration) 200/, /registered/, new RegExp(`authorize resource=${url.href} scope=${PREFIX}/cost`), /AS\/token 200/, /RS\/cost\/mcp 200/]) {
      assert.match(text, step);
    }
  });

  it('a client outside the SDK (@ai-sdk/mcp) connects the same way', async () => {
    const { createMCPClient, auth } = await import('@ai-sdk/mcp');
    const log: string[] = [];
    const { provider, callback } = interactiveProvider(log);
    const url = `${servers.url}/text/mcp`;
    await assert.rejects(createMCPClient({ transport: { type: 'http', url, authProvider: provider as never } }));
    assert.equal(await auth(provider as never, { serverUrl: url, authorizationCode: callback().get('code')! }), 'AUTHORIZED');
    const client = await createMCPClient({ transport: { type: 'http', url, authProvider: provider as never } });
    try {
      const tools = await client.listTools();
      assert.deepEqual(tools.tools.map((t) => t.name), ['analyze_text']);
    } finally {
      await client.close();
    }
    assert.ok(log.includes('registered') && log.includes('token'), log.join('\n'));
  });

  it('the agent gets tokens by client credentials and calls every server; a token for one server is refused by another', async () => {
    const logger = pino({ level: 'silent' });
    const tokens = new TokenSource({ tokenUrl: as.tokenUrl, credentials: async () => ({ clientId: as.agentClient.id, clientSecret: as.agentClient.secret }), logger });
    const resolver = new StaticResolver([`cost=${servers.url}/cost/mcp`, `text=${servers.url}/text/mcp`]);
    const agent = new McpServers({ resolver, logger, auth: { tokens, mode: 'local', scopePrefix: PREFIX } });
    const out = await agent.callTool('estimate_hosting_cost', { requestsPerMonth: 1000, avgDurationMs: 100 });
    assert.equal(out.result.isError, undefined);
    assert.equal((await agent.callTool('analyze_text', { text: 'hello there' })).server, 'text');
    const costToken = await tokens.token({ scope: `${PREFIX}/cost`, resource: `${servers.url}/cost/mcp` });
    const res = await request(`${servers.url}/text/mcp`, {
      method: 'POST',
      headers: { ...MCP_HEADERS, authorization: `Bearer ${costToken}` },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });
    assert.equal(res.status, 401);
    assert.match(res.headers.get('www-authenticate')!, /not issued for this resource/);
    seen.push('agent');
  });

  it('refuses a token for a resource that is not ours, and a wrong client secret', async () => {
    const basic = (secret: string) => `Basic ${Buffer.from(`${as.agentClient.id}:${secret}`).toString('base64')}`;
    const ask = (secret: string, resource: string) =>
      fetch(as.tokenUrl, {
        method: 'POST',
        headers: { authorization: basic(secret), 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'client_credentials', scope: `${PREFIX}/cost`, resource }),
      });
    const elsewhere = await ask(as.agentClient.secret, 'https://elsewhere.example.com/mcp');
    assert.equal(elsewhere.status, 400);
    assert.equal(((await elsewhere.json()) as any).error, 'invalid_target');
    const wrong = await ask('not-the-secret', `${servers.url}/cost/mcp`);
    assert.equal(wrong.status, 401);
    assert.equal(((await wrong.json()) as any).error, 'invalid_client');
    assert.equal(scopeForResource('http://127.0.0.1:3001', { scopePrefix: PREFIX, primary: 'cost' }), `${PREFIX}/agent`);
    assert.equal(scopeForResource('http://127.0.0.1:3000/mcp', { scopePrefix: PREFIX, primary: 'cost' }), `${PREFIX}/cost`);
  });
});
