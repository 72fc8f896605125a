import { strict as assert } from 'node:assert';
import { createAgentApp } from '../../../app/agent/createAgentApp';
import { StaticResolver } from '../../../app/agent/resolver';
import { McpServers } from '../../../app/agent/servers';
import { ResponseTooLargeError } from '../../../app/agent/upstream';
import { json, listen, request, silentLogger } from '../../helpers/http';
import { failingApp, legacyApp, modernApp, recordingServer, type McpApp, type RecordingServer } from './recordingServer';

const MODERN = '2026-07-28';
/** The revision the v1 SDK's server answers initialize with (its latest). */
const LEGACY = '2025-11-25';

const ERA_TTL_MS = 10 * 60_000;

/** An agent's view of one server at `server.url`, on a clock the test moves. */
function serversFor(server: RecordingServer, clock = { now: 0 }, maxResponseBytes?: number) {
  return new McpServers({
    resolver: new StaticResolver([server.url]),
    timeoutMs: 10_000,
    ...(maxResponseBytes ? { maxResponseBytes } : {}),
    toolsTtlMs: 60 * 60_000,
    eraTtlMs: ERA_TTL_MS,
    now: () => clock.now,
    logger: silentLogger,
  });
}

async function withServer(app: McpApp, test: (server: RecordingServer) => Promise<void>): Promise<void> {
  const server = await recordingServer(app);
  try {
    await test(server);
  } finally {
    await server.close();
  }
}

const textOf = (result: { content: unknown }) => (result.content as { type: string; text: string }[])[0]!.text;

describe('agent protocol revisions (MCP 2026-07-28 and 2025)', () => {
  it('speaks 2026-07-28 to a server that offers it: asked once with server/discover, then every request carries its headers, and none is initialize', () =>
    withServer(modernApp(), async (server) => {
      const agent = await listen(createAgentApp({ servers: serversFor(server), logger: silentLogger }));
      try {
        const tools = await json(await request(`${agent.url}/tools`));
        assert.deepEqual(tools.tools.map((t: any) => t.name), ['big', 'echo', 'regional']);
        const res = await request(`${agent.url}/tools/echo/call`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"text":"hi"}' });
        assert.equal(res.status, 200);
        assert.equal(textOf((await json(res)).result), 'hi (modern)');
        assert.deepEqual(server.requests, [
          { method: 'server/discover', protocolVersion: MODERN, mcpMethod: 'server/discover' },
          { method: 'tools/list', protocolVersion: MODERN, mcpMethod: 'tools/list' },
          // The second operation adopts what the first discovered: no probe.
          { method: 'tools/call', protocolVersion: MODERN, mcpMethod: 'tools/call', mcpName: 'echo' },
        ]);
      } finally {
        await agent.close();
      }
    }));

  it('falls back to 2025 once against a 2025-only server, then goes straight to its revision', () =>
    withServer(legacyApp(), async (server) => {
      const servers = serversFor(server);
      await servers.tools();
      assert.deepEqual(servers.negotiated(server.url), { era: 'legacy', protocolVersion: LEGACY });
      const outcome = await servers.callTool('echo', { text: 'hi' });
      assert.equal(textOf(outcome.result), 'hi (legacy)');
      assert.deepEqual(server.requests, [
        // The probe is refused (HTTP 400): the one extra request.
        { method: 'server/discover', protocolVersion: MODERN, mcpMethod: 'server/discover' },
        { method: 'initialize' },
        { method: 'notifications/initialized', protocolVersion: LEGACY },
        { method: 'tools/list', protocolVersion: LEGACY },
        // The next operation: the 2025 handshake at once, no 2026-07-28 header.
        { method: 'initialize' },
        { method: 'notifications/initialized', protocolVersion: LEGACY },
        { method: 'tools/call', protocolVersion: LEGACY },
      ]);
    }));

  it('asks again once eraTtlMs has passed: a server upgraded meanwhile is then spoken to in 2026-07-28', () =>
    withServer(legacyApp(), async (server) => {
      const clock = { now: 0 };
      const servers = serversFor(server, clock);
      await servers.tools();
      await server.redeploy(modernApp());
      // Within eraTtlMs the remembered 2025 revision is used: the upgraded server still serves it.
      clock.now = ERA_TTL_MS - 1;
      assert.equal(textOf((await servers.callTool('echo', { text: 'a' })).result), 'a (legacy)');
      clock.now = ERA_TTL_MS;
      server.requests.length = 0;
      assert.equal(textOf((await servers.callTool('echo', { text: 'b' })).result), 'b (modern)');
      assert.deepEqual(server.requests.map((r) => [r.method, r.protocolVersion]), [
        ['server/discover', MODERN],
        ['tools/call', MODERN],
      ]);
      assert.deepEqual(servers.negotiated(server.url), { era: 'modern', protocolVersion: MODERN });
    }));

  it('a server redeployed without 2026-07-28: the call that finds out is made again with the 2025 handshake, and answers', () =>
    withServer(modernApp(), async (server) => {
      const servers = serversFor(server);
      await servers.tools();
      assert.deepEqual(servers.negotiated(server.url), { era: 'modern', protocolVersion: MODERN });
      await server.redeploy(legacyApp());
      server.requests.length = 0;
      const outcome = await servers.callTool('echo', { text: 'hi' });
      assert.equal(textOf(outcome.result), 'hi (legacy)');
      assert.deepEqual(server.requests.map((r) => [r.method, r.protocolVersion]), [
        // Refused with HTTP 400 before it ran.
        ['tools/call', MODERN],
        ['server/discover', MODERN],
        ['initialize', undefined],
        ['notifications/initialized', LEGACY],
        ['tools/call', LEGACY],
      ]);
      assert.deepEqual(servers.negotiated(server.url), { era: 'legacy', protocolVersion: LEGACY });
    }));

  it('an endpoint that fails is asked again the next time: what it spoke is forgotten', () =>
    withServer(modernApp(), async (server) => {
      const servers = serversFor(server);
      await servers.tools();
      await server.redeploy(failingApp());
      await assert.rejects(servers.callTool('echo', { text: 'a' }), /answered HTTP 500/);
      assert.equal(servers.negotiated(server.url), undefined);
      await server.redeploy(modernApp());
      server.requests.length = 0;
      assert.equal(textOf((await servers.callTool('echo', { text: 'b' })).result), 'b (modern)');
      assert.deepEqual(server.requests.map((r) => r.method), ['server/discover', 'tools/call']);
    }));

  it('2026-07-28 answers are read up to maxResponseBytes too', () =>
    withServer(modernApp(), async (server) => {
      const servers = serversFor(server, { now: 0 }, 64 * 1024);
      assert.equal(textOf((await servers.callTool('big', { bytes: 1000 })).result).length, 1000);
      assert.deepEqual(servers.negotiated(server.url)?.era, 'modern');
      await assert.rejects(servers.callTool('big', { bytes: 100 * 1024 }), (err: unknown) => err instanceof ResponseTooLargeError && err.limit === 64 * 1024);
    }));

  it('a tool that asks for an argument in an Mcp-Param header gets it from the listed definition, in one request', () =>
    withServer(modernApp(), async (server) => {
      const servers = serversFor(server);
      await servers.tools();
      server.requests.length = 0;
      assert.equal(textOf((await servers.callTool('regional', { region: 'eu-west-1' })).result), 'eu-west-1 (header eu-west-1)');
      assert.deepEqual(server.requests.map((r) => r.method), ['tools/call']);
    }));
});
