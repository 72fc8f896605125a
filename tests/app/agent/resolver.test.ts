import { strict as assert } from 'node:assert';
import { DiscoverInstancesCommand, ServiceDiscoveryClient } from '@aws-sdk/client-servicediscovery';
import { CloudMapResolver, DiscoveryError, StaticResolver } from '../../../app/agent/resolver';
import pino from 'pino';
import { cloudMap } from '../../helpers/cloudMap';
import { silentLogger } from '../../helpers/http';

// Shaped as DiscoverInstances answers: a registered endpoint (Lambda, EKS) and ECS tasks.
const lambdaInstance = {
  InstanceId: 'lambda-endpoint',
  NamespaceName: 'dev.mcp-on-aws.local',
  ServiceName: 'mcp-server',
  HealthStatus: 'HEALTHY' as const,
  Attributes: {
    mcp_url: 'https://mcp.example.com/mcp',
    mcp_transport: 'streamable-http',
    mcp_target: 'lambda',
    app_version: '0.1.0',
  },
};
const ecsTask = (id: string, ip: string, health: 'HEALTHY' | 'UNHEALTHY' = 'HEALTHY', port: string | undefined = '3000') => ({
  InstanceId: id,
  NamespaceName: 'dev.mcp-on-aws.local',
  ServiceName: 'mcp-server',
  HealthStatus: health,
  Attributes: {
    AWS_INSTANCE_IPV4: ip,
    ...(port === undefined ? {} : { AWS_INSTANCE_PORT: port }),
    AVAILABILITY_ZONE: 'us-east-1a',
    AWS_INIT_HEALTH_STATUS: 'HEALTHY',
    ECS_CLUSTER_NAME: 'fargate-cluster',
    ECS_SERVICE_NAME: 'fargate-service',
    ECS_TASK_DEFINITION_FAMILY: 'fargate-mcp-server',
    REGION: 'us-east-1',
  },
});

// Registered before endpoints carried mcp_server: their server is named after their service.
const lambdaEndpoint = { id: 'lambda-endpoint', url: 'https://mcp.example.com/mcp', server: 'mcp-server', direct: false, service: 'mcp-server', target: 'lambda' };
const taskEndpoint = (id: string, url: string) => ({ id, url, server: 'mcp-server', direct: true, service: 'mcp-server', target: 'fargate' });

/** The resolver pinned to one service (CLOUD_MAP_SERVICE): no ListServices. */
function resolver(now = () => 0, logger = silentLogger) {
  return new CloudMapResolver({
    client: new ServiceDiscoveryClient({ region: 'us-east-1' }),
    namespaceName: 'dev.mcp-on-aws.local',
    serviceName: 'mcp-server',
    ttlMs: 30_000,
    logger,
    now,
  });
}

describe('Cloud Map resolver', () => {
  beforeEach(() => cloudMap.reset());

  it('asks for healthy instances of the namespace and service', async () => {
    cloudMap.on(DiscoverInstancesCommand).resolves({ Instances: [lambdaInstance] });
    await resolver().resolve();
    const input = cloudMap.commandCalls(DiscoverInstancesCommand)[0]!.args[0].input;
    assert.deepEqual(input, { NamespaceName: 'dev.mcp-on-aws.local', ServiceName: 'mcp-server', HealthStatus: 'HEALTHY', MaxResults: 100 });
  });

  it('uses the URL attribute a target registered', async () => {
    cloudMap.on(DiscoverInstancesCommand).resolves({ Instances: [lambdaInstance] });
    assert.deepEqual(await resolver().resolve(), [lambdaEndpoint]);
  });

  it('turns ECS task addresses into http://<ip>:<port>/mcp, leaving unhealthy ones out', async () => {
    cloudMap.on(DiscoverInstancesCommand).resolves({
      Instances: [ecsTask('task-a', '10.0.128.17'), ecsTask('task-b', '10.0.144.9'), ecsTask('task-c', '10.0.128.40', 'UNHEALTHY')],
    });
    assert.deepEqual(await resolver().resolve(), [taskEndpoint('task-a', 'http://10.0.128.17:3000/mcp'), taskEndpoint('task-b', 'http://10.0.144.9:3000/mcp')]);
  });

  it('uses each task’s own port, and the default port (3000) for a task registered without one', async () => {
    cloudMap.on(DiscoverInstancesCommand).resolves({
      Instances: [ecsTask('task-a', '10.0.128.17', 'HEALTHY', '8080'), ecsTask('task-b', '10.0.144.9', 'HEALTHY', undefined), ecsTask('task-c', '10.0.160.3', 'HEALTHY', '3000'), lambdaInstance],
    });
    assert.deepEqual(await resolver().resolve(), [
      taskEndpoint('task-a', 'http://10.0.128.17:8080/mcp'),
      taskEndpoint('task-b', 'http://10.0.144.9:3000/mcp'),
      taskEndpoint('task-c', 'http://10.0.160.3:3000/mcp'),
      lambdaEndpoint,
    ]);
  });

  describe('refuses attributes that would send the agent elsewhere', () => {
    const withUrl = (url: string) => ({ ...lambdaInstance, InstanceId: 'bad', Attributes: { ...lambdaInstance.Attributes, mcp_url: url } });
    const withIp = (ip: string, port?: string) => ({ ...ecsTask('bad', ip, 'HEALTHY', port) });
    const refused: [string, object][] = [
      ['instance metadata', withUrl('http://169.254.169.254/latest/meta-data/iam/security-credentials/')],
      ['ECS credentials endpoint', withUrl('http://169.254.170.2/v2/credentials/x')],
      ['metadata as a decimal number', withUrl('http://2852039166/mcp')],
      ['metadata in hex', withUrl('http://0xa9fea9fe/mcp')],
      ['metadata in octal', withUrl('http://0251.0376.0251.0376/mcp')],
      ['metadata as IPv4-mapped IPv6', withUrl('http://[::ffff:169.254.169.254]/mcp')],
      ['IPv6 link-local', withUrl('http://[fe80::1]/mcp')],
      ['IPv6 link-local, upper end', withUrl('http://[febf:ffff::1]:3000/mcp')],
      ['EC2 IPv6 metadata', withUrl('http://[fd00:ec2::254]/latest/meta-data/')],
      ['a file: URL', withUrl('file:///etc/passwd')],
      ['a gopher: URL', withUrl('gopher://10.0.0.1:70/')],
      ['userinfo', withUrl('https://user:pass@mcp.example.com/mcp')],
      ['not a URL', withUrl('mcp.example.com/mcp')],
      ['an IPv4 with userinfo smuggled in', withIp('10.0.0.1@evil.example.com')],
      ['an IPv4 with a path smuggled in', withIp('10.0.0.1/x#')],
      ['a hostname as IPv4', withIp('evil.example.com')],
      ['a link-local IPv4', withIp('169.254.169.254')],
      ['an IPv6 as IPv4', withIp('fe80::1')],
      ['port 0', withIp('10.0.0.1', '0')],
      ['port 65536', withIp('10.0.0.1', '65536')],
      ['a port with a path', withIp('10.0.0.1', '80/../x')],
      ['a port with a host', withIp('10.0.0.1', '80@evil.example.com')],
      ['a negative port', withIp('10.0.0.1', '-1')],
      ['an empty port', withIp('10.0.0.1', '')],
      ['a server name that is not one', { ...lambdaInstance, InstanceId: 'bad', Attributes: { ...lambdaInstance.Attributes, mcp_server: 'Evil Name/../x' } }],
    ];
    for (const [name, instance] of refused) {
      it(`skips ${name}, keeping the good instances`, async () => {
        cloudMap.on(DiscoverInstancesCommand).resolves({ Instances: [ecsTask('good', '10.0.128.17'), instance as never] });
        assert.deepEqual(await resolver().resolve(), [taskEndpoint('good', 'http://10.0.128.17:3000/mcp')]);
      });
    }

    const accepted: [string, object, string][] = [
      ['an http URL on a private address', withUrl('http://10.0.3.4:3000/mcp'), 'http://10.0.3.4:3000/mcp'],
      ['a public IPv6 URL', withUrl('https://[2001:db8::1]/mcp'), 'https://[2001:db8::1]/mcp'],
      ['an address next to link-local', withUrl('http://169.255.0.1/mcp'), 'http://169.255.0.1/mcp'],
      ['port 65535', withIp('10.0.0.1', '65535'), 'http://10.0.0.1:65535/mcp'],
      ['port 1', withIp('10.0.0.1', '1'), 'http://10.0.0.1:1/mcp'],
    ];
    for (const [name, instance, url] of accepted) {
      it(`accepts ${name}`, async () => {
        cloudMap.on(DiscoverInstancesCommand).resolves({ Instances: [instance as never] });
        assert.deepEqual((await resolver().resolve()).map((e) => e.url), [url]);
      });
    }

    it('logs skipped instances, five at the most and a count of the rest', async () => {
      const lines: any[] = [];
      const logger = pino({ level: 'warn' }, { write: (line: string) => lines.push(JSON.parse(line)) });
      const bad = Array.from({ length: 8 }, (_, i) => ({ ...withUrl('file:///etc/passwd'), InstanceId: `bad-${i}` }));
      cloudMap.on(DiscoverInstancesCommand).resolves({ Instances: [ecsTask('good', '10.0.128.17'), ...bad] as never });
      assert.equal((await resolver(() => 0, logger).resolve()).length, 1);
      assert.deepEqual(
        lines.map((l) => [l.msg, l.instanceId ?? l.more]),
        [...bad.slice(0, 5).map((b) => ['Cloud Map instance skipped', b.InstanceId]), ['more Cloud Map instances skipped', 3]],
      );
      assert.equal(lines[0].reason, 'mcp_url is not http(s) but file:');
    });
  });

  it('answers an empty list when nothing is registered', async () => {
    cloudMap.on(DiscoverInstancesCommand).resolves({ Instances: [] });
    assert.deepEqual(await resolver().resolve(), []);
  });

  it('caches answers for the TTL and asks again after it, or after invalidate()', async () => {
    let now = 0;
    const r = resolver(() => now);
    cloudMap.on(DiscoverInstancesCommand).resolves({ Instances: [lambdaInstance] });
    await r.resolve();
    now = 29_999;
    await r.resolve();
    assert.equal(cloudMap.commandCalls(DiscoverInstancesCommand).length, 1);
    now = 30_000;
    await r.resolve();
    assert.equal(cloudMap.commandCalls(DiscoverInstancesCommand).length, 2);
    r.invalidate();
    await r.resolve();
    assert.equal(cloudMap.commandCalls(DiscoverInstancesCommand).length, 3);
  });

  it('when throttled, keeps serving the last answer', async () => {
    let now = 0;
    const r = resolver(() => now);
    cloudMap.on(DiscoverInstancesCommand).resolvesOnce({ Instances: [lambdaInstance] });
    await r.resolve();
    const throttled = Object.assign(new Error('Rate exceeded'), { name: 'RequestLimitExceeded', $metadata: { httpStatusCode: 400 } });
    cloudMap.on(DiscoverInstancesCommand).rejects(throttled);
    now = 60_000;
    assert.deepEqual((await r.resolve()).map((e) => e.id), ['lambda-endpoint']);
  });

  it('when throttled with nothing cached, fails with the Cloud Map error named', async () => {
    const throttled = Object.assign(new Error('Rate exceeded'), { name: 'RequestLimitExceeded' });
    cloudMap.on(DiscoverInstancesCommand).rejects(throttled);
    await assert.rejects(resolver().resolve(), (err: Error) => {
      assert.ok(err instanceof DiscoveryError);
      assert.match(err.message, /RequestLimitExceeded: Rate exceeded/);
      assert.match(err.message, /dev\.mcp-on-aws\.local\/mcp-server/);
      return true;
    });
  });

  it('a static list (MCP_SERVERS) resolves to itself, sorted by server', async () => {
    const s = new StaticResolver(['text=http://127.0.0.1:3000/text/mcp', 'http://127.0.0.1:3000/cost/mcp']);
    assert.deepEqual(await s.resolve(), [
      { id: 'http://127.0.0.1:3000/cost/mcp', url: 'http://127.0.0.1:3000/cost/mcp', server: 'cost', direct: false },
      { id: 'http://127.0.0.1:3000/text/mcp', url: 'http://127.0.0.1:3000/text/mcp', server: 'text', direct: false },
    ]);
  });
});
