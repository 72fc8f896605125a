import { strict as assert } from 'node:assert';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { createApp, LOOPBACK_HOSTS, type ResponseMode } from '../../app/createApp';
import { PRICES_URI } from '../../app/servers/cost/resources/prices';
import { connectClient, listen, MCP_HEADERS, request, silentLogger, type Running } from '../helpers/http';
import { postModern } from './modernWire';
import { cost, text } from './testServers';

for (const responseMode of ['sse', 'json'] as ResponseMode[]) {
  describe(`MCP over Streamable HTTP (${responseMode} responses)`, () => {
    // Each server alone, as a process with MCP_SERVER serves it; the clients use the servers' own paths.
    let running: Running;
    let runningText: Running;
    let client: Client;
    let textClient: Client;

    before(async () => {
      running = await listen(createApp(cost, { responseMode, allowedHosts: LOOPBACK_HOSTS, logger: silentLogger }));
      runningText = await listen(createApp(text, { responseMode, allowedHosts: LOOPBACK_HOSTS, logger: silentLogger }));
      client = await connectClient(`${running.url}/cost/mcp`);
      textClient = await connectClient(`${runningText.url}/text/mcp`);
    });
    after(async () => {
      await client.close();
      await textClient.close();
      await running.close();
      await runningText.close();
    });

    it('initializes with the server name, version, instructions and capabilities', () => {
      assert.equal(client.getServerVersion()?.name, 'mcp-on-aws-cost');
      assert.equal(client.getInstructions(), cost.definition.instructions);
      const caps = client.getServerCapabilities();
      assert.ok(caps?.tools && caps.resources && caps.prompts);
      assert.equal(textClient.getServerVersion()?.name, 'mcp-on-aws-text');
      assert.equal(textClient.getInstructions(), text.definition.instructions);
    });

    it("each server lists only its own tools, resources and prompts", async () => {
      assert.deepEqual((await client.listTools()).tools.map((t) => t.name), ['estimate_hosting_cost']);
      assert.deepEqual((await client.listResources()).resources.map((r) => r.uri), [PRICES_URI]);
      assert.deepEqual((await client.listPrompts()).prompts.map((p) => p.name), ['choose_target']);
      assert.deepEqual((await textClient.listTools()).tools.map((t) => t.name), ['analyze_text']);
      const caps = textClient.getServerCapabilities();
      assert.equal(caps?.resources, undefined, 'text has no resources');
      assert.equal(caps?.prompts, undefined, 'text has no prompts');
    });

    it('answers /mcp as it answers /<name>/mcp', async () => {
      const list = (path: string) =>
        fetch(`${running.url}${path}`, { method: 'POST', headers: MCP_HEADERS, body: JSON.stringify({ jsonrpc: '2.0', id: 3, method: 'tools/list' }) });
      const [own, root] = await Promise.all([list('/cost/mcp'), list('/mcp')]);
      assert.equal(own.status, 200);
      assert.equal(root.status, 200);
      assert.equal(await root.text(), await own.text());
      const other = await fetch(`${running.url}/text/mcp`, { method: 'POST', headers: MCP_HEADERS, body: '{}' });
      assert.equal(other.status, 404, "another server's path is not served");
      assert.match(((await other.json()) as { error: string }).error, /POST \/cost\/mcp/);
    });

    it(`answers POST /mcp with ${responseMode === 'json' ? 'application/json' : 'text/event-stream'}`, async () => {
      const res = await fetch(`${running.url}/mcp`, {
        method: 'POST',
        headers: MCP_HEADERS,
        body: JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'ping' }),
      });
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type')!, responseMode === 'json' ? /application\/json/ : /text\/event-stream/);
      assert.equal(res.headers.get('mcp-session-id'), null, 'stateless: no session id');
      await res.text();
    });

    it('lists both tools with input and output schemas', async () => {
      const tools = [...(await client.listTools()).tools, ...(await textClient.listTools()).tools];
      assert.deepEqual(tools.map((t) => t.name).sort(), ['analyze_text', 'estimate_hosting_cost']);
      for (const tool of tools) {
        assert.ok(tool.description && tool.description.length > 40, `${tool.name} has a description`);
        assert.equal(tool.inputSchema.type, 'object');
        assert.equal(tool.outputSchema?.type, 'object');
        assert.equal(tool.annotations?.readOnlyHint, true);
      }
      const cost = tools.find((t) => t.name === 'estimate_hosting_cost')!;
      assert.deepEqual(cost.inputSchema.required, ['requestsPerMonth', 'avgDurationMs']);
    });

    it('estimate_hosting_cost returns structured estimates for every target', async () => {
      const result = await client.callTool({
        name: 'estimate_hosting_cost',
        arguments: { requestsPerMonth: 1_000_000, avgDurationMs: 200 },
      });
      assert.equal(result.isError, undefined);
      const out = result.structuredContent as any;
      assert.equal(out.currency, 'USD');
      assert.equal(out.region, 'us-east-1');
      assert.deepEqual(out.estimates.map((e: any) => e.target), ['lambda', 'fargate', 'eks']);
      assert.equal(out.estimates[0].monthlyUsd, 2.87);
      assert.equal(out.cheapest, 'lambda');
      const text = (result.content as any[])[0].text;
      assert.deepEqual(JSON.parse(text), out, 'text content carries the same JSON');
    });

    it('estimate_hosting_cost estimates only the listed targets', async () => {
      const result = await client.callTool({
        name: 'estimate_hosting_cost',
        arguments: { requestsPerMonth: 0, avgDurationMs: 1, targets: ['eks', 'fargate'] },
      });
      const out = result.structuredContent as any;
      assert.deepEqual(out.estimates.map((e: any) => e.target), ['eks', 'fargate']);
      assert.equal(out.cheapest, 'fargate');
    });

    it('analyze_text counts words and sentences', async () => {
      const result = await textClient.callTool({ name: 'analyze_text', arguments: { text: 'One two. Three!' } });
      const out = result.structuredContent as any;
      assert.equal(out.words, 3);
      assert.equal(out.sentences, 2);
    });

    it('invalid tool arguments give a tool error result, and the server keeps serving', async () => {
      const bad = await client.callTool({
        name: 'estimate_hosting_cost',
        arguments: { requestsPerMonth: -5, avgDurationMs: 'fast', memoryMb: 64 },
      });
      assert.equal(bad.isError, true);
      const message = (bad.content as any[])[0].text as string;
      assert.match(message, /requestsPerMonth/);
      assert.match(message, /avgDurationMs/);
      assert.match(message, /memoryMb/);
      const missing = await textClient.callTool({ name: 'analyze_text', arguments: {} });
      assert.equal(missing.isError, true);
      const ok = await textClient.callTool({ name: 'analyze_text', arguments: { text: 'still here' } });
      assert.equal((ok.structuredContent as any).words, 2);
    });

    it('a Fargate CPU size too small for the memory is a tool error naming the sizes allowed', async () => {
      const bad = await client.callTool({
        name: 'estimate_hosting_cost',
        arguments: { requestsPerMonth: 1000, avgDurationMs: 100, memoryMb: 4096, fargateCpu: 256 },
      });
      assert.equal(bad.isError, true);
      assert.match((bad.content as any[])[0].text, /256 CPU units/);
      const wrong = await client.callTool({
        name: 'estimate_hosting_cost',
        arguments: { requestsPerMonth: 1000, avgDurationMs: 100, fargateCpu: 300 },
      });
      assert.equal(wrong.isError, true);
    });

    it('an unknown tool is an error, not a crash', async () => {
      const result = await client.callTool({ name: 'no_such_tool', arguments: {} }).catch((e: Error) => e);
      if (result instanceof Error) assert.match(result.message, /no_such_tool/);
      else assert.equal(result.isError, true);
    });

    it('serves the price table as a JSON resource', async () => {
      const { resources } = await client.listResources();
      assert.deepEqual(resources.map((r) => r.uri), [PRICES_URI]);
      const read = await client.readResource({ uri: PRICES_URI });
      const content = read.contents[0] as { mimeType: string; text: string };
      assert.equal(content.mimeType, 'application/json');
      const prices = JSON.parse(content.text);
      assert.equal(prices.region, 'us-east-1');
      assert.equal(prices.lambda.gbSecondArm64, '0.0000133334');
    });

    it('offers the choose_target prompt with the workload in it', async () => {
      const { prompts } = await client.listPrompts();
      const prompt = prompts.find((p) => p.name === 'choose_target');
      assert.ok(prompt);
      assert.deepEqual(prompt.arguments?.map((a) => [a.name, a.required]), [
        ['workload', true],
        ['budgetUsd', false],
      ]);
      const got = await client.getPrompt({ name: 'choose_target', arguments: { workload: '5M calls, 2 s each', budgetUsd: '100' } });
      const text = (got.messages[0]!.content as { text: string }).text;
      assert.match(text, /5M calls, 2 s each/);
      assert.match(text, /Monthly budget: 100 USD/);
      assert.match(text, /estimate_hosting_cost/);
    });
  });
}

describe('the Connection header of SSE responses', () => {
  let draining = false;
  let running: Running;
  before(async () => {
    running = await listen(createApp(cost, { responseMode: 'sse', allowedHosts: LOOPBACK_HOSTS, logger: silentLogger, isDraining: () => draining }));
  });
  after(() => running.close());
  afterEach(() => {
    draining = false;
  });

  const ping = (headers: Record<string, string> = {}) =>
    request(`${running.url}/mcp`, { method: 'POST', headers: { ...MCP_HEADERS, ...headers }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' }) });

  it('keep-alive when the client keeps the connection', async () => {
    const res = await ping({ connection: 'keep-alive' });
    assert.match(res.headers.get('content-type')!, /text\/event-stream/);
    assert.equal(res.headers.get('connection'), 'keep-alive');
    await res.text();
  });

  it('close when the client asked for close', async () => {
    const res = await ping({ connection: 'close' });
    assert.match(res.headers.get('content-type')!, /text\/event-stream/);
    assert.equal(res.headers.get('connection'), 'close');
    await res.text();
  });

  it('close while the server drains, for a 2026-07-28 request (answered JSON) too', async () => {
    draining = true;
    const res = await postModern(`${running.url}/mcp`, 2, 'tools/list', {}, { headers: { connection: 'keep-alive' } });
    assert.equal(res.headers.get('connection'), 'close');
    await res.text();
  });

  it('close while the server drains', async () => {
    draining = true;
    const res = await ping({ connection: 'keep-alive' });
    assert.match(res.headers.get('content-type')!, /text\/event-stream/);
    assert.equal(res.headers.get('connection'), 'close');
    await res.text();
  });
});
