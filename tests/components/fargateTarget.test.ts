import { strict as assert } from 'node:assert';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chooseZones } from '../../components/network';
import { BUILD_CONTEXT, buildInputs, contextHash } from '../../components/image';
import { deployWith, valueOf, type Deployed } from '../helpers/pulumi';
import { calls, DEFAULT_ZONES, zones } from '../setup';

const container = (d: Deployed) => JSON.parse(d.one('aws:ecs/taskDefinition:TaskDefinition').inputs.containerDefinitions)[0];
const env = (d: Deployed) => Object.fromEntries(container(d).environment.map((e: any) => [e.name, e.value]));
const statements = (d: Deployed, roleName: string) =>
  d
    .all('aws:iam/rolePolicy:RolePolicy')
    .filter((p) => p.name === roleName)
    .flatMap((p) => JSON.parse(p.inputs.policy).Statement);
const policy = (d: Deployed, name: string) => JSON.parse(d.resources.find((p) => p.type === 'aws:iam/rolePolicy:RolePolicy' && p.name === name)!.inputs.policy);

const SECRETS = {
  full: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:api-key-AbCdEf',
  jsonKey: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:db-Gh1jK2:password::',
  partial: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:shared/token',
};
const KMS_KEY = 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';

describe('Fargate target (under mocks)', function () {
  this.timeout(60_000);

  describe('with a custom domain (prod)', () => {
    let d: Deployed;
    before(async () => {
      d = await deployWith({
        target: 'fargate',
        domainName: 'mcp.example.com',
        hostedZoneId: 'Z0123456789ABCDEFGHIJ',
        natGateways: 'onePerAz',
        fargateCpu: 1024,
        fargateMemoryMb: 2048,
        containerSecrets: [`API_KEY=${SECRETS.full}`, `DB_PASSWORD=${SECRETS.jsonKey}`, `TOKEN=${SECRETS.partial}`],
        containerSecretsKmsKeyArns: [KMS_KEY],
        allowedOrigins: ['https://app.example.com', 'http://localhost:5173'],
        desiredCount: 3,
        minCount: 2,
        maxCount: 6,
        cpuTargetPercent: 70,
        requestsPerTarget: 800,
        logRetentionDays: 90,
      });
    });

    it('spans two zones with public and private subnets, one NAT gateway per zone', () => {
      const subnets = d.all('aws:ec2/subnet:Subnet');
      assert.equal(subnets.length, 4);
      const zones = new Set(subnets.map((s) => s.inputs.availabilityZone));
      assert.deepEqual([...zones].sort(), ['us-east-1a', 'us-east-1b']);
      assert.equal(d.all('aws:ec2/natGateway:NatGateway').length, 2);
      const privateRoutes = d.all('aws:ec2/routeTable:RouteTable').filter((r) => r.name.includes('private'));
      assert.deepEqual(
        privateRoutes.map((r) => r.inputs.routes[0].natGatewayId).sort(),
        ['network-nat-0-id', 'network-nat-1-id'],
      );
    });

    it('admits 443 and 80 from the internet to the ALB, and only the ALB to the container port', () => {
      const [albSg, taskSg] = ['fargate-lb-sg', 'fargate-tasks'].map((n) => d.all('aws:ec2/securityGroup:SecurityGroup').find((s) => s.name === n)!.inputs);
      assert.deepEqual(albSg!.ingress.map((r: any) => [r.fromPort, r.toPort, r.cidrBlocks]), [
        [443, 443, ['0.0.0.0/0']],
        [80, 80, ['0.0.0.0/0']],
      ]);
      assert.equal(taskSg!.ingress, undefined, 'ingress only through the rules below');
      const rules = d.all('aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule').filter((r) => r.inputs.securityGroupId === 'fargate-tasks-id');
      assert.ok(rules.length >= 1);
      for (const r of rules) {
        assert.equal(r.inputs.fromPort, 3000);
        assert.equal(r.inputs.toPort, 3000);
        assert.equal(r.inputs.cidrIpv4, undefined, 'no address ranges, only security groups');
      }
      assert.ok(rules.some((r) => r.inputs.referencedSecurityGroupId === 'fargate-lb-sg-id'));
    });

    it('serves HTTPS with the validated certificate and a TLS 1.3/1.2 policy, and redirects HTTP', () => {
      const listeners = d.all('aws:lb/listener:Listener').map((l) => l.inputs);
      const https = listeners.find((l) => l.port === 443)!;
      assert.equal(https.protocol, 'HTTPS');
      assert.equal(https.sslPolicy, 'ELBSecurityPolicy-TLS13-1-2-2021-06');
      // From CertificateValidation (which the mocks answer with another ARN than the certificate's), so the listener waits for it.
      assert.equal(https.certificateArn, 'arn:aws:acm:us-east-1:123456789012:certificate/domain-cert');
      assert.equal(https.defaultActions[0].type, 'forward');
      const http = listeners.find((l) => l.port === 80)!;
      assert.deepEqual(http.defaultActions[0].redirect, { protocol: 'HTTPS', port: '443', statusCode: 'HTTP_301' });
      const validation = d.one('aws:acm/certificateValidation:CertificateValidation');
      assert.equal(validation.inputs.certificateArn, 'arn:aws:acm:us-east-1:123456789012:certificate/domain-cert-requested');
    });

    it('keeps the app’s keep-alive above the ALB idle timeout (300 s)', () => {
      const alb = d.one('aws:lb/loadBalancer:LoadBalancer').inputs;
      assert.equal(alb.idleTimeout, 300);
      assert.equal(alb.internal, false);
      assert.deepEqual(alb.subnets, ['network-public-0-id', 'network-public-1-id']);
      assert.ok(Number(env(d).KEEP_ALIVE_TIMEOUT_MS) > alb.idleTimeout * 1000);
    });

    it('health-checks IP targets on /healthz and drains them for up to the idle timeout', () => {
      const tg = d.one('aws:lb/targetGroup:TargetGroup').inputs;
      assert.equal(tg.targetType, 'ip');
      assert.equal(tg.port, 3000);
      assert.equal(tg.healthCheck.path, '/healthz');
      assert.equal(tg.healthCheck.matcher, '200');
      assert.equal(tg.deregistrationDelay, 300);
    });

    it('points alias A records of the domain at the ALB', async () => {
      const a = d.all('aws:route53/record:Record').filter((r) => r.inputs.type === 'A');
      assert.equal(a.length, 1);
      assert.deepEqual(a[0]!.inputs.aliases, [
        { name: 'fargate-lb-alb-1234567890.us-east-1.elb.amazonaws.com', zoneId: 'Z35SXDOTRQ7X7K', evaluateTargetHealth: true },
      ]);
      assert.equal(await valueOf(d.outputs.mcpUrl), 'https://mcp.example.com/mcp');
      assert.equal(await valueOf(d.outputs.healthUrl), 'https://mcp.example.com/healthz');
      assert.deepEqual(d.outputs.warnings, []);
    });

    it('runs an arm64 task with the configured size, non-root, read-only, with a /healthz health check', () => {
      const td = d.one('aws:ecs/taskDefinition:TaskDefinition').inputs;
      assert.equal(td.cpu, '1024');
      assert.equal(td.memory, '2048');
      assert.equal(td.networkMode, 'awsvpc');
      assert.deepEqual(td.requiresCompatibilities, ['FARGATE']);
      assert.equal(td.runtimePlatform.cpuArchitecture, 'ARM64');
      const c = container(d);
      assert.equal(c.user, '1000');
      assert.equal(c.readonlyRootFilesystem, true);
      assert.deepEqual(c.portMappings, [{ name: 'mcp', containerPort: 3000, protocol: 'tcp' }]);
      assert.match(c.healthCheck.command.join(' '), /127\.0\.0\.1:3000\/healthz/);
      assert.equal(c.logConfiguration.logDriver, 'awslogs');
      assert.equal(c.logConfiguration.options['awslogs-region'], 'us-east-1');
      assert.match(c.image, /@sha256:/);
    });

    it('gives in-flight requests time to finish: stop timeout above the app’s drain timeout', () => {
      const c = container(d);
      assert.equal(c.stopTimeout, 120);
      assert.ok(Number(env(d).SHUTDOWN_TIMEOUT_MS) < c.stopTimeout * 1000);
      assert.equal(env(d).MCP_RESPONSE_MODE, 'sse');
      assert.equal(env(d).HOST, '0.0.0.0');
      assert.equal(env(d).ALLOWED_ORIGINS, 'https://app.example.com,http://localhost:5173');
    });

    it('reads secrets from Secrets Manager as given (JSON key included), and only the execution role may read them', () => {
      assert.deepEqual(container(d).secrets, [
        { name: 'API_KEY', valueFrom: SECRETS.full },
        { name: 'DB_PASSWORD', valueFrom: SECRETS.jsonKey },
        { name: 'TOKEN', valueFrom: SECRETS.partial },
      ]);
      assert.equal(statements(d, 'fargate-task').length, 0, 'the app’s own role has no permissions');
    });

    it('lets the execution role pull the image, write its log group, read the secrets by their own ARNs and decrypt them with their key', () => {
      const role = d.all('aws:iam/role:Role').find((r) => r.name === 'fargate-execution')!;
      assert.deepEqual(JSON.parse(role.inputs.assumeRolePolicy), {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { Service: 'ecs-tasks.amazonaws.com' }, Action: 'sts:AssumeRole' }],
      });
      assert.equal(d.one('aws:ecs/taskDefinition:TaskDefinition').inputs.executionRoleArn, 'arn:aws:iam::123456789012:role/fargate-execution-9c4b7a2');
      assert.equal(d.one('aws:ecs/taskDefinition:TaskDefinition').inputs.taskRoleArn, 'arn:aws:iam::123456789012:role/fargate-task-9c4b7a2');
      assert.deepEqual(policy(d, 'fargate-execution'), {
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Action: ['ecr:GetAuthorizationToken'], Resource: '*' },
          {
            Effect: 'Allow',
            Action: ['ecr:BatchCheckLayerAvailability', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchGetImage'],
            Resource: 'arn:aws:ecr:us-east-1:123456789012:repository/image-repo',
          },
          {
            Effect: 'Allow',
            Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
            Resource: 'arn:aws:logs:us-east-1:123456789012:log-group:fargate-logs-5d8e1f0:*',
          },
          {
            Effect: 'Allow',
            Action: ['secretsmanager:GetSecretValue'],
            // The secret, not "<arn>:password::" (IAM never matches that); a partial ARN with the random suffix.
            Resource: [
              'arn:aws:secretsmanager:eu-west-1:123456789012:secret:shared/token-??????',
              'arn:aws:secretsmanager:us-east-1:123456789012:secret:api-key-AbCdEf',
              'arn:aws:secretsmanager:us-east-1:123456789012:secret:db-Gh1jK2',
            ],
          },
          {
            Effect: 'Allow',
            Action: ['kms:Decrypt'],
            Resource: [KMS_KEY],
            Condition: { StringEquals: { 'kms:ViaService': ['secretsmanager.eu-west-1.amazonaws.com', 'secretsmanager.us-east-1.amazonaws.com'] } },
          },
        ],
      });
    });

    it('logs to its own log group by the group’s name, with the configured retention', () => {
      const group = d.all('aws:cloudwatch/logGroup:LogGroup').find((g) => g.name === 'fargate-logs')!;
      assert.equal(group.inputs.retentionInDays, 90);
      assert.deepEqual(container(d).logConfiguration.options, {
        'awslogs-group': 'fargate-logs-5d8e1f0',
        'awslogs-region': 'us-east-1',
        'awslogs-stream-prefix': 'mcp',
      });
    });

    it('lets the tasks and the ALB out only where they must go', () => {
      const sg = (n: string) => d.all('aws:ec2/securityGroup:SecurityGroup').find((s) => s.name === n)!.inputs;
      assert.deepEqual(sg('fargate-tasks').egress, [
        { protocol: 'tcp', fromPort: 443, toPort: 443, cidrBlocks: ['0.0.0.0/0'], description: 'HTTPS out: ECR, Secrets Manager, logs, tools' },
      ]);
      assert.deepEqual(sg('fargate-lb-sg').egress, [
        { protocol: 'tcp', fromPort: 3000, toPort: 3000, cidrBlocks: ['10.0.0.0/16'], description: 'to the app in the VPC' },
      ]);
      assert.equal(sg('fargate-tasks').vpcId, 'network-vpc-id');
    });

    it('leaves the task count to autoscaling once the service exists', () => {
      const svc = d.one('aws:ecs/service:Service');
      assert.deepEqual(svc.opts.ignoreChanges, ['desiredCount']);
    });

    it('deploys with a circuit breaker that rolls back and never drops below the desired count', () => {
      const svc = d.one('aws:ecs/service:Service').inputs;
      assert.deepEqual(svc.deploymentCircuitBreaker, { enable: true, rollback: true });
      assert.equal(svc.deploymentMinimumHealthyPercent, 100);
      assert.equal(svc.launchType, 'FARGATE');
      assert.equal(svc.desiredCount, 3);
      assert.equal(svc.networkConfiguration.assignPublicIp, false);
      assert.deepEqual(svc.networkConfiguration.subnets, ['network-private-0-id', 'network-private-1-id']);
      assert.deepEqual(svc.loadBalancers, [{ targetGroupArn: 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/fargate-lb-tg/73e2d6bc24d8a067', containerName: 'mcp-server', containerPort: 3000 }]);
    });

    it('registers its tasks in the stack’s namespace, under the same service name as Lambda, with their health', () => {
      assert.equal(d.one('aws:servicediscovery/httpNamespace:HttpNamespace').inputs.name, 'dev.mcp-on-aws.local');
      const service = d.one('aws:servicediscovery/service:Service', 'discovery-cost').inputs;
      assert.equal(service.name, 'mcp-server');
      assert.deepEqual(service.healthCheckCustomConfig, { failureThreshold: 1 });
      const svc = d.one('aws:ecs/service:Service').inputs;
      assert.deepEqual(svc.serviceRegistries, { registryArn: 'arn:aws:servicediscovery:us-east-1:123456789012:discovery-cost' });
    });

    it('scales between min and max on CPU and on requests per target', () => {
      const target = d.one('aws:appautoscaling/target:Target').inputs;
      assert.equal(target.minCapacity, 2);
      assert.equal(target.maxCapacity, 6);
      assert.equal(target.resourceId, 'service/fargate-cluster/fargate-service');
      const policies = d.all('aws:appautoscaling/policy:Policy').map((p) => p.inputs.targetTrackingScalingPolicyConfiguration);
      const cpu = policies.find((p) => p.predefinedMetricSpecification.predefinedMetricType === 'ECSServiceAverageCPUUtilization');
      const req = policies.find((p) => p.predefinedMetricSpecification.predefinedMetricType === 'ALBRequestCountPerTarget');
      assert.equal(cpu.targetValue, 70);
      assert.equal(req.targetValue, 800);
      assert.equal(req.predefinedMetricSpecification.resourceLabel, 'app/fargate-lb-alb/50dc6c495c0c9188/targetgroup/fargate-lb-tg/73e2d6bc24d8a067');
    });

    it('builds the image for arm64 into an ECR repository that scans and expires old images, tagged by content', () => {
      const repo = d.one('aws:ecr/repository:Repository').inputs;
      assert.equal(repo.imageScanningConfiguration.scanOnPush, true);
      const rule = JSON.parse(d.one('aws:ecr/lifecyclePolicy:LifecyclePolicy').inputs.policy).rules[0];
      assert.deepEqual(rule.selection, { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 10 });
      const image = d.one('docker-build:index:Image').inputs;
      assert.deepEqual(image.platforms, ['linux/arm64']);
      assert.equal(image.push, true);
      assert.equal(image.tags[0], `123456789012.dkr.ecr.us-east-1.amazonaws.com/image-repo:build-${contextHash()}`);
    });

    it('keeps tags immutable but for its own build tags, which a rebuild of the same sources may push again', () => {
      const repo: any = d.one('aws:ecr/repository:Repository').inputs;
      assert.equal(repo.imageTagMutability, 'IMMUTABLE_WITH_EXCLUSION');
      assert.deepEqual(repo.imageTagMutabilityExclusionFilters, [{ filterType: 'WILDCARD', filter: 'build-*' }]);
      const tag = String(d.one('docker-build:index:Image').inputs.tags[0]).split(':').pop()!;
      const wildcard = new RegExp(`^${repo.imageTagMutabilityExclusionFilters[0].filter.replace(/\*/g, '.*')}$`);
      assert.match(tag, wildcard, 'the pushed tag is one the exclusion covers');
      // What runs is pinned by digest, so a tag pushed again changes nothing that runs.
      assert.match(container(d).image, /^123456789012\.dkr\.ecr\.us-east-1\.amazonaws\.com\/image-repo@sha256:[0-9a-f]{64}$/);
    });

    it('gives docker-build the build context relative to the project, not the checkout’s absolute path', () => {
      const image = d.one('docker-build:index:Image').inputs;
      assert.deepEqual(image.context, { location: '.' });
      assert.deepEqual(image.dockerfile, { location: 'Dockerfile' });
    });

    it('turns on Container Insights', () => {
      assert.deepEqual(d.one('aws:ecs/cluster:Cluster').inputs.settings, [{ name: 'containerInsights', value: 'enabled' }]);
    });
  });

  describe('without a domain (dev)', () => {
    let d: Deployed;
    before(async () => {
      d = await deployWith({ target: 'fargate' });
    });

    it('serves HTTP on the ALB’s name, says so in the outputs, and shares one NAT gateway', async () => {
      const listeners = d.all('aws:lb/listener:Listener');
      assert.equal(listeners.length, 1);
      assert.equal(listeners[0]!.inputs.port, 80);
      assert.equal(listeners[0]!.inputs.defaultActions[0].type, 'forward');
      assert.equal(d.all('aws:acm/certificate:Certificate').length, 0);
      assert.equal(await valueOf(d.outputs.mcpUrl), 'http://fargate-lb-alb-1234567890.us-east-1.elb.amazonaws.com/mcp');
      assert.match(d.outputs.warnings.join(' '), /plain HTTP/);
      assert.equal(d.all('aws:ec2/natGateway:NatGateway').length, 1);
      const routes = d.all('aws:ec2/routeTable:RouteTable').filter((r) => r.name.includes('private'));
      assert.deepEqual(routes.map((r) => r.inputs.routes[0].natGatewayId), ['network-nat-0-id', 'network-nat-0-id']);
    });

    it('defaults to 0.5 vCPU and 1 GB tasks', () => {
      const td = d.one('aws:ecs/taskDefinition:TaskDefinition').inputs;
      assert.equal(td.cpu, '512');
      assert.equal(td.memory, '1024');
    });
  });

  describe('with an idle timeout over what a target group may drain (3601 to 4000 s)', () => {
    for (const idleTimeoutSeconds of [3601, 4000]) {
      it(`keeps the ALB idle timeout at ${idleTimeoutSeconds} s and drains targets for the 3600 s ALB allows`, async () => {
        const d = await deployWith({ target: 'fargate', idleTimeoutSeconds });
        assert.equal(d.one('aws:lb/loadBalancer:LoadBalancer').inputs.idleTimeout, idleTimeoutSeconds);
        assert.equal(d.one('aws:lb/targetGroup:TargetGroup').inputs.deregistrationDelay, 3600);
        assert.equal(Number(env(d).KEEP_ALIVE_TIMEOUT_MS), (idleTimeoutSeconds + 5) * 1000);
      });
    }
  });

  describe('Availability Zones', () => {
    afterEach(() => {
      zones.answer = DEFAULT_ZONES;
    });

    it('asks for Availability Zones proper (no Local or Wavelength Zones)', async () => {
      await deployWith({ target: 'fargate' });
      const call = calls.find((c) => c.token === 'aws:index/getAvailabilityZones:getAvailabilityZones')!;
      assert.equal(call.inputs.state, 'available');
      assert.deepEqual(call.inputs.filters, [{ name: 'opt-in-status', values: ['opt-in-not-required'] }]);
    });

    it('chooses zones by zone id, skipping one where EKS makes no cluster (use1-az3 listed first)', async () => {
      zones.answer = { names: ['us-east-1a', 'us-east-1b', 'us-east-1c', 'us-east-1d'], zoneIds: ['use1-az3', 'use1-az6', 'use1-az1', 'use1-az2'] };
      const d = await deployWith({ target: 'fargate' });
      const byName = Object.fromEntries(d.all('aws:ec2/subnet:Subnet').map((s) => [s.name, s.inputs.availabilityZone]));
      assert.deepEqual(byName, {
        'network-public-0': 'us-east-1b',
        'network-public-1': 'us-east-1c',
        'network-private-0': 'us-east-1b',
        'network-private-1': 'us-east-1c',
      });
    });

    it('skips the unsupported zones of us-west-1 and ca-central-1 too, and names the zones when too few remain', () => {
      assert.deepEqual(chooseZones({ names: ['us-west-1a', 'us-west-1b', 'us-west-1c'], zoneIds: ['usw1-az2', 'usw1-az1', 'usw1-az3'] }, 2), ['us-west-1b', 'us-west-1c']);
      assert.deepEqual(chooseZones({ names: ['ca-central-1a', 'ca-central-1b', 'ca-central-1d'], zoneIds: ['cac1-az1', 'cac1-az3', 'cac1-az4'] }, 2), [
        'ca-central-1a',
        'ca-central-1d',
      ]);
      assert.throws(
        () => chooseZones({ names: ['us-west-1a', 'us-west-1b'], zoneIds: ['usw1-az2', 'usw1-az1'] }, 2),
        /1 usable Availability Zones \(us-west-1b\/usw1-az1; use1-az3, usw1-az2, cac1-az3 are left out, as EKS does not support them\); 2 are needed/,
      );
    });
  });

  describe('image inputs from two checkouts of the same sources', () => {
    const dirs: string[] = [];
    after(() => {
      for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    });

    it('are the same, so docker-build does not rebuild (and push the same tag) because the path changed', () => {
      const root = path.resolve(__dirname, '../..');
      for (const name of ['laptop', 'ci']) {
        const dir = mkdtempSync(path.join(tmpdir(), `mcp-on-aws-${name}-`));
        dirs.push(dir);
        for (const entry of BUILD_CONTEXT) cpSync(path.join(root, entry), path.join(dir, entry), { recursive: true });
      }
      // Pulumi runs the program, and the docker-build provider, in the project's directory.
      const [laptop, ci] = dirs.map((dir) => buildInputs(dir, dir));
      assert.deepEqual(ci, laptop);
      assert.deepEqual(laptop!.context, { location: '.' });
      assert.equal(laptop!.tag, `build-${contextHash(root)}`);
    });
  });

  it('refuses a CPU and memory pair Fargate does not run, before creating anything', async () => {
    await assert.rejects(deployWith({ target: 'fargate', fargateCpu: 2048, fargateMemoryMb: 2048 }), /fargateMemoryMb: with fargateCpu 2048 must be one of: 4096-16384 in steps of 1024/);
  });
});
