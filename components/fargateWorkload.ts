import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { healthCommand, MCP_PORT } from '../app/contract';
import { secretReference } from '../config';
import { CONTAINER_NAME, containerEnvironment, NODE_UID, STOP_TIMEOUT_SECONDS, toEnvList } from './container';
import type { FargatePlatform } from './fargatePlatform';
import { assumeRolePolicy, policyDocument, writeLogsStatement } from './iam';
import { COLLECTOR_CONTAINER, collectorConfig } from './tracing';
import { workloadOptions, type LegacyNames } from './legacy';
import { requestCountLabel, targetGroup } from './loadBalancer';
import type { Workload, WorkloadMonitoring, WorkloadSpec } from './workload';

export const FARGATE_WORKLOAD_TYPE = 'mcp-on-aws:index:FargateWorkload';

/**
 * The one-server stack's names: the primary server's children were `fargate-<suffix>` under
 * FargateTarget; the agent's kept theirs under FargateAgent. The agent's execution role is new: it used
 * the server's, with a policy that is removed.
 */
const LEGACY_NAMES: LegacyNames = {
  server: (suffix) => `fargate-${suffix}`,
  agent: (suffix, child) => (suffix === 'execution' ? undefined : child),
};

/** The most values a listener rule's conditions may hold together (ALB counts every path of a path-pattern). */
export const MAX_RULE_CONDITION_VALUES = 5;

/**
 * What the execution role needs to read `secrets` for ECS: GetSecretValue on each secret's own ARN (a
 * JSON key or version suffix is not part of it; a partial ARN matches the random suffix), and, for
 * secrets under customer managed keys, Decrypt on those keys through Secrets Manager only.
 */
export function secretStatements(secrets: Record<string, string>, kmsKeyArns: readonly string[] = []): object[] {
  const refs = Object.entries(secrets).map(([name, valueFrom]) => {
    const ref = secretReference(valueFrom);
    if (!ref) throw new Error(`secret ${name}: ${valueFrom} is not a Secrets Manager secret ARN`);
    return ref;
  });
  if (!refs.length) return [];
  const unique = (values: string[]) => [...new Set(values)].sort();
  return [
    { Effect: 'Allow', Action: ['secretsmanager:GetSecretValue'], Resource: unique(refs.map((r) => r.policyResource)) },
    ...(kmsKeyArns.length
      ? [
          {
            Effect: 'Allow',
            Action: ['kms:Decrypt'],
            Resource: unique([...kmsKeyArns]),
            Condition: { StringEquals: { 'kms:ViaService': unique(refs.map((r) => `secretsmanager.${r.region}.amazonaws.com`)) } },
          },
        ]
      : []),
  ];
}

/** `values` in groups of at most `size`. */
export function chunks<T>(values: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < values.length; i += size) out.push(values.slice(i, i + size));
  return out;
}

export interface FargateWorkloadArgs {
  platform: FargatePlatform;
  spec: WorkloadSpec;
  stack: string;
  project: string;
}

/**
 * One workload on ECS Fargate (arm64), in the private subnets: an MCP server behind the platform's ALB
 * (the primary through the listeners' default action, any other through a listener rule with its
 * paths and its own target group), scaled on CPU and requests per task, its tasks registered in its
 * Cloud Map service; or a private workload (the agent) with its own security group, reached inside the
 * VPC by a name in the platform's private DNS namespace. Each has its own log group, execution role
 * (the image, its log group, its own secrets) and task role (its own policy, if any).
 */
export class FargateWorkload extends pulumi.ComponentResource implements Workload {
  readonly spec: WorkloadSpec;
  readonly servesAfter: pulumi.Resource[];
  readonly url?: pulumi.Output<string>;
  readonly serviceName: pulumi.Output<string>;
  readonly logGroupName: pulumi.Output<string>;
  readonly monitoring: WorkloadMonitoring;

  constructor(name: string, args: FargateWorkloadArgs, opts?: pulumi.ComponentResourceOptions) {
    const { platform, spec } = args;
    super(FARGATE_WORKLOAD_TYPE, name, {}, workloadOptions('fargate', FARGATE_WORKLOAD_TYPE, name, spec, LEGACY_NAMES, opts));
    const parent = this;
    this.spec = spec;
    const network = platform.network;
    const isPrivate = spec.exposure === 'private';

    // A public workload's tasks share the platform's security group, which the ALB reaches; a private one has its own.
    let securityGroupId = platform.serverSecurityGroupId;
    if (isPrivate) {
      const sg = new aws.ec2.SecurityGroup(
        `${name}-sg`,
        {
          vpcId: network.vpcId,
          description: 'MCP agent: its port from inside the VPC; out to the MCP tasks and HTTPS',
          ingress: [{ protocol: 'tcp', fromPort: spec.port, toPort: spec.port, cidrBlocks: [network.cidrBlock], description: 'from the VPC' }],
          egress: [
            ...(spec.callsServers ? [{ protocol: 'tcp', fromPort: MCP_PORT, toPort: MCP_PORT, cidrBlocks: [network.cidrBlock], description: 'to the MCP tasks' }] : []),
            { protocol: 'tcp', fromPort: 443, toPort: 443, cidrBlocks: ['0.0.0.0/0'], description: 'HTTPS: Cloud Map, Bedrock, ECR' },
          ],
        },
        { parent },
      );
      securityGroupId = sg.id;
    }
    if (spec.callsServers) {
      new aws.vpc.SecurityGroupIngressRule(
        `${name}-to-mcp`,
        {
          securityGroupId: platform.serverSecurityGroupId,
          ipProtocol: 'tcp',
          fromPort: MCP_PORT,
          toPort: MCP_PORT,
          referencedSecurityGroupId: securityGroupId,
          description: `from the ${spec.name}`,
        },
        { parent },
      );
    }

    const logGroup = new aws.cloudwatch.LogGroup(`${name}-logs`, { retentionInDays: spec.logRetentionDays }, { parent });
    const assumeEcsTasks = assumeRolePolicy('ecs-tasks.amazonaws.com');
    // ECS itself: pull the image, write this workload's logs, read its secrets. Nothing else.
    const executionRole = new aws.iam.Role(`${name}-execution`, { assumeRolePolicy: assumeEcsTasks }, { parent });
    new aws.iam.RolePolicy(
      `${name}-execution`,
      {
        role: executionRole.id,
        policy: policyDocument([
          // GetAuthorizationToken has no resource-level permissions: AWS requires "*" here.
          { Effect: 'Allow', Action: ['ecr:GetAuthorizationToken'], Resource: '*' },
          {
            Effect: 'Allow',
            Action: ['ecr:BatchCheckLayerAvailability', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchGetImage'],
            Resource: platform.image.repositoryArn,
          },
          writeLogsStatement(logGroup.arn),
          ...secretStatements(spec.secrets, spec.secretsKmsKeyArns),
        ]),
      },
      { parent },
    );
    // The workload's own identity: servers call no AWS API, so they are given none.
    const taskRole = new aws.iam.Role(`${name}-task`, { assumeRolePolicy: assumeEcsTasks }, { parent });
    if (spec.policy) new aws.iam.RolePolicy(`${name}-task`, { role: taskRole.id, policy: spec.policy(parent) }, { parent });

    // The names callers reach a private workload by: <name>.<internal domain>, its Cloud Map registry.
    const hostname = `${spec.name}.${platform.internalDomain}`;
    const environment = containerEnvironment(spec, { idleTimeoutSeconds: platform.idleTimeoutSeconds, hostnames: [hostname] });
    const region = aws.getRegionOutput({}, { parent }).name;
    const containerName = spec.kind === 'agent' ? spec.name : CONTAINER_NAME;
    const container = pulumi.all([platform.image.imageRef, logGroup.name, region, toEnvList(environment)]).apply(([image, group, regionName, env]) => [
      {
        name: containerName,
        image,
        command: spec.command,
        essential: true,
        user: String(NODE_UID),
        readonlyRootFilesystem: true,
        portMappings: [{ name: spec.kind === 'agent' ? spec.name : 'mcp', containerPort: spec.port, protocol: 'tcp' }],
        environment: env,
        secrets: Object.entries(spec.secrets).map(([secret, valueFrom]) => ({ name: secret, valueFrom })),
        healthCheck: { command: ['CMD', ...healthCommand(spec.port)], interval: 15, timeout: 5, retries: 3, startPeriod: 10 },
        stopTimeout: STOP_TIMEOUT_SECONDS,
        logConfiguration: {
          logDriver: 'awslogs',
          options: { 'awslogs-group': group, 'awslogs-region': regionName, 'awslogs-stream-prefix': spec.kind === 'agent' ? spec.name : 'mcp' },
        },
      },
      // Traced: the collector beside the app, which takes its OTLP on loopback to X-Ray (with the task role).
      ...(spec.tracing
        ? [
            {
              name: COLLECTOR_CONTAINER,
              image: spec.tracing.collectorImage,
              // Spans are lost while it restarts; the app keeps serving.
              essential: false,
              environment: [{ name: 'AOT_CONFIG_CONTENT', value: collectorConfig(regionName) }],
              logConfiguration: { logDriver: 'awslogs', options: { 'awslogs-group': group, 'awslogs-region': regionName, 'awslogs-stream-prefix': COLLECTOR_CONTAINER } },
            },
          ]
        : []),
    ]);
    const settings = spec.settings;
    const taskDefinition = new aws.ecs.TaskDefinition(
      `${name}-task`,
      {
        family: `${args.project}-${args.stack}-${spec.name}`,
        cpu: String(settings.fargateCpu),
        memory: String(settings.fargateMemoryMb),
        networkMode: 'awsvpc',
        requiresCompatibilities: ['FARGATE'],
        runtimePlatform: { operatingSystemFamily: 'LINUX', cpuArchitecture: 'ARM64' },
        executionRoleArn: executionRole.arn,
        taskRoleArn: taskRole.arn,
        containerDefinitions: pulumi.jsonStringify(container),
      },
      { parent },
    );

    // Public: the primary takes the listeners' default target group; any other server its own, behind its rules.
    const lb = platform.lb;
    let tg: aws.lb.TargetGroup | undefined;
    const rules: aws.lb.ListenerRule[] = [];
    if (!isPrivate) {
      if (spec.primary) {
        tg = lb.defaultTargetGroup;
      } else {
        tg = targetGroup(`${name}-tg`, { unique: `${args.project}/${args.stack}`, vpcId: network.vpcId, port: spec.port, idleTimeoutSeconds: platform.idleTimeoutSeconds }, { parent });
        const first = platform.rulePriority(spec.name);
        chunks(spec.routes.map((r) => r.path), MAX_RULE_CONDITION_VALUES).forEach((paths, i) =>
          rules.push(
            new aws.lb.ListenerRule(
              i === 0 ? `${name}-rule` : `${name}-rule-${i + 1}`,
              {
                listenerArn: lb.listenerArn,
                priority: first + i,
                actions: [{ type: 'forward', targetGroupArn: tg!.arn }],
                conditions: [{ pathPattern: { values: paths } }],
              },
              { parent },
            ),
          ),
        );
      }
    }

    // A private workload's name in the VPC: an A record per task in the platform's private namespace.
    const registry = isPrivate
      ? new aws.servicediscovery.Service(
          `${name}-registry`,
          {
            name: spec.name,
            namespaceId: platform.internalNamespace.id,
            dnsConfig: { namespaceId: platform.internalNamespace.id, routingPolicy: 'MULTIVALUE', dnsRecords: [{ type: 'A', ttl: 10 }] },
            healthCheckCustomConfig: { failureThreshold: 1 },
            forceDestroy: true,
          },
          { parent },
        )
      : undefined;
    // ECS registers each task's address, and its health, in the registry: a server's Cloud Map service, or the private name.
    const registryArn = spec.discovery?.serviceArn ?? registry?.arn;

    // What must exist before the server answers at its URL: the listeners, and its own rules.
    this.servesAfter = isPrivate ? [] : [...lb.listeners, ...rules];
    const service = new aws.ecs.Service(
      `${name}-service`,
      {
        cluster: platform.cluster.arn,
        taskDefinition: taskDefinition.arn,
        launchType: 'FARGATE',
        desiredCount: settings.desiredCount,
        networkConfiguration: { subnets: network.privateSubnetIds, securityGroups: [securityGroupId], assignPublicIp: false },
        ...(tg
          ? { loadBalancers: [{ targetGroupArn: tg.arn, containerName, containerPort: spec.port }], healthCheckGracePeriodSeconds: 30 }
          : {}),
        deploymentCircuitBreaker: { enable: true, rollback: true },
        deploymentMinimumHealthyPercent: 100,
        deploymentMaximumPercent: 200,
        ...(registryArn ? { serviceRegistries: { registryArn } } : {}),
        propagateTags: 'SERVICE',
        enableEcsManagedTags: true,
      },
      // A target group must be behind a listener before ECS registers tasks in it. Autoscaling owns the count once the service exists.
      { parent, dependsOn: this.servesAfter, ...(spec.autoscale ? { ignoreChanges: ['desiredCount'] } : {}) },
    );

    this.monitoring = { kind: 'ecs', clusterName: platform.cluster.name, serviceName: service.name, ...(tg ? { targetGroup: tg.arnSuffix } : {}) };

    if (spec.autoscale) {
      const scaling = new aws.appautoscaling.Target(
        `${name}-scaling`,
        {
          serviceNamespace: 'ecs',
          scalableDimension: 'ecs:service:DesiredCount',
          resourceId: pulumi.interpolate`service/${platform.cluster.name}/${service.name}`,
          minCapacity: settings.minCount,
          maxCapacity: settings.maxCount,
        },
        { parent },
      );
      const tracking = (suffix: string, metric: string, target: number, resourceLabel?: pulumi.Input<string>) =>
        new aws.appautoscaling.Policy(
          `${name}-${suffix}`,
          {
            policyType: 'TargetTrackingScaling',
            serviceNamespace: scaling.serviceNamespace,
            scalableDimension: scaling.scalableDimension,
            resourceId: scaling.resourceId,
            targetTrackingScalingPolicyConfiguration: {
              targetValue: target,
              predefinedMetricSpecification: { predefinedMetricType: metric, resourceLabel },
              scaleInCooldown: 120,
              scaleOutCooldown: 30,
            },
          },
          { parent },
        );
      tracking('cpu', 'ECSServiceAverageCPUUtilization', settings.cpuTargetPercent);
      if (tg) tracking('requests', 'ALBRequestCountPerTarget', settings.requestsPerTarget, requestCountLabel(lb.arnSuffix, tg.arnSuffix));
    }

    this.serviceName = service.name;
    this.logGroupName = logGroup.name;
    if (isPrivate) this.url = pulumi.output(`http://${hostname}:${spec.port}`);
    this.registerOutputs({ serviceName: this.serviceName, ...(this.url ? { url: this.url } : {}) });
  }
}
