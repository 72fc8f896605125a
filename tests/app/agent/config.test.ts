import { strict as assert } from 'node:assert';
import { agentGuardFromEnv, readAgentEnv } from '../../../app/agent/config';
import { agentFromEnv } from '../../../app/agent/main';
import { createApp, LOOPBACK_HOSTS } from '../../../app/createApp';
import { allTools } from '../testServers';
import { MAX_TEXT_LENGTH } from '../../../app/servers/text/tools/analyzeText';
import { json, listen, request, silentLogger } from '../../helpers/http';

const base = { MCP_SERVERS: 'http://127.0.0.1:3000/mcp' };

describe('agent environment', () => {
  it('caps server answers at 4 MiB unless MAX_RESPONSE_BYTES says otherwise, and refuses a cap that is not a number', () => {
    assert.equal(readAgentEnv(base).MAX_RESPONSE_BYTES, 4 * 1024 * 1024);
    assert.equal(readAgentEnv({ ...base, MAX_RESPONSE_BYTES: '65536' }).MAX_RESPONSE_BYTES, 65536);
    assert.throws(() => readAgentEnv({ ...base, MAX_RESPONSE_BYTES: 'lots' }), /MAX_RESPONSE_BYTES/);
  });

  it('MCP_SERVERS: name=url items, or bare URLs named by their /<name>/mcp path, else by their host', () => {
    const env = readAgentEnv({ MCP_SERVERS: 'cost=http://127.0.0.1:3000/cost/mcp, text=http://127.0.0.1:3000/text/mcp,http://127.0.0.1:3000/geo/mcp,https://mcp.example.com/mcp,http://h.example/a/mcp?x=1' });
    assert.deepEqual(env.MCP_SERVERS, [
      { server: 'cost', url: 'http://127.0.0.1:3000/cost/mcp' },
      { server: 'text', url: 'http://127.0.0.1:3000/text/mcp' },
      { server: 'geo', url: 'http://127.0.0.1:3000/geo/mcp' },
      { server: 'mcp.example.com', url: 'https://mcp.example.com/mcp' },
      { server: 'a', url: 'http://h.example/a/mcp?x=1' },
    ]);
    // A path segment that is no server name (reserved, or not one): the host.
    assert.deepEqual(readAgentEnv({ MCP_SERVERS: 'http://h.example/tools/mcp,http://h.example/Big/mcp' }).MCP_SERVERS!.map((s) => s.server), ['h.example', 'h.example']);
  });

  it('MCP_SERVERS: an item that is not name=url or a URL, a bad name, a non-http URL: one error naming each', () => {
    assert.throws(
      () => readAgentEnv({ MCP_SERVERS: 'cost=not a url,Bad_Name=http://127.0.0.1/mcp,ftp://h.example/mcp,mcp=http://127.0.0.1/mcp' }),
      (err: Error) => {
        assert.match(err.message, /MCP_SERVERS: "cost=not a url" is not name=url or an http\(s\) URL/);
        assert.match(err.message, /MCP_SERVERS: "Bad_Name=http:\/\/127\.0\.0\.1\/mcp": the server name "Bad_Name" must be 1 to 20 lowercase/);
        assert.match(err.message, /MCP_SERVERS: "ftp:\/\/h\.example\/mcp": the URL must be http\(s\)/);
        assert.match(err.message, /MCP_SERVERS: "mcp=http:\/\/127\.0\.0\.1\/mcp": the server name "mcp" is reserved/);
        return true;
      },
    );
  });

  it('Cloud Map: the namespace with its id (every service) or with one service; the namespace alone is refused', () => {
    const byId = readAgentEnv({ CLOUD_MAP_NAMESPACE: 'dev.mcp-on-aws.local', CLOUD_MAP_NAMESPACE_ID: 'ns-abc' });
    assert.equal(byId.CLOUD_MAP_NAMESPACE_ID, 'ns-abc');
    assert.equal(byId.CLOUD_MAP_SERVICE, undefined);
    assert.equal(readAgentEnv({ CLOUD_MAP_NAMESPACE: 'dev.mcp-on-aws.local', CLOUD_MAP_SERVICE: 'mcp-server' }).CLOUD_MAP_SERVICE, 'mcp-server');
    assert.throws(() => readAgentEnv({ CLOUD_MAP_NAMESPACE: 'dev.mcp-on-aws.local' }), /CLOUD_MAP_NAMESPACE_ID: set CLOUD_MAP_NAMESPACE_ID .* or CLOUD_MAP_SERVICE/);
    assert.throws(() => readAgentEnv({}), /MCP_SERVERS: set MCP_SERVERS \(comma-separated name=url items\) or CLOUD_MAP_NAMESPACE and CLOUD_MAP_NAMESPACE_ID/);
  });

  it('Host allow-list as the server’s: loopback names when bound to loopback, any Host elsewhere, ALLOWED_HOSTS, * for any', () => {
    const env = (extra: Record<string, string> = {}) => readAgentEnv({ ...base, ...extra });
    assert.deepEqual(agentGuardFromEnv(env(), '127.0.0.1'), { allowedHosts: LOOPBACK_HOSTS, allowedOrigins: [] });
    assert.deepEqual(agentGuardFromEnv(env(), '::1').allowedHosts, LOOPBACK_HOSTS);
    assert.equal(agentGuardFromEnv(env(), '0.0.0.0').allowedHosts, undefined);
    assert.equal(agentGuardFromEnv(env()).allowedHosts, undefined, 'on Lambda: no listen address');
    assert.deepEqual(agentGuardFromEnv(env({ ALLOWED_HOSTS: 'agent.mcp, agent' }), '0.0.0.0').allowedHosts, ['agent.mcp', 'agent']);
    assert.equal(agentGuardFromEnv(env({ ALLOWED_HOSTS: '*' }), '127.0.0.1').allowedHosts, undefined);
    assert.deepEqual(agentGuardFromEnv(env({ ALLOWED_ORIGINS: 'https://a.example' })).allowedOrigins, ['https://a.example']);
  });

  it('an agent started from the environment on loopback refuses a rebound Host but answers its probe', async () => {
    const agent = await listen(agentFromEnv(readAgentEnv(base), silentLogger, undefined, '127.0.0.1'));
    try {
      const rebound = await request(`${agent.url}/servers`, { headers: { host: 'attacker.example' } });
      assert.equal(rebound.status, 403);
      assert.equal((await request(`${agent.url}/servers`)).status, 200);
      assert.equal((await request(`${agent.url}/healthz`, { headers: { host: 'attacker.example' } })).status, 200);
    } finally {
      await agent.close();
    }
  });

  it('passes on any tool call a server takes: the longest analyze_text text, at its longest JSON form', async () => {
    const server = await listen(createApp(allTools, { allowedHosts: LOOPBACK_HOSTS, logger: silentLogger }));
    const agent = await listen(agentFromEnv(readAgentEnv({ MCP_SERVERS: `${server.url}/mcp` }), silentLogger, undefined, '127.0.0.1'));
    try {
      // A control character is six bytes in JSON (\u0001): the largest body this text can make.
      const body = JSON.stringify({ text: '\u0001'.repeat(MAX_TEXT_LENGTH) });
      const res = await request(`${agent.url}/tools/analyze_text/call`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      assert.equal(res.status, 200);
      assert.equal((await json(res)).result.structuredContent.characters, MAX_TEXT_LENGTH);
    } finally {
      await agent.close();
      await server.close();
    }
  });
});
