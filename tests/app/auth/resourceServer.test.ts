// Every MCP server is an OAuth 2.1 resource server: the whole matrix of bad tokens, on the Express app
// (containers, npm start) and through the Lambda handler as API Gateway HTTP API delivers requests.
import { strict as assert } from 'node:assert';
import pino from 'pino';
import { createAuthGate, type AuthGate } from '../../../app/auth/gate';
import type { AuthSettings } from '../../../app/auth/env';
import { createFrontDoor } from '../../../app/frontDoor';
import { createFetchApp } from '../../../app/fetchApp';
import { lambdaFetchHandler } from '../../../app/lambdaHttp';
import type { Logger } from '../../../app/logger';
import { json, listen, MCP_HEADERS, request, rpcBody, type Running } from '../../helpers/http';
import { serveThroughHttpApi } from '../../helpers/httpApi';
import {
  deadUrl,
  hmacToken,
  ISSUER,
  makeKey,
  NOW,
  nowSeconds,
  PREFIX,
  servers,
  serveJwks,
  settings,
  token,
  unsigned,
  type JwksServer,
  type Key,
} from './fixtures';

const LIST = { jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} };
const callTool = (name: string) => ({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name, arguments: {} } });
const INIT = {
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 't', version: '1' } },
};

/** Log lines of one app, parsed. */
function capture(): { logger: Logger; lines: any[] } {
  const lines: any[] = [];
  return { logger: pino({ level: 'info' }, { write: (line: string) => lines.push(JSON.parse(line)) }), lines };
}

/** One way of serving the servers: the Express front door, or alpha's Lambda function behind HTTP API. */
interface Place {
  name: string;
  start(auth: AuthGate, logger: Logger): Promise<Running>;
  /** The origin the app sees for a request to `running` (HTTP API says https). */
  origin(running: Running): string;
}

const PLACES: Place[] = [
  {
    name: 'Express app',
    start: (auth, logger) => listen(createFrontDoor(servers(), { auth, logger, responseMode: 'json' }, 'alpha')),
    origin: (r) => `http://127.0.0.1:${r.port}`,
  },
  {
    name: 'Lambda handler behind HTTP API',
    start: (auth, logger) => serveThroughHttpApi(lambdaFetchHandler(createFetchApp(servers()[0]!, { auth, logger, responseMode: 'json', cors: false }), logger)),
    origin: (r) => `https://127.0.0.1:${r.port}`,
  },
];

/** The parameters of a Bearer challenge. */
function challengeOf(res: Response): Record<string, string> {
  const header = res.headers.get('www-authenticate') ?? '';
  assert.match(header, /^Bearer /, `WWW-Authenticate: ${header}`);
  return Object.fromEntries([...header.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
}

for (const place of PLACES) {
  describe(`authorization on the MCP endpoint: ${place.name}`, function () {
    this.timeout(30_000);
    let key: Key;
    let other: Key;
    let jwks: JwksServer;
    let running: Running;
    let logs: any[];
    let resource: string;
    let origin: string;

    const gateFor = (s: AuthSettings, logger: Logger) => createAuthGate(s, { logger, now: () => NOW });

    before(async () => {
      key = await makeKey('k1');
      other = await makeKey('k1'); // same key id, another key: a forged signature
      jwks = await serveJwks([key]);
      const { logger, lines } = capture();
      logs = lines;
      running = await place.start(gateFor(settings({ mode: 'oidc', jwksUrl: jwks.url }), logger), logger);
      origin = place.origin(running);
      resource = `${origin}/alpha/mcp`;
    });
    after(async () => {
      await running.close();
      await jwks.close();
    });
    beforeEach(() => (logs.length = 0));

    const send = (path: string, headers: Record<string, string>, body: unknown = LIST) =>
      request(`${running.url}${path}`, { method: 'POST', headers: { ...MCP_HEADERS, ...headers }, body: JSON.stringify(body) });
    const bearer = (t: string) => ({ authorization: `Bearer ${t}` });
    const good = () => token(key, { aud: resource, scope: `${PREFIX}/alpha`, client_id: 'client-a' });

    /** The refusal's status, challenge, JSON-RPC body, and one log line without the token. */
    async function refused(res: Response, status: number, error: string | undefined, reason: RegExp, sent?: string) {
      const body = await json(res);
      assert.equal(res.status, status, JSON.stringify(body));
      const c = challengeOf(res);
      assert.equal(c.resource_metadata, `${origin}/.well-known/oauth-protected-resource/alpha/mcp`);
      assert.equal(c.scope, `${PREFIX}/alpha`);
      assert.equal(c.error, error);
      if (error) assert.match(c.error_description!, reason);
      assert.equal(body.jsonrpc, '2.0');
      assert.equal(body.id, null);
      assert.match(body.error.message, reason);
      const line = logs.find((l) => l.msg === 'authorization refused');
      assert.ok(line, JSON.stringify(logs));
      assert.equal(line.status, status);
      assert.equal(line.server, 'alpha');
      if (sent) for (const l of logs) assert.ok(!JSON.stringify(l).includes(sent.split('.')[2] || sent), 'a log line carries the token');
    }

    it('a valid token lists tools and calls one; the server sees no difference but the token', async () => {
      const t = await good();
      const list = await send('/alpha/mcp', bearer(t));
      assert.equal(list.status, 200);
      assert.deepEqual((await rpcBody(list)).result.tools.map((x: any) => x.name).sort(), ['admin', 'hello']);
      const call = await send('/alpha/mcp', bearer(t), callTool('hello'));
      assert.deepEqual((await rpcBody(call)).result.structuredContent, { greeting: 'hello' });
    });

    it('/healthz needs no token', async () => {
      const res = await request(`${running.url}/alpha/healthz`);
      assert.equal(res.status, 200);
    });

    it('no token: 401 with the resource metadata and the scope, no error code', async () => {
      await refused(await send('/alpha/mcp', {}), 401, undefined, /no access token/);
    });

    it('a header that is not Bearer: 401 invalid_request', async () => {
      await refused(await send('/alpha/mcp', { authorization: 'Basic dXNlcjpwYXNz' }), 401, 'invalid_request', /not Bearer <token>/);
    });

    const cases: [string, () => Promise<string> | string, RegExp][] = [
      ['an expired token', () => token(key, { aud: resource, scope: `${PREFIX}/alpha`, exp: nowSeconds - 120 }), /expired/],
      ['a token not valid yet', () => token(key, { aud: resource, scope: `${PREFIX}/alpha`, nbf: nowSeconds + 600 }), /not valid yet/],
      ['a token from another issuer', () => token(key, { aud: resource, scope: `${PREFIX}/alpha`, iss: 'https://evil.example.test' }), /another issuer/],
      ['a token for another audience', () => token(key, { aud: 'https://elsewhere.example.test/mcp', scope: `${PREFIX}/alpha` }), /not issued for this resource/],
      ["a token for another server's resource", () => token(key, { aud: `${origin}/beta/mcp`, scope: `${PREFIX}/alpha` }), /not issued for this resource/],
      ['a token without an audience', () => token(key, { scope: `${PREFIX}/alpha` }), /no audience/],
      ['a token without an expiry', () => token(key, { aud: resource, scope: `${PREFIX}/alpha`, exp: undefined }), /no exp claim/],
      ['a forged signature', () => token(other, { aud: resource, scope: `${PREFIX}/alpha` }), /signature is invalid/],
      ['a token signed with an unknown key', async () => token(await makeKey('k9'), { aud: resource, scope: `${PREFIX}/alpha` }), /unknown key/],
      ['alg none', () => unsigned({ aud: resource, scope: `${PREFIX}/alpha` }), /algorithm/],
      ['HS256', () => hmacToken('k1', 'k1', { aud: resource, scope: `${PREFIX}/alpha` }), /algorithm/],
      ['an opaque token', () => 'opaque-0123456789abcdef', /not a signed JWT/],
      ['an ID token', () => token(key, { aud: resource, scope: `${PREFIX}/alpha`, token_use: 'id' }), /not an access token/],
    ];
    for (const [what, make, reason] of cases) {
      it(`${what}: 401 invalid_token`, async () => {
        const t = await make();
        await refused(await send('/alpha/mcp', bearer(t)), 401, 'invalid_token', reason, t);
      });
    }

    it("a token without the server's scope: 403 insufficient_scope", async () => {
      const t = await token(key, { aud: resource, scope: `${PREFIX}/beta` });
      await refused(await send('/alpha/mcp', bearer(t)), 403, 'insufficient_scope', new RegExp(`lacks the scope ${PREFIX}/alpha`), t);
    });

    it("a tool's own scope missing: 403 insufficient_scope naming it, before the tool runs; with it, the tool runs", async () => {
      const t = await good();
      for (const body of [callTool('admin')]) {
        const res = await send('/alpha/mcp', bearer(t), body);
        assert.equal(res.status, 403, await res.clone().text());
        const c = challengeOf(res);
        assert.equal(c.error, 'insufficient_scope');
        assert.equal(c.scope, `${PREFIX}/admin`);
        assert.equal(c.resource_metadata, `${origin}/.well-known/oauth-protected-resource/alpha/mcp`);
      }
      const admin = await token(key, { aud: resource, scope: `${PREFIX}/alpha ${PREFIX}/admin` });
      const ok = await send('/alpha/mcp', bearer(admin), callTool('admin'));
      assert.deepEqual((await rpcBody(ok)).result.structuredContent, { ok: true });
    });

    it('a 2025-era client is held to the same tool scope', async () => {
      const t = await good();
      const res = await send('/alpha/mcp', { ...bearer(t), 'mcp-protocol-version': '2025-11-25' }, callTool('admin'));
      assert.equal(res.status, 403);
      assert.equal(challengeOf(res).scope, `${PREFIX}/admin`);
      const init = await send('/alpha/mcp', bearer(t), INIT);
      assert.equal(init.status, 200);
    });

    it('Protected Resource Metadata names the URL the client used, the authorization server and the scope', async () => {
      const res = await request(`${running.url}/.well-known/oauth-protected-resource/alpha/mcp`);
      assert.equal(res.status, 200);
      assert.deepEqual(await json(res), {
        resource,
        authorization_servers: [ISSUER],
        scopes_supported: [`${PREFIX}/alpha`],
        bearer_methods_supported: ['header'],
        resource_name: 'Alpha',
      });
      const alias = await request(`${running.url}/.well-known/oauth-protected-resource/mcp`);
      assert.equal((await json(alias)).resource, `${origin}/mcp`);
    });

    it('a token bound to the /mcp alias is accepted there', async () => {
      const t = await token(key, { aud: `${origin}/mcp`, scope: `${PREFIX}/alpha` });
      assert.equal((await send('/mcp', bearer(t))).status, 200);
    });
  });
}

describe('authorization: the issuer unavailable fails closed', function () {
  this.timeout(30_000);
  for (const place of PLACES) {
    for (const [what, setup] of [
      ['its JWKS answers 500', async (j: JwksServer) => ((j.status = 500), j.url)],
      ['its JWKS refuses connections', async () => deadUrl()],
    ] as const) {
      it(`${place.name}: ${what} → 503 with Retry-After, never the tool`, async () => {
        const key = await makeKey('k1');
        const jwks = await serveJwks([key]);
        const { logger, lines } = capture();
        const jwksUrl = await setup(jwks);
        const running = await place.start(createAuthGate(settings({ mode: 'oidc', jwksUrl }), { logger, now: () => NOW }), logger);
        try {
          const resource = `${place.origin(running)}/alpha/mcp`;
          const t = await token(key, { aud: resource, scope: `${PREFIX}/alpha` });
          const res = await request(`${running.url}/alpha/mcp`, { method: 'POST', headers: { ...MCP_HEADERS, authorization: `Bearer ${t}` }, body: JSON.stringify(LIST) });
          assert.equal(res.status, 503);
          assert.equal(res.headers.get('retry-after'), '5');
          assert.equal(challengeOf(res).error, 'temporarily_unavailable');
          assert.match((await json(res)).error.message, /keys cannot be fetched/);
          assert.ok(lines.some((l) => l.msg === 'authorization unavailable'));
          // It keeps serving: once the keys are back, the same token is accepted.
          if (jwks.status) {
            delete jwks.status;
            const again = await request(`${running.url}/alpha/mcp`, { method: 'POST', headers: { ...MCP_HEADERS, authorization: `Bearer ${t}` }, body: JSON.stringify(LIST) });
            assert.equal(again.status, 200);
          }
        } finally {
          await running.close();
          await jwks.close();
        }
      });
    }
  }
});

describe('authorization with Cognito (tokens without an audience)', function () {
  this.timeout(30_000);
  let key: Key;
  let jwks: JwksServer;
  let running: Running;
  const METADATA = 'https://mcp.example.test';
  const LOGIN = 'https://mcp-test.auth.eu-west-1.amazoncognito.com';
  before(async () => {
    key = await makeKey('c1');
    jwks = await serveJwks([key]);
    const s = settings({
      mode: 'cognito',
      jwksUrl: jwks.url,
      clientIds: ['public-client', 'machine-client'],
      metadataIssuer: METADATA,
      loginUrl: LOGIN,
      algorithms: ['RS256'],
      registration: 'shared',
      publicClientId: 'public-client',
      callbackUrls: ['http://localhost:3334/oauth/callback'],
    });
    const logger = pino({ level: 'silent' });
    running = await listen(createFrontDoor(servers(), { auth: createAuthGate(s, { logger, now: () => NOW }), logger, responseMode: 'json' }, 'alpha'));
  });
  after(async () => {
    await running.close();
    await jwks.close();
  });
  const send = (t: string) =>
    request(`${running.url}/alpha/mcp`, { method: 'POST', headers: { ...MCP_HEADERS, authorization: `Bearer ${t}` }, body: JSON.stringify(LIST) });
  const access = (claims: Record<string, unknown>) => token(key, { token_use: 'access', client_id: 'machine-client', scope: `${PREFIX}/alpha`, ...claims });

  it("an access token of one of the stack's clients with the server's scope is accepted", async () => {
    assert.equal((await send(await access({}))).status, 200);
  });
  for (const [what, claims, status, reason] of [
    ['another app client', { client_id: 'someone-else' }, 401, /client this server does not accept/],
    ['an ID token', { token_use: 'id', aud: 'public-client' }, 401, /not issued for this resource|not an access token/],
    ["another server's scope", { scope: `${PREFIX}/beta` }, 403, /lacks the scope/],
    ['an RS512 signature', {}, 401, /algorithm/],
  ] as const) {
    it(`${what}: ${status}`, async () => {
      const t = what === 'an RS512 signature' ? await token(await makeKey('c1', 'RS512'), { token_use: 'access', client_id: 'machine-client' }) : await access(claims);
      const res = await send(t);
      assert.equal(res.status, status);
      assert.match((await json(res)).error.message, reason);
    });
  }

  it('the published authorization-server metadata: issuer = the origin serving it, PKCE S256, the login domain, registration', async () => {
    const res = await request(`${running.url}/.well-known/oauth-authorization-server`);
    assert.equal(res.status, 200);
    const doc = await json(res);
    assert.equal(doc.issuer, METADATA);
    assert.deepEqual(doc.code_challenge_methods_supported, ['S256']);
    assert.equal(doc.authorization_endpoint, `${LOGIN}/oauth2/authorize`);
    assert.equal(doc.token_endpoint, `${LOGIN}/oauth2/token`);
    assert.equal(doc.registration_endpoint, `${METADATA}/oauth/register`);
    const prm = await json(await request(`${running.url}/.well-known/oauth-protected-resource/alpha/mcp`));
    assert.deepEqual(prm.authorization_servers, [METADATA]);
  });

  it('client registration hands out the public client for a known callback, and refuses another', async () => {
    const ok = await request(`${running.url}/oauth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ redirect_uris: ['http://localhost:3334/oauth/callback'], token_endpoint_auth_method: 'none' }),
    });
    assert.equal(ok.status, 201);
    assert.equal((await json(ok)).client_id, 'public-client');
    const no = await request(`${running.url}/oauth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ redirect_uris: ['http://localhost:9999/cb'] }),
    });
    assert.equal(no.status, 400);
    assert.equal((await json(no)).error, 'invalid_redirect_uri');
  });
});
