import { strict as assert } from 'node:assert';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chooseZones } from '../../components/network';
import { BUILD_CONTEXT, buildInputs, contextHash } from '../../components/image';
import * as pulumi from '@pulumi/pulumi';
import { frontDoorRoutes, serverNameProblem } from '../../app/contract';
import { APP_VERSION } from '../../app/version';
import { Discovery } from '../../components/discovery';
import { fargateTarget, MAX_RULE_PRIORITY, RULE_BLOCKS, RULE_PRIORITY_SLOTS, ruleBlock, rulePriorities } from '../../components/fargatePlatform';
import { targetGroupName } from '../../components/loadBalancer';
import { deployOn } from '../../components/targets';
import { agentSpec, serverSpec, type WorkloadSpec } from '../../components/workload';
import { readStackConfig } from '../../program';
import { dependenciesOf } from '../helpers/dependencies';
import { deployWith, setConfig, valueOf, type Deployed } from '../helpers/pulumi';
import { aliases, calls, DEFAULT_ZONES, registered, urns, zones } from '../setup';
import { agentPolicyDocument, MODEL, REQUEST_STATE_READ, XRAY_WRITE } from '../fixtures/agentPolicy';
import { authorization } from '../fixtures/auth';
import { requestState } from '../fixtures/requestState';

// Drains Pulumi's queue of outstanding registrations.
const { waitForRPCs } = require('@pulumi/pulumi/runtime/settings') as { waitForRPCs: () => Promise<void> };

const DOMAIN = { domainName: 'mcp.example.com', hostedZoneId: 'Z0123456789ABCDEFGHIJ' };

/**
 * Deploys the Fargate target under mocks, as the program does with the default settings, but with the workload
 * specs `edit` makes of the program's: for what a spec may carry that no stack setting gives yet.
 */
async function deploySpecs(edit: (specs: WorkloadSpec[]) => WorkloadSpec[]): Promise<void> {
  setConfig({ target: 'fargate' });
  for (const list of [registered, urns, aliases, calls]) list.length = 0;
  const config = readStackConfig();
  const discovery = new Discovery('discovery', { namespaceName: 'dev.mcp-on-aws.local' });
  const auth = authorization(config);
  const keys = requestState();
  const services = [discovery.addServer('cost', { serviceName: 'mcp-server', primary: true }), discovery.addServer('text', { serviceName: 'text', primary: false })];
  const specs = edit([...services.map((s) => serverSpec(config, s.server, s.primary, s, auth, keys)), agentSpec(config, discovery, auth)]);
  const out = deployOn(fargateTarget, { config, opts: {}, discovery, specs, stack: 'dev', project: 'mcp-on-aws' });
  await valueOf(pulumi.all([out.mcpUrl, out.agentUrl, out.servers]));
  await waitForRPCs();
}

/** A workload's resource: the primary server's (fargate-cost-…) unless another is named. */
const named = (d: Deployed, type: string, name: string) => {
  const found = d.resources.filter((r) => r.type === type && r.name === name);
  if (found.length !== 1) throw new Error(`expected one ${type} named ${name}, found ${found.length}`);
  return found[0]!;
};
const taskDefinition = (d: Deployed, workload = 'fargate-cost') => named(d, 'aws:ecs/taskDefinition:TaskDefinition', `${workload}-task`);
const container = (d: Deployed, workload = 'fargate-cost') => JSON.parse(taskDefinition(d, workload).inputs.containerDefinitions)[0];
const env = (d: Deployed, workload = 'fargate-cost') => Object.fromEntries(container(d, workload).environment.map((e: any) => [e.name, e.value]));
const service = (d: Deployed, workload = 'fargate-cost') => named(d, 'aws:ecs/service:Service', `${workload}-service`);
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

describe('Fargate platform and workloads (under mocks)', function () {
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
      const groups = d.all('aws:lb/targetGroup:TargetGroup');
      assert.deepEqual(groups.map((g) => g.name).sort(), ['fargate-lb-tg', 'fargate-text-tg']);
      for (const { inputs: tg } of groups) {
        assert.equal(tg.targetType, 'ip');
        assert.equal(tg.port, 3000);
        assert.equal(tg.healthCheck.path, '/healthz');
        assert.equal(tg.healthCheck.matcher, '200');
        assert.equal(tg.deregistrationDelay, 300);
      }
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
      const td = taskDefinition(d).inputs;
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
      for (const workload of ['fargate-cost', 'fargate-text']) {
        assert.deepEqual(statements(d, `${workload}-task`), [REQUEST_STATE_READ, XRAY_WRITE], 'the app’s own role may only read its key and write its traces');
        assert.deepEqual(container(d, workload).secrets.map((s: any) => s.name), ['API_KEY', 'DB_PASSWORD', 'TOKEN']);
      }
    });

    it('lets the execution role pull the image, write its log group, read the secrets by their own ARNs and decrypt them with their key', () => {
      const role = d.all('aws:iam/role:Role').find((r) => r.name === 'fargate-cost-execution')!;
      assert.deepEqual(JSON.parse(role.inputs.assumeRolePolicy), {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { Service: 'ecs-tasks.amazonaws.com' }, Action: 'sts:AssumeRole' }],
      });
      assert.equal(taskDefinition(d).inputs.executionRoleArn, 'arn:aws:iam::123456789012:role/fargate-cost-execution-9c4b7a2');
      assert.equal(taskDefinition(d).inputs.taskRoleArn, 'arn:aws:iam::123456789012:role/fargate-cost-task-9c4b7a2');
      assert.deepEqual(policy(d, 'fargate-cost-execution'), {
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
            Resource: 'arn:aws:logs:us-east-1:123456789012:log-group:fargate-cost-logs-5d8e1f0:*',
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
      const group = d.all('aws:cloudwatch/logGroup:LogGroup').find((g) => g.name === 'fargate-cost-logs')!;
      assert.equal(group.inputs.retentionInDays, 90);
      assert.deepEqual(container(d).logConfiguration.options, {
        'awslogs-group': 'fargate-cost-logs-5d8e1f0',
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
      for (const workload of ['fargate-cost', 'fargate-text']) assert.deepEqual(service(d, workload).opts.ignoreChanges, ['desiredCount']);
    });

    it('deploys with a circuit breaker that rolls back and never drops below the desired count', () => {
      const svc = service(d).inputs;
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
      const cloudMap = d.one('aws:servicediscovery/service:Service', 'discovery-cost').inputs;
      assert.equal(cloudMap.name, 'mcp-server');
      assert.deepEqual(cloudMap.healthCheckCustomConfig, { failureThreshold: 1 });
      assert.deepEqual(service(d).inputs.serviceRegistries, { registryArn: 'arn:aws:servicediscovery:us-east-1:123456789012:discovery-cost' });
      assert.deepEqual(service(d, 'fargate-text').inputs.serviceRegistries, { registryArn: 'arn:aws:servicediscovery:us-east-1:123456789012:discovery-text' });
    });

    it('scales between min and max on CPU and on requests per target', () => {
      const target = d.one('aws:appautoscaling/target:Target', 'fargate-cost-scaling').inputs;
      assert.equal(target.minCapacity, 2);
      assert.equal(target.maxCapacity, 6);
      assert.equal(target.resourceId, 'service/fargate-cluster/fargate-cost-service');
      const policies = d
        .all('aws:appautoscaling/policy:Policy')
        .filter((p) => p.name.startsWith('fargate-cost-'))
        .map((p) => p.inputs.targetTrackingScalingPolicyConfiguration);
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

  describe('many servers behind one front door (default settings, with a domain)', () => {
    let d: Deployed;
    before(async () => {
      d = await deployWith({ target: 'fargate', ...DOMAIN });
    });

    it('builds one platform: one ALB with its listeners, one cluster, one security group for every server’s tasks', () => {
      assert.deepEqual(d.resources.filter((r) => r.type === 'mcp-on-aws:index:FargatePlatform').map((r) => r.name), ['fargate']);
      assert.equal(d.all('aws:lb/loadBalancer:LoadBalancer').length, 1);
      assert.deepEqual(d.all('aws:lb/listener:Listener').map((l) => l.inputs.port).sort(), [443, 80]);
      assert.equal(d.all('aws:ecs/cluster:Cluster').length, 1);
      for (const workload of ['fargate-cost', 'fargate-text']) {
        assert.deepEqual(service(d, workload).inputs.networkConfiguration.securityGroups, ['fargate-tasks-id']);
        assert.equal(service(d, workload).inputs.cluster, 'arn:aws:ecs:us-east-1:123456789012:fargate-cluster');
      }
    });

    it('makes one workload per server, plus the agent, each with its own task definition and service', () => {
      assert.deepEqual(d.resources.filter((r) => r.type === 'mcp-on-aws:index:FargateWorkload').map((r) => r.name).sort(), ['agent', 'fargate-cost', 'fargate-text']);
      assert.deepEqual(d.resources.filter((r) => r.type === 'aws:ecs/service:Service').map((r) => r.name).sort(), ['agent-service', 'fargate-cost-service', 'fargate-text-service']);
      assert.deepEqual(
        d.resources.filter((r) => r.type === 'aws:ecs/taskDefinition:TaskDefinition').map((r) => r.inputs.family).sort(),
        ['mcp-on-aws-dev-agent', 'mcp-on-aws-dev-cost', 'mcp-on-aws-dev-text'],
      );
    });

    it('tells each server’s tasks which server they serve, with the image’s server command', () => {
      for (const server of ['cost', 'text']) {
        assert.equal(env(d, `fargate-${server}`).MCP_SERVER, server);
        assert.deepEqual(container(d, `fargate-${server}`).command, ['node', 'index.js']);
      }
    });

    it('routes /text/… to the text tasks by a rule on the HTTPS listener; what no rule matches goes to the primary', () => {
      const https = d.all('aws:lb/listener:Listener').find((l) => l.inputs.port === 443)!;
      const rules = d.all('aws:lb/listenerRule:ListenerRule');
      assert.deepEqual(rules.map((r) => r.name), ['fargate-text-rule'], 'one rule, for the server that is not primary');
      const rule = rules[0]!.inputs;
      assert.equal(rule.listenerArn, https.state.arn);
      assert.deepEqual(rule.conditions, [{ pathPattern: { values: ['/text/mcp', '/text/healthz', '/.well-known/oauth-protected-resource/text/mcp'] } }]);
      assert.ok(Number.isInteger(rule.priority) && rule.priority >= 1 && rule.priority <= 50_000, String(rule.priority));
      // The rule forwards to the target group the text service registers its tasks in, on the port its container listens on.
      const textTg = d.one('aws:lb/targetGroup:TargetGroup', 'fargate-text-tg');
      assert.deepEqual(rule.actions, [{ type: 'forward', targetGroupArn: textTg.state.arn }]);
      const [textLb] = service(d, 'fargate-text').inputs.loadBalancers;
      assert.equal(textLb.targetGroupArn, textTg.state.arn);
      assert.equal(textLb.containerName, container(d, 'fargate-text').name);
      assert.equal(textLb.containerPort, container(d, 'fargate-text').portMappings[0].containerPort);
      assert.equal(textTg.inputs.port, textLb.containerPort);
      // The primary (/mcp, /cost/mcp and everything else) is the listeners' default: the ALB of a one-server stack, unchanged.
      const primaryTg = d.one('aws:lb/targetGroup:TargetGroup', 'fargate-lb-tg').state.arn;
      assert.deepEqual(https.inputs.defaultActions, [{ type: 'forward', targetGroupArn: primaryTg }]);
      assert.equal(service(d).inputs.loadBalancers[0].targetGroupArn, primaryTg);
    });

    it('starts a server’s service, and registers its URL, only once its rule forwards to its target group', () => {
      const rule = 'aws:lb/listenerRule:ListenerRule fargate-text-rule';
      assert.ok(dependenciesOf('aws:ecs/service:Service', 'fargate-text-service').all.includes(rule));
      assert.ok(dependenciesOf('aws:servicediscovery/instance:Instance', 'discovery-text-fargate-endpoint').all.includes(rule));
      assert.ok(dependenciesOf('aws:servicediscovery/instance:Instance', 'discovery-cost-fargate-endpoint').all.includes('aws:lb/listener:Listener fargate-lb-https'));
    });

    it('scales each server on the requests its own target group counts', () => {
      const label = (workload: string) =>
        d.one('aws:appautoscaling/policy:Policy', `${workload}-requests`).inputs.targetTrackingScalingPolicyConfiguration.predefinedMetricSpecification.resourceLabel;
      assert.equal(label('fargate-text'), 'app/fargate-lb-alb/50dc6c495c0c9188/targetgroup/fargate-text-tg/73e2d6bc24d8a067');
      assert.equal(label('fargate-cost'), 'app/fargate-lb-alb/50dc6c495c0c9188/targetgroup/fargate-lb-tg/73e2d6bc24d8a067');
      assert.equal(d.one('aws:appautoscaling/target:Target', 'fargate-text-scaling').inputs.resourceId, 'service/fargate-cluster/fargate-text-service');
    });

    it('registers each server’s URL at the front door in its own Cloud Map service, with every attribute', () => {
      const instances = d.all('aws:servicediscovery/instance:Instance');
      assert.deepEqual(instances.map((i) => i.name).sort(), ['discovery-cost-fargate-endpoint', 'discovery-text-fargate-endpoint']);
      for (const [server, primary] of [['cost', true], ['text', false]] as const) {
        const instance = instances.find((i) => i.name === `discovery-${server}-fargate-endpoint`)!.inputs;
        assert.equal(instance.serviceId, `discovery-${server}-id`);
        assert.equal(instance.instanceId, 'fargate-endpoint');
        assert.deepEqual(instance.attributes, {
          mcp_server: server,
          mcp_url: `https://mcp.example.com/${server}/mcp`,
          mcp_transport: 'streamable-http',
          mcp_target: 'fargate',
          mcp_primary: String(primary),
          app_version: APP_VERSION,
          mcp_auth: 'cognito',
          mcp_auth_scope: `mcp-on-aws-dev/${server}`,
        });
      }
    });

    it('outputs every server’s URLs and Cloud Map service; the primary keeps /mcp', async () => {
      assert.deepEqual(await valueOf(d.outputs.servers), {
        cost: { mcpUrl: 'https://mcp.example.com/cost/mcp', healthUrl: 'https://mcp.example.com/cost/healthz', discoveryService: 'mcp-server', primary: true },
        text: { mcpUrl: 'https://mcp.example.com/text/mcp', healthUrl: 'https://mcp.example.com/text/healthz', discoveryService: 'text', primary: false },
      });
      assert.equal(await valueOf(d.outputs.mcpUrl), 'https://mcp.example.com/mcp');
    });
  });

  describe('listener rule priorities', () => {
    it('are distinct, within what ALB accepts, and stay where they are when a server is added or removed', () => {
      const two = rulePriorities(['cost', 'text']);
      // One name sorts before both, one after.
      const three = rulePriorities(['alpha', 'cost', 'text', 'weather']);
      assert.equal(three.cost, two.cost);
      assert.equal(three.text, two.text);
      assert.deepEqual(rulePriorities(['text']), { text: two.text });
      const all = Object.values(three);
      assert.equal(new Set(all).size, all.length);
      for (const p of all) assert.ok(p >= 1 && p + RULE_PRIORITY_SLOTS - 1 <= MAX_RULE_PRIORITY, String(p));
    });

    it('give two names of the same block different blocks, the first in sorted order keeping its own', () => {
      // A pair of names whose hashes share a block, found by counting up (deterministic).
      const seen = new Map<number, string>();
      let pair: [string, string] | undefined;
      for (let i = 0; !pair; i++) {
        const name = `s${i}`;
        const other = seen.get(ruleBlock(name));
        if (other) pair = [other, name];
        else seen.set(ruleBlock(name), name);
      }
      const [first, second] = pair.sort();
      const priorities = rulePriorities([second!, first!]);
      assert.equal(priorities[first!], 1 + ruleBlock(first!) * RULE_PRIORITY_SLOTS);
      assert.equal(priorities[second!], 1 + ((ruleBlock(second!) + 1) % RULE_BLOCKS) * RULE_PRIORITY_SLOTS);
    });

    it('put a server with more paths than a rule may hold in consecutive rules of its block', async () => {
      const paths = ['/text/mcp', '/text/healthz', '/text/a', '/text/b', '/text/c', '/text/d'];
      await deploySpecs((specs) => specs.map((s) => (s.name === 'text' ? { ...s, routes: paths.map((path) => ({ path, method: 'ANY' as const })) } : s)));
      const rules = registered.filter((r) => r.type === 'aws:lb/listenerRule:ListenerRule').sort((a, b) => a.name.localeCompare(b.name));
      assert.deepEqual(rules.map((r) => r.name), ['fargate-text-rule', 'fargate-text-rule-2']);
      assert.deepEqual(rules.map((r) => r.inputs.conditions[0].pathPattern.values), [paths.slice(0, 5), paths.slice(5)]);
      const first = rulePriorities(['cost', 'text']).text!;
      assert.deepEqual(rules.map((r) => r.inputs.priority), [first, first + 1]);
    });
  });

  describe('target group names', () => {
    it('are Pulumi’s own while they fit; a server name of 20 characters gets one of 32, stable and distinct per stack', async () => {
      const long = 'abcdefghij-klmnopqrs';
      assert.equal(serverNameProblem(long), undefined, 'a name a server may have');
      await deploySpecs((specs) => specs.map((s) => (s.name === 'text' ? { ...s, name: long, routes: frontDoorRoutes(long, false) } : s)));
      const groups = registered.filter((r) => r.type === 'aws:lb/targetGroup:TargetGroup');
      const byName = Object.fromEntries(groups.map((g) => [g.name, g.inputs.name]));
      // The primary's, as a one-server stack made it: no name given, so Pulumi's stays.
      assert.deepEqual(Object.keys(byName).sort(), ['fargate-abcdefghij-klmnopqrs-tg', 'fargate-lb-tg']);
      assert.equal(byName['fargate-lb-tg'], undefined);
      const given = byName['fargate-abcdefghij-klmnopqrs-tg'];
      assert.match(given, /^fargate-abcdefghij-klmno-[0-9a-f]{7}$/);
      assert.ok(given.length <= 32, given);
      assert.equal(targetGroupName('fargate-abcdefghij-klmnopqrs-tg', 'mcp-on-aws/dev'), given, 'the same on every update');
      assert.notEqual(targetGroupName('fargate-abcdefghij-klmnopqrs-tg', 'mcp-on-aws/prod'), given, 'another stack, another name');
      assert.equal(targetGroupName('fargate-abcdefghijklm-tg', 'mcp-on-aws/dev'), undefined, '24 characters and Pulumi’s 8 fit');
    });
  });

  describe('a workload’s own settings', () => {
    it('reach only that workload: a larger text server leaves the cost server and the agent as they were', async () => {
      await deploySpecs((specs) =>
        specs.map((s) => (s.name === 'text' ? { ...s, settings: { ...s.settings, fargateCpu: 1024, fargateMemoryMb: 4096, maxCount: 20 } } : s)),
      );
      const size = (workload: string) => {
        const td = registered.find((r) => r.type === 'aws:ecs/taskDefinition:TaskDefinition' && r.name === `${workload}-task`)!.inputs;
        return [td.cpu, td.memory];
      };
      assert.deepEqual(size('fargate-text'), ['1024', '4096']);
      assert.deepEqual(size('fargate-cost'), ['512', '1024']);
      assert.deepEqual(size('agent'), ['256', '512']);
      const max = (workload: string) => registered.find((r) => r.type === 'aws:appautoscaling/target:Target' && r.name === `${workload}-scaling`)!.inputs.maxCapacity;
      assert.equal(max('fargate-text'), 20);
      assert.equal(max('fargate-cost'), 10);
    });
  });

  describe('the agent', () => {
    let d: Deployed;
    before(async () => {
      d = await deployWith({ target: 'fargate' });
    });
    const agentTaskDefinition = () => named(d, 'aws:ecs/taskDefinition:TaskDefinition', 'agent-task');

    it('runs the same image with the agent’s command, as its own service in the private subnets', () => {
      const c = JSON.parse(agentTaskDefinition().inputs.containerDefinitions)[0];
      assert.deepEqual(c.command, ['node', 'agent.js']);
      assert.match(c.image, /image-repo@sha256:/);
      assert.equal(c.readonlyRootFilesystem, true);
      const agentEnv = Object.fromEntries(c.environment.map((e: any) => [e.name, e.value]));
      assert.equal(agentEnv.CLOUD_MAP_NAMESPACE, 'dev.mcp-on-aws.local');
      assert.equal(agentEnv.CLOUD_MAP_NAMESPACE_ID, 'discovery-ns-id');
      assert.equal(agentEnv.BEDROCK_MODEL_ID, undefined);
      assert.equal(agentEnv.MCP_SERVER, undefined);
      // Its Host check accepts the name the VPC reaches it by (agentUrl), and loopback names.
      assert.equal(agentEnv.ALLOWED_HOSTS, 'agent.internal.dev.mcp-on-aws.local,localhost,127.0.0.1,[::1]');
      assert.equal(agentEnv.HOST, '0.0.0.0');
      assert.equal(agentEnv.AGENT_PORT, '3001');
      const svc = service(d, 'agent').inputs;
      assert.equal(svc.networkConfiguration.assignPublicIp, false);
      assert.deepEqual(svc.networkConfiguration.subnets, ['network-private-0-id', 'network-private-1-id']);
      assert.equal(svc.cluster, 'arn:aws:ecs:us-east-1:123456789012:fargate-cluster');
      assert.equal(svc.desiredCount, 1);
      assert.equal(svc.loadBalancers, undefined, 'not behind the load balancer');
      assert.deepEqual(d.agent('aws:appautoscaling/target:Target'), [], 'one task, not scaled');
    });

    it('has its own execution role, which writes its log group, and a task role that may only discover and list', () => {
      const byName = Object.fromEntries(d.agent('aws:iam/rolePolicy:RolePolicy').map((p) => [p.name, p.inputs] as [string, any]));
      assert.deepEqual(Object.keys(byName).sort(), ['agent-execution', 'agent-task']);
      assert.equal(byName['agent-execution'].role, 'agent-execution-id');
      assert.deepEqual(JSON.parse(byName['agent-execution'].policy), {
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Action: ['ecr:GetAuthorizationToken'], Resource: '*' },
          {
            Effect: 'Allow',
            Action: ['ecr:BatchCheckLayerAvailability', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchGetImage'],
            Resource: 'arn:aws:ecr:us-east-1:123456789012:repository/image-repo',
          },
          { Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: 'arn:aws:logs:us-east-1:123456789012:log-group:agent-logs-5d8e1f0:*' },
        ],
      });
      assert.equal(byName['agent-task'].role, 'agent-task-id');
      assert.deepEqual(JSON.parse(byName['agent-task'].policy), agentPolicyDocument(false));
      const td = agentTaskDefinition().inputs;
      assert.equal(td.executionRoleArn, 'arn:aws:iam::123456789012:role/agent-execution-9c4b7a2');
      assert.equal(td.taskRoleArn, 'arn:aws:iam::123456789012:role/agent-task-9c4b7a2');
      assert.deepEqual([td.cpu, td.memory], ['256', '512']);
      const c = JSON.parse(td.containerDefinitions)[0];
      assert.deepEqual(c.logConfiguration.options, { 'awslogs-group': 'agent-logs-5d8e1f0', 'awslogs-region': 'us-east-1', 'awslogs-stream-prefix': 'agent' });
      assert.deepEqual(c.secrets, []);
      // No server's execution role is given anything of the agent's.
      for (const workload of ['fargate-cost', 'fargate-text']) {
        assert.ok(!JSON.stringify(policy(d, `${workload}-execution`)).includes('agent-logs'), workload);
      }
    });

    it('lets the agent out only to the MCP tasks in the VPC and HTTPS', () => {
      assert.deepEqual(d.agent('aws:ec2/securityGroup:SecurityGroup')[0]!.inputs.egress, [
        { protocol: 'tcp', fromPort: 3000, toPort: 3000, cidrBlocks: ['10.0.0.0/16'], description: 'to the MCP tasks' },
        { protocol: 'tcp', fromPort: 443, toPort: 443, cidrBlocks: ['0.0.0.0/0'], description: 'HTTPS: Cloud Map, Bedrock, ECR' },
      ]);
      assert.deepEqual(service(d, 'agent').inputs.networkConfiguration.securityGroups, ['agent-sg-id']);
    });

    it('may reach the MCP tasks on their port, which admit it by security group', () => {
      const rule = d.agent('aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule')[0]!.inputs;
      assert.equal(rule.securityGroupId, 'fargate-tasks-id');
      assert.equal(rule.referencedSecurityGroupId, 'agent-sg-id');
      assert.equal(rule.fromPort, 3000);
      assert.equal(rule.toPort, 3000);
    });

    it('is reachable inside the VPC by its name in the platform’s private namespace, not from the internet', async () => {
      const registry = d.agent('aws:servicediscovery/service:Service')[0]!.inputs;
      assert.equal(registry.name, 'agent');
      const ns = d.one('aws:servicediscovery/privateDnsNamespace:PrivateDnsNamespace', 'fargate-internal-dns');
      assert.equal(ns.inputs.name, 'internal.dev.mcp-on-aws.local');
      assert.equal(ns.inputs.vpc, 'network-vpc-id');
      assert.equal(registry.namespaceId, 'fargate-internal-dns-id', 'the id of the namespace above');
      assert.deepEqual(service(d, 'agent').inputs.serviceRegistries, { registryArn: 'arn:aws:servicediscovery:us-east-1:123456789012:agent-registry' });
      assert.equal(await valueOf(d.outputs.agentUrl), 'http://agent.internal.dev.mcp-on-aws.local:3001');
      const sg = d.agent('aws:ec2/securityGroup:SecurityGroup')[0]!.inputs;
      assert.deepEqual(sg.ingress.map((r: any) => [r.fromPort, r.cidrBlocks]), [[3001, ['10.0.0.0/16']]], 'not open to the internet');
    });

    it('may invoke only the configured model', async () => {
      const withModel = await deployWith({ target: 'fargate', agentModelId: MODEL });
      const statements = JSON.parse(named(withModel, 'aws:iam/rolePolicy:RolePolicy', 'agent-task').inputs.policy).Statement;
      assert.deepEqual(statements.find((s: any) => s.Action.includes('bedrock:InvokeModel')).Resource, [
        `arn:aws:bedrock:us-east-1:123456789012:inference-profile/${MODEL}`,
        'arn:aws:bedrock:*::foundation-model/anthropic.claude-sonnet-4-5-20250929-v1:0',
      ]);
      const c = JSON.parse(named(withModel, 'aws:ecs/taskDefinition:TaskDefinition', 'agent-task').inputs.containerDefinitions)[0];
      assert.ok(c.environment.some((e: any) => e.name === 'BEDROCK_MODEL_ID' && e.value === MODEL));
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
      const td = taskDefinition(d).inputs;
      assert.equal(td.cpu, '512');
      assert.equal(td.memory, '1024');
    });
  });

  describe('with an idle timeout over what a target group may drain (3601 to 4000 s)', () => {
    for (const idleTimeoutSeconds of [3601, 4000]) {
      it(`keeps the ALB idle timeout at ${idleTimeoutSeconds} s and drains targets for the 3600 s ALB allows`, async () => {
        const d = await deployWith({ target: 'fargate', idleTimeoutSeconds });
        assert.equal(d.one('aws:lb/loadBalancer:LoadBalancer').inputs.idleTimeout, idleTimeoutSeconds);
        for (const tg of d.all('aws:lb/targetGroup:TargetGroup')) assert.equal(tg.inputs.deregistrationDelay, 3600, tg.name);
        for (const workload of ['fargate-cost', 'fargate-text']) assert.equal(Number(env(d, workload).KEEP_ALIVE_TIMEOUT_MS), (idleTimeoutSeconds + 5) * 1000);
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
