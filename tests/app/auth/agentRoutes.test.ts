// The container agents' own routes need a token with the agent's scope; /healthz stays open.
import { strict as assert } from 'node:assert';
import pino from 'pino';
import { createAgentApp } from '../../../app/agent/createAgentApp';
import { McpServers } from '../../../app/agent/servers';
import { createAuthGate } from '../../../app/auth/gate';
import { json, listen, request, type Running } from '../../helpers/http';
import { makeKey, NOW, PREFIX, serveJwks, settings, token, type JwksServer, type Key } from './fixtures';

describe('the agent’s routes with authorization on (containers, npm start)', function () {
  this.timeout(30_000);
  let key: Key;
  let jwks: JwksServer;
  let running: Running;
  let origin: string;
  before(async () => {
    key = await makeKey('a1');
    jwks = await serveJwks([key]);
    const logger = pino({ level: 'silent' });
    const servers = new McpServers({ resolver: { source: 'test', resolve: async () => [], invalidate: () => undefined }, logger });
    running = await listen(createAgentApp({ servers, logger, auth: createAuthGate(settings({ mode: 'local', jwksUrl: jwks.url }), { logger, now: () => NOW }) }));
    origin = `http://127.0.0.1:${running.port}`;
  });
  after(async () => {
    await running.close();
    await jwks.close();
  });

  it('/healthz is open', async () => {
    assert.equal((await request(`${running.url}/healthz`)).status, 200);
  });

  it('no token: 401 naming its metadata and the agent scope; the metadata is served', async () => {
    const res = await request(`${running.url}/tools`);
    assert.equal(res.status, 401);
    assert.equal(res.headers.get('www-authenticate'), `Bearer scope="${PREFIX}/agent", resource_metadata="${origin}/.well-known/oauth-protected-resource"`);
    const prm = await json(await request(`${running.url}/.well-known/oauth-protected-resource`));
    assert.equal(prm.resource, origin);
    assert.deepEqual(prm.scopes_supported, [`${PREFIX}/agent`]);
  });

  it("a server's token is refused (403); a token for the agent with its scope lists the tools", async () => {
    const serverToken = await token(key, { aud: origin, scope: `${PREFIX}/cost` });
    assert.equal((await request(`${running.url}/tools`, { headers: { authorization: `Bearer ${serverToken}` } })).status, 403);
    const agentToken = await token(key, { aud: origin, scope: `${PREFIX}/agent` });
    const ok = await request(`${running.url}/tools`, { headers: { authorization: `Bearer ${agentToken}` } });
    assert.equal(ok.status, 200);
    assert.deepEqual((await json(ok)).tools, []);
  });
});
