import { strict as assert } from 'node:assert';
import { DiscoverInstancesCommand, ListServicesCommand, ServiceDiscoveryClient, type HttpInstanceSummary } from '@aws-sdk/client-servicediscovery';
import pino from 'pino';
import { readAgentEnv } from '../../../app/agent/config';
import { createAgentApp } from '../../../app/agent/createAgentApp';
import { resolverFromEnv } from '../../../app/agent/main';
import { CloudMapResolver, DiscoveryError, type McpEndpoint } from '../../../app/agent/resolver';
import { McpServers } from '../../../app/agent/servers';
import { endpointAttributes } from '../../../app/contract';
import { cloudMap } from '../../helpers/cloudMap';
import { json, listen, request, silentLogger, type Running } from '../../helpers/http';
import { namedServer, type FakeServer } from './fakeServer';

const NAMESPACE = 'dev.mcp-on-aws.local';
const NAMESPACE_ID = 'ns-4xmpl3n4m3sp4c3';

/** An endpoint instance as the program registers it (components/discovery.ts). */
const endpointInstance = (server: string, url: string, service = server): HttpInstanceSummary => ({
  InstanceId: 'lambda-endpoint',
  NamespaceName: NAMESPACE,
  ServiceName: service,
  HealthStatus: 'HEALTHY',
  Attributes: endpointAttributes({ server, url, target: 'lambda', primary: server === 'cost', version: '0.1.0', auth: 'cognito', authScope: `mcp-on-aws-dev/${server}` }),
});
/** A task as ECS registers it: no server name of its own. */
const ecsTask = (id: string, ip: string, service: string): HttpInstanceSummary => ({
  InstanceId: id,
  NamespaceName: NAMESPACE,
  ServiceName: service,
  HealthStatus: 'HEALTHY',
  Attributes: { AWS_INSTANCE_IPV4: ip, AWS_INSTANCE_PORT: '3000', ECS_SERVICE_NAME: 'fargate-cost' },
});

/** ListServices answers `names` for the namespace (one page); DiscoverInstances answers `instances` per service. */
function namespaceHolds(names: string[], instances: Record<string, HttpInstanceSummary[]>) {
  cloudMap
    .on(ListServicesCommand)
    .resolves({ Services: names.map((Name) => ({ Name, Id: `srv-${Name}` })) });
  for (const [ServiceName, list] of Object.entries(instances)) {
    cloudMap.on(DiscoverInstancesCommand, { ServiceName }).resolves({ Instances: list });
  }
}

function resolver(opts: { now?: () => number; logger?: pino.Logger; maxPages?: number } = {}) {
  return new CloudMapResolver({
    client: new ServiceDiscoveryClient({ region: 'us-east-1' }),
    namespaceName: NAMESPACE,
    namespaceId: NAMESPACE_ID,
    ttlMs: 30_000,
    logger: opts.logger ?? silentLogger,
    now: opts.now ?? (() => 0),
    ...(opts.maxPages ? { maxPages: opts.maxPages } : {}),
  });
}

const serversOf = (endpoints: McpEndpoint[]) => endpoints.map((e) => [e.server, e.id, e.url]);

const throttled = () => Object.assign(new Error('Rate exceeded'), { name: 'RequestLimitExceeded', $metadata: { httpStatusCode: 400 } });

describe('Cloud Map discovery of every server of the namespace', () => {
  beforeEach(() => cloudMap.reset());

  // What each endpoint says of its server's authorization, as its registration does; the URL tokens name.
  const AUTH = (server: string) => ({ auth: 'cognito', authScope: `mcp-on-aws-dev/${server}`, resource: `https://mcp.example.com/${server}/mcp` });

  it('lists the namespace’s services by its id, then asks each for its healthy instances', async () => {
    namespaceHolds(['mcp-server', 'text'], {
      'mcp-server': [endpointInstance('cost', 'https://mcp.example.com/cost/mcp', 'mcp-server')],
      text: [endpointInstance('text', 'https://mcp.example.com/text/mcp')],
    });
    const endpoints = await resolver().resolve();
    assert.deepEqual(endpoints, [
      { id: 'lambda-endpoint', url: 'https://mcp.example.com/cost/mcp', server: 'cost', direct: false, service: 'mcp-server', target: 'lambda', ...AUTH('cost') },
      { id: 'lambda-endpoint', url: 'https://mcp.example.com/text/mcp', server: 'text', direct: false, service: 'text', target: 'lambda', ...AUTH('text') },
    ]);
    assert.deepEqual(cloudMap.commandCalls(ListServicesCommand).map((c) => c.args[0].input), [
      { Filters: [{ Name: 'NAMESPACE_ID', Values: [NAMESPACE_ID], Condition: 'EQ' }], MaxResults: 100 },
    ]);
    assert.deepEqual(
      cloudMap
        .commandCalls(DiscoverInstancesCommand)
        .map((c) => c.args[0].input)
        .sort((a, b) => a.ServiceName!.localeCompare(b.ServiceName!)),
      [
        { NamespaceName: NAMESPACE, ServiceName: 'mcp-server', HealthStatus: 'HEALTHY', MaxResults: 100 },
        { NamespaceName: NAMESPACE, ServiceName: 'text', HealthStatus: 'HEALTHY', MaxResults: 100 },
      ],
    );
  });

  it('ECS tasks and the registered URL in one service: all of its server, the direct tasks first', async () => {
    // The primary's service keeps the stack's name (mcp-server); its endpoint says the server is cost.
    namespaceHolds(['mcp-server'], {
      'mcp-server': [
        endpointInstance('cost', 'https://mcp.example.com/cost/mcp', 'mcp-server'),
        ecsTask('task-a', '10.0.128.17', 'mcp-server'),
        ecsTask('task-b', '10.0.144.9', 'mcp-server'),
      ],
    });
    const endpoints = await resolver().resolve();
    assert.deepEqual(
      endpoints.map((e) => [e.server, e.id, e.url, e.direct]),
      [
        ['cost', 'task-a', 'http://10.0.128.17:3000/mcp', true],
        ['cost', 'task-b', 'http://10.0.144.9:3000/mcp', true],
        ['cost', 'lambda-endpoint', 'https://mcp.example.com/cost/mcp', false],
      ],
    );
  });

  it('a service with tasks only is named after the service; one whose name is no server name is skipped', async () => {
    namespaceHolds(['text', 'Legacy_Service'], {
      text: [ecsTask('task-t', '10.0.1.2', 'text')],
      Legacy_Service: [ecsTask('task-l', '10.0.1.3', 'Legacy_Service')],
    });
    assert.deepEqual(serversOf(await resolver().resolve()), [['text', 'task-t', 'http://10.0.1.2:3000/mcp']]);
  });

  it('follows NextToken through every page, and stops after maxPages saying so', async () => {
    cloudMap
      .on(ListServicesCommand)
      .resolvesOnce({ Services: [{ Name: 'cost' }], NextToken: 'page-2' })
      // Cloud Map filters after paging: a page may hold none of the namespace's services.
      .resolvesOnce({ Services: [], NextToken: 'page-3' })
      .resolvesOnce({ Services: [{ Name: 'text' }] });
    cloudMap.on(DiscoverInstancesCommand, { ServiceName: 'cost' }).resolves({ Instances: [endpointInstance('cost', 'https://m.example/cost/mcp')] });
    cloudMap.on(DiscoverInstancesCommand, { ServiceName: 'text' }).resolves({ Instances: [endpointInstance('text', 'https://m.example/text/mcp')] });
    assert.deepEqual((await resolver().resolve()).map((e) => e.server), ['cost', 'text']);
    assert.deepEqual(cloudMap.commandCalls(ListServicesCommand).map((c) => c.args[0].input.NextToken), [undefined, 'page-2', 'page-3']);

    cloudMap.reset();
    cloudMap.on(ListServicesCommand).resolves({ Services: [{ Name: 'cost' }], NextToken: 'more' });
    cloudMap.on(DiscoverInstancesCommand).resolves({ Instances: [endpointInstance('cost', 'https://m.example/cost/mcp')] });
    const lines: any[] = [];
    const logger = pino({ level: 'warn' }, { write: (line: string) => lines.push(JSON.parse(line)) });
    assert.deepEqual((await resolver({ logger, maxPages: 3 }).resolve()).map((e) => e.server), ['cost']);
    assert.equal(cloudMap.commandCalls(ListServicesCommand).length, 3);
    assert.deepEqual(lines.map((l) => [l.msg, l.pages]), [['Cloud Map ListServices has more pages; the rest are not read', 3]]);
  });

  it('asks eight services at a time at the most', async () => {
    const names = Array.from({ length: 20 }, (_, i) => `s${i}`);
    cloudMap.on(ListServicesCommand).resolves({ Services: names.map((Name) => ({ Name })) });
    let inFlight = 0;
    let most = 0;
    cloudMap.on(DiscoverInstancesCommand).callsFake(async (input: { ServiceName: string }) => {
      inFlight++;
      most = Math.max(most, inFlight);
      await new Promise((resolve) => setImmediate(resolve));
      inFlight--;
      return { Instances: [endpointInstance(input.ServiceName, `https://m.example/${input.ServiceName}/mcp`)] };
    });
    assert.equal((await resolver().resolve()).length, 20);
    assert.equal(most, 8);
  });

  it('a service created after the agent started is found once the TTL has passed', async () => {
    let now = 0;
    const r = resolver({ now: () => now });
    namespaceHolds(['cost'], { cost: [endpointInstance('cost', 'https://m.example/cost/mcp')] });
    assert.deepEqual((await r.resolve()).map((e) => e.server), ['cost']);
    namespaceHolds(['cost', 'text'], { text: [endpointInstance('text', 'https://m.example/text/mcp')] });
    now = 29_999;
    assert.deepEqual((await r.resolve()).map((e) => e.server), ['cost'], 'cached within the TTL');
    now = 30_000;
    assert.deepEqual((await r.resolve()).map((e) => e.server), ['cost', 'text']);
  });

  describe('when Cloud Map fails', () => {
    it('a service that cannot be asked keeps its last answer; the others are fresh', async () => {
      let now = 0;
      const r = resolver({ now: () => now });
      namespaceHolds(['cost', 'text'], {
        cost: [endpointInstance('cost', 'https://m.example/cost/mcp')],
        text: [endpointInstance('text', 'https://m.example/text/mcp')],
      });
      await r.resolve();
      cloudMap.on(DiscoverInstancesCommand, { ServiceName: 'text' }).rejects(throttled());
      cloudMap.on(DiscoverInstancesCommand, { ServiceName: 'cost' }).resolves({ Instances: [endpointInstance('cost', 'https://m2.example/cost/mcp')] });
      now = 60_000;
      assert.deepEqual(serversOf(await r.resolve()), [
        ['cost', 'lambda-endpoint', 'https://m2.example/cost/mcp'],
        ['text', 'lambda-endpoint', 'https://m.example/text/mcp'],
      ]);
    });

    it('a service never answered is left out, the others served, and it is asked again at the next request', async () => {
      const r = resolver();
      cloudMap.on(ListServicesCommand).resolves({ Services: [{ Name: 'cost' }, { Name: 'text' }] });
      cloudMap.on(DiscoverInstancesCommand, { ServiceName: 'cost' }).resolves({ Instances: [endpointInstance('cost', 'https://m.example/cost/mcp')] });
      cloudMap.on(DiscoverInstancesCommand, { ServiceName: 'text' }).rejectsOnce(throttled()).resolves({ Instances: [endpointInstance('text', 'https://m.example/text/mcp')] });
      assert.deepEqual((await r.resolve()).map((e) => e.server), ['cost']);
      // The clock has not moved: without the failure this answer would be cached.
      assert.deepEqual((await r.resolve()).map((e) => e.server), ['cost', 'text']);
    });

    it('ListServices failing: the last whole answer; with none, a DiscoveryError naming the namespace and the error', async () => {
      let now = 0;
      const r = resolver({ now: () => now });
      namespaceHolds(['cost'], { cost: [endpointInstance('cost', 'https://m.example/cost/mcp')] });
      await r.resolve();
      cloudMap.on(ListServicesCommand).rejects(throttled());
      now = 60_000;
      assert.deepEqual((await r.resolve()).map((e) => e.server), ['cost']);

      await assert.rejects(resolver().resolve(), (err: Error) => {
        assert.ok(err instanceof DiscoveryError);
        assert.match(err.message, /^Cloud Map ListServices \(namespace dev\.mcp-on-aws\.local, ns-4xmpl3n4m3sp4c3\) failed: RequestLimitExceeded: Rate exceeded$/);
        return true;
      });
    });

    it('every service failing with nothing cached: a DiscoveryError naming them', async () => {
      cloudMap.on(ListServicesCommand).resolves({ Services: [{ Name: 'cost' }, { Name: 'text' }] });
      cloudMap.on(DiscoverInstancesCommand).rejects(throttled());
      await assert.rejects(resolver().resolve(), (err: Error) => {
        assert.ok(err instanceof DiscoveryError);
        assert.match(err.message, /dev\.mcp-on-aws\.local\/cost, dev\.mcp-on-aws\.local\/text\) failed: RequestLimitExceeded: Rate exceeded/);
        return true;
      });
    });
  });
});

describe('an endpoint of a server to call', () => {
  // A server with a task reached directly and its front-door URL, listed URL first.
  for (const [order, random] of [
    ['kept', () => 0.99],
    ['swapped', () => 0],
  ] as const) {
    it(`is a direct one before the URL, whatever the order (shuffle ${order})`, async () => {
      const direct = await namedServer('cost', ['estimate']);
      const front = await namedServer('cost', ['estimate']);
      const endpoints: McpEndpoint[] = [
        { id: 'lambda-endpoint', url: front.url, server: 'cost', direct: false },
        { id: 'task-1', url: direct.url, server: 'cost', direct: true },
        { id: 'task-2', url: direct.url.replace('/cost/mcp', '/other/mcp'), server: 'cost', direct: true },
      ];
      const servers = new McpServers({ resolver: { source: 'test', resolve: async () => endpoints, invalidate: () => undefined }, logger: silentLogger, random });
      try {
        for (let i = 0; i < 2; i++) assert.equal((await servers.callTool('estimate', {})).endpoint.direct, true);
        assert.deepEqual(front.methods, [], 'the URL is not asked while a task answers');
        assert.equal(direct.methods.filter((m) => m === 'tools/call').length, 2);
      } finally {
        await direct.close();
        await front.close();
      }
    });
  }
});

describe('the agent against real local servers found through Cloud Map', () => {
  let cost: FakeServer;
  let text: FakeServer;
  let agent: Running;
  let now = 0;

  before(async () => {
    cloudMap.reset();
    // Both offer lookup; each has one tool of its own.
    cost = await namedServer('cost', ['lookup', 'estimate']);
    text = await namedServer('text', ['lookup', 'analyze']);
    const env = readAgentEnv({ CLOUD_MAP_NAMESPACE: NAMESPACE, CLOUD_MAP_NAMESPACE_ID: NAMESPACE_ID });
    const servers = new McpServers({
      resolver: resolverFromEnv(env, silentLogger, new ServiceDiscoveryClient({ region: 'us-east-1' }), () => now),
      timeoutMs: 5000,
      logger: silentLogger,
      random: () => 0,
    });
    agent = await listen(createAgentApp({ servers, logger: silentLogger }));
  });
  after(async () => {
    await agent.close();
    await cost.close();
    await text.close();
    cloudMap.reset();
  });

  const call = (name: string, body: unknown = {}) =>
    request(`${agent.url}/tools/${name}/call`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  it('lists the tools of a server registered after the agent started, once the TTL has passed, and routes each call to its server', async () => {
    namespaceHolds(['mcp-server'], { 'mcp-server': [endpointInstance('cost', cost.url, 'mcp-server')] });
    const first = await json(await request(`${agent.url}/tools`));
    assert.deepEqual(first.tools.map((t: any) => [t.name, t.server, t.tool]), [
      ['estimate', 'cost', 'estimate'],
      ['lookup', 'cost', 'lookup'],
    ]);

    namespaceHolds(['mcp-server', 'text'], { text: [endpointInstance('text', text.url)] });
    now = 30_000;
    const body = await json(await request(`${agent.url}/tools`));
    assert.deepEqual(body.unreachable, []);
    assert.deepEqual(body.tools.map((t: any) => [t.name, t.server, t.tool, t.description]), [
      ['analyze', 'text', 'analyze', 'analyze of text'],
      ['cost__lookup', 'cost', 'lookup', 'lookup of cost'],
      ['estimate', 'cost', 'estimate', 'estimate of cost'],
      ['text__lookup', 'text', 'lookup', 'lookup of text'],
    ]);
    assert.deepEqual(body.tools[0].inputSchema, { type: 'object' });

    const servers = await json(await request(`${agent.url}/servers`));
    assert.equal(servers.source, `cloudmap:${NAMESPACE}`);
    assert.deepEqual(servers.servers.map((s: any) => [s.name, s.endpoints.map((e: any) => e.url)]), [
      ['cost', [cost.url]],
      ['text', [text.url]],
    ]);

    for (const [name, server, tool] of [
      ['cost__lookup', 'cost', 'lookup'],
      ['text__lookup', 'text', 'lookup'],
      ['analyze', 'text', 'analyze'],
      ['estimate', 'cost', 'estimate'],
      // A tool's own name that one server alone offers, prefixed.
      ['text__analyze', 'text', 'analyze'],
    ]) {
      const res = await call(name!, { q: name });
      assert.equal(res.status, 200, name);
      const out = await json(res);
      assert.equal(out.server, server, name);
      assert.deepEqual(out.result.structuredContent, { server, tool, arguments: { q: name } }, name);
    }
  });

  it('a tool’s own name that two servers offer: 409 naming the names to call instead', async () => {
    namespaceHolds(['mcp-server', 'text'], { 'mcp-server': [endpointInstance('cost', cost.url, 'mcp-server')], text: [endpointInstance('text', text.url)] });
    now = 60_000;
    const res = await call('lookup');
    assert.equal(res.status, 409);
    assert.deepEqual(await json(res), {
      error: 'Several MCP servers offer the tool "lookup": call it as cost__lookup or text__lookup',
      tool: 'lookup',
      names: ['cost__lookup', 'text__lookup'],
    });
  });
});
