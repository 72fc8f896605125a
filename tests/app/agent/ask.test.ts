import { strict as assert } from 'node:assert';
import { BedrockRuntimeClient, ConverseCommand, type ConverseCommandOutput } from '@aws-sdk/client-bedrock-runtime';
import { mockClient } from 'aws-sdk-client-mock';
import { createAgentApp } from '../../../app/agent/createAgentApp';
import { StaticResolver } from '../../../app/agent/resolver';
import { McpServers } from '../../../app/agent/servers';
import { createApp, LOOPBACK_HOSTS } from '../../../app/createApp';
import { allTools } from '../testServers';
import { json, listen, request, silentLogger, type Running } from '../../helpers/http';
import { namedServer, type FakeServer } from './fakeServer';

const bedrockMock = mockClient(BedrockRuntimeClient);
const MODEL = 'us.anthropic.claude-sonnet-4-5-20250929-v1:0';

const toolUse = (id: string, name: string, input: unknown): ConverseCommandOutput => ({
  $metadata: {},
  stopReason: 'tool_use',
  output: { message: { role: 'assistant', content: [{ text: 'Let me check.' }, { toolUse: { toolUseId: id, name, input: input as never } }] } },
  usage: { inputTokens: 100, outputTokens: 20, totalTokens: 120 },
  metrics: { latencyMs: 300 },
});
const final = (text: string): ConverseCommandOutput => ({
  $metadata: {},
  stopReason: 'end_turn',
  output: { message: { role: 'assistant', content: [{ text }] } },
  usage: { inputTokens: 200, outputTokens: 40, totalTokens: 240 },
  metrics: { latencyMs: 400 },
});

describe('POST /ask with a Bedrock model (scripted Converse responses)', () => {
  let server: Running;
  let agent: Running;

  before(async () => {
    server = await listen(createApp(allTools, { allowedHosts: LOOPBACK_HOSTS, logger: silentLogger }));
    const servers = new McpServers({ resolver: new StaticResolver([`${server.url}/mcp`]), logger: silentLogger });
    agent = await listen(
      createAgentApp({ servers, logger: silentLogger, modelId: MODEL, bedrock: new BedrockRuntimeClient({ region: 'us-east-1' }), maxSteps: 3 }),
    );
  });
  after(async () => {
    await agent.close();
    await server.close();
  });
  beforeEach(() => bedrockMock.reset());

  const askFor = (body: unknown) =>
    request(`${agent.url}/ask`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  it('calls the tool the model asks for, returns its result to the model, and answers with the final text', async () => {
    bedrockMock
      .on(ConverseCommand)
      .resolvesOnce(toolUse('tu-1', 'estimate_hosting_cost', { requestsPerMonth: 1_000_000, avgDurationMs: 200 }))
      .resolvesOnce(final('Lambda costs about $2.87 a month for that workload.'));
    const res = await askFor({ prompt: 'What would 1M requests of 200 ms cost?' });
    assert.equal(res.status, 200);
    const body = await json(res);
    assert.equal(body.answer, 'Lambda costs about $2.87 a month for that workload.');
    assert.equal(body.stopReason, 'end_turn');
    assert.equal(body.steps, 2);
    assert.deepEqual(body.toolCalls, [{ tool: 'estimate_hosting_cost', server: '127.0.0.1', url: `${server.url}/mcp`, isError: false }]);

    const calls = bedrockMock.commandCalls(ConverseCommand);
    assert.equal(calls.length, 2);
    const first = calls[0]!.args[0].input;
    assert.equal(first.modelId, MODEL);
    const specs = first.toolConfig!.tools!.map((t) => t.toolSpec!);
    assert.deepEqual(specs.map((s) => s.name).sort(), ['analyze_text', 'estimate_hosting_cost']);
    assert.equal((specs[0]!.inputSchema!.json as any).type, 'object');
    assert.equal((specs[0]!.inputSchema!.json as any).$schema, undefined);
    // The second turn carries the tool's structured result back, tied to the model's toolUseId.
    const second = calls[1]!.args[0].input.messages!;
    const result = second[second.length - 1]!.content![0]!.toolResult!;
    assert.equal(result.toolUseId, 'tu-1');
    assert.equal(result.status, 'success');
    assert.equal((result.content![0] as any).json.estimates[0].monthlyUsd, 2.87);
  });

  it('sends a tool error back to the model as an error result', async () => {
    bedrockMock
      .on(ConverseCommand)
      .resolvesOnce(toolUse('tu-2', 'estimate_hosting_cost', { requestsPerMonth: -5 }))
      .resolvesOnce(final('The arguments were invalid.'));
    const body = await json(await askFor({ prompt: 'cost?' }));
    assert.deepEqual(body.toolCalls.map((c: any) => c.isError), [true]);
    const second = bedrockMock.commandCalls(ConverseCommand)[1]!.args[0].input.messages!;
    assert.equal(second[second.length - 1]!.content![0]!.toolResult!.status, 'error');
  });

  it('stops at the step limit even if the model keeps asking for tools', async () => {
    bedrockMock.on(ConverseCommand).resolves(toolUse('tu-loop', 'analyze_text', { text: 'again' }));
    const body = await json(await askFor({ prompt: 'loop forever', maxSteps: 2 }));
    assert.equal(body.stopReason, 'step_limit');
    assert.equal(body.steps, 2);
    assert.equal(bedrockMock.commandCalls(ConverseCommand).length, 2);
    assert.equal(body.toolCalls.length, 2);
  });

  it('tells the model when it asks for a tool no server offers', async () => {
    bedrockMock.on(ConverseCommand).resolvesOnce(toolUse('tu-3', 'make_coffee', {})).resolvesOnce(final('No coffee tool.'));
    const body = await json(await askFor({ prompt: 'coffee?' }));
    assert.equal(body.answer, 'No coffee tool.');
    const second = bedrockMock.commandCalls(ConverseCommand)[1]!.args[0].input.messages!;
    const result = second[second.length - 1]!.content![0]!.toolResult!;
    assert.equal(result.status, 'error');
    assert.match((result.content![0] as any).text, /No MCP server offers the tool "make_coffee"/);
  });

  it('refuses a body without a prompt with 400, and a Bedrock failure with 502', async () => {
    const bad = await askFor({ question: 'hi' });
    assert.equal(bad.status, 400);
    assert.match((await json(bad)).error, /prompt/);
    const denied = Object.assign(new Error('You don’t have access to the model'), { name: 'AccessDeniedException', $metadata: { httpStatusCode: 403 } });
    bedrockMock.on(ConverseCommand).rejects(denied);
    const res = await askFor({ prompt: 'hi' });
    assert.equal(res.status, 502);
    assert.match((await json(res)).error, /Bedrock: AccessDeniedException/);
  });
});

describe('POST /ask with two servers offering a tool named alike', () => {
  let cost: FakeServer;
  let text: FakeServer;
  let agent: Running;

  before(async () => {
    cost = await namedServer('cost', ['lookup', 'estimate.v2']);
    text = await namedServer('text', ['lookup']);
    // Bare URLs, named by their /<name>/mcp path.
    const servers = new McpServers({ resolver: new StaticResolver([cost.url, text.url]), logger: silentLogger, random: () => 0 });
    agent = await listen(createAgentApp({ servers, logger: silentLogger, modelId: MODEL, bedrock: new BedrockRuntimeClient({ region: 'us-east-1' }) }));
  });
  after(async () => {
    await agent.close();
    await cost.close();
    await text.close();
  });
  beforeEach(() => bedrockMock.reset());

  it('hands Bedrock the exposed names, and the model’s prefixed name reaches its server', async () => {
    bedrockMock
      .on(ConverseCommand)
      .resolvesOnce(toolUse('tu-t', 'text__lookup', { q: 'words' }))
      .resolvesOnce(toolUse('tu-c', 'estimate_v2', { q: 'price' }))
      .resolvesOnce(final('Done.'));
    const res = await request(`${agent.url}/ask`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ prompt: 'look it up' }) });
    assert.equal(res.status, 200);
    const body = await json(res);
    assert.deepEqual(body.toolCalls, [
      { tool: 'text__lookup', server: 'text', url: text.url, isError: false },
      { tool: 'estimate_v2', server: 'cost', url: cost.url, isError: false },
    ]);
    const calls = bedrockMock.commandCalls(ConverseCommand);
    const specs = calls[0]!.args[0].input.toolConfig!.tools!.map((t) => t.toolSpec!);
    assert.deepEqual(specs.map((s) => [s.name, s.description]), [
      ['cost__lookup', 'lookup of cost'],
      ['estimate_v2', 'estimate.v2 of cost'],
      ['text__lookup', 'lookup of text'],
    ]);
    // Each server ran the tool under its own name.
    const second = calls[1]!.args[0].input.messages!;
    assert.deepEqual((second[second.length - 1]!.content![0]!.toolResult!.content![0] as any).json, { server: 'text', tool: 'lookup', arguments: { q: 'words' } });
    const third = calls[2]!.args[0].input.messages!;
    assert.deepEqual((third[third.length - 1]!.content![0]!.toolResult!.content![0] as any).json, { server: 'cost', tool: 'estimate.v2', arguments: { q: 'price' } });
    assert.equal(cost.methods.filter((m) => m === 'tools/call').length, 1);
    assert.equal(text.methods.filter((m) => m === 'tools/call').length, 1);
  });
});
