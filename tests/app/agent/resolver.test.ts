import { strict as assert } from 'node:assert';
import { DiscoverInstancesCommand, ServiceDiscoveryClient } from '@aws-sdk/client-servicediscovery';
import { mockClient } from 'aws-sdk-client-mock';
import { CloudMapResolver, DiscoveryError, StaticResolver } from '../../../app/agent/resolver';
import { silentLogger } from '../../helpers/http';

const cloudMap = mockClient(ServiceDiscoveryClient);

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
const ecsTask = (id: string, ip: string, health: 'HEALTHY' | 'UNHEALTHY' = 'HEALTHY') => ({
  InstanceId: id,
  NamespaceName: 'dev.mcp-on-aws.local',
  ServiceName: 'mcp-server',
  HealthStatus: health,
  Attributes: {
    AWS_INSTANCE_IPV4: ip,
    AWS_INSTANCE_PORT: '3000',
    AVAILABILITY_ZONE: 'us-east-1a',
    AWS_INIT_HEALTH_STATUS: 'HEALTHY',
    ECS_CLUSTER_NAME: 'fargate-cluster',
    ECS_SERVICE_NAME: 'fargate-service',
    ECS_TASK_DEFINITION_FAMILY: 'fargate-mcp-server',
    REGION: 'us-east-1',
  },
});

function resolver(now = () => 0) {
  return new CloudMapResolver({
    client: new ServiceDiscoveryClient({ region: 'us-east-1' }),
    namespaceName: 'dev.mcp-on-aws.local',
    serviceName: 'mcp-server',
    ttlMs: 30_000,
    logger: silentLogger,
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
    assert.deepEqual(await resolver().resolve(), [{ id: 'lambda-endpoint', url: 'https://mcp.example.com/mcp', target: 'lambda' }]);
  });

  it('turns ECS task addresses into http://<ip>:<port>/mcp, leaving unhealthy ones out', async () => {
    cloudMap.on(DiscoverInstancesCommand).resolves({
      Instances: [ecsTask('task-a', '10.0.128.17'), ecsTask('task-b', '10.0.144.9'), ecsTask('task-c', '10.0.128.40', 'UNHEALTHY')],
    });
    assert.deepEqual(await resolver().resolve(), [
      { id: 'task-a', url: 'http://10.0.128.17:3000/mcp', target: 'fargate' },
      { id: 'task-b', url: 'http://10.0.144.9:3000/mcp', target: 'fargate' },
    ]);
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

  it('a static list (MCP_SERVERS) resolves to itself', async () => {
    const s = new StaticResolver(['http://127.0.0.1:3000/mcp']);
    assert.deepEqual(await s.resolve(), [{ id: 'http://127.0.0.1:3000/mcp', url: 'http://127.0.0.1:3000/mcp' }]);
  });
});
