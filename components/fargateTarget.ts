import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { HEALTH_PATH, healthCommand, MCP_PATH, MCP_PORT } from '../app/contract';
import { secretReference } from '../config';
import type { CustomDomain } from './domain';
import type { DiscoveryService } from './discovery';
import { assumeRolePolicy, policyDocument, writeLogsStatement } from './iam';
import type { ContainerImage } from './image';
import { appEnvironment, CONTAINER_NAME, NODE_UID, STOP_TIMEOUT_SECONDS } from './container';
import { LoadBalancer } from './loadBalancer';
import type { Network } from './network';

export interface FargateTargetArgs {
  network: Network;
  image: ContainerImage;
  /** The primary server's Cloud Map service. */
  service: DiscoveryService;
  domain?: CustomDomain;
  cpu: number;
  memoryMb: number;
  desiredCount: number;
  minCount: number;
  maxCount: number;
  cpuTargetPercent: number;
  requestsPerTarget: number;
  idleTimeoutSeconds: number;
  logRetentionDays: number;
  allowedOrigins: string[];
  /** Environment variable name → Secrets Manager secret ARN, optionally with `:json-key:version-stage:version-id`. */
  secrets: Record<string, string>;
  /** Customer managed KMS keys that encrypt those secrets (none for the AWS managed key). */
  secretsKmsKeyArns?: string[];
}

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

/**
 * The app's image on ECS Fargate (arm64) in private subnets, behind an HTTPS ALB, scaled on CPU and on
 * requests per task, with its tasks registered in Cloud Map.
 */
export class FargateTarget extends pulumi.ComponentResource {
  readonly mcpUrl: pulumi.Output<string>;
  readonly healthUrl: pulumi.Output<string>;
  readonly clusterName: pulumi.Output<string>;
  readonly clusterArn: pulumi.Output<string>;
  readonly serviceName: pulumi.Output<string>;
  /** The tasks' security group: add ingress rules to it for other clients in the VPC. */
  readonly taskSecurityGroupId: pulumi.Output<string>;
  /** The role ECS uses to pull the image and write logs; the agent's tasks use it too. */
  readonly executionRoleArn: pulumi.Output<string>;
  readonly executionRoleName: pulumi.Output<string>;

  constructor(name: string, args: FargateTargetArgs, opts?: pulumi.ComponentResourceOptions) {
    super('mcp-on-aws:index:FargateTarget', name, {}, opts);
    const parent = this;

    const lb = new LoadBalancer(
      `${name}-lb`,
      { network: args.network, targetPort: MCP_PORT, idleTimeoutSeconds: args.idleTimeoutSeconds, domain: args.domain },
      { parent },
    );
    const serviceSg = new aws.ec2.SecurityGroup(
      `${name}-tasks`,
      {
        vpcId: args.network.vpcId,
        description: 'MCP server tasks: the app port from the load balancer (and the agent) only',
        egress: [{ protocol: 'tcp', fromPort: 443, toPort: 443, cidrBlocks: ['0.0.0.0/0'], description: 'HTTPS out: ECR, Secrets Manager, logs, tools' }],
      },
      { parent },
    );

    // Ingress as rules of their own, so that the agent can add its rule beside this one.
    new aws.vpc.SecurityGroupIngressRule(
      `${name}-from-lb`,
      {
        securityGroupId: serviceSg.id,
        ipProtocol: 'tcp',
        fromPort: MCP_PORT,
        toPort: MCP_PORT,
        referencedSecurityGroupId: lb.securityGroupId,
        description: 'from the load balancer',
      },
      { parent },
    );

    const cluster = new aws.ecs.Cluster(`${name}-cluster`, { settings: [{ name: 'containerInsights', value: 'enabled' }] }, { parent });
    const logGroup = new aws.cloudwatch.LogGroup(`${name}-logs`, { retentionInDays: args.logRetentionDays }, { parent });

    const assumeEcsTasks = assumeRolePolicy('ecs-tasks.amazonaws.com');
    // ECS itself: pull the image, write logs, read the configured secrets. Nothing else.
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
            Resource: args.image.repositoryArn,
          },
          writeLogsStatement(logGroup.arn),
          ...secretStatements(args.secrets, args.secretsKmsKeyArns),
        ]),
      },
      { parent },
    );
    // The app's own identity: it calls no AWS API, so it is given none.
    const taskRole = new aws.iam.Role(`${name}-task`, { assumeRolePolicy: assumeEcsTasks }, { parent });

    const region = aws.getRegionOutput({}, { parent }).name;
    const container = pulumi.all([args.image.imageRef, logGroup.name, region]).apply(([image, logGroupName, regionName]) => [
      {
        name: CONTAINER_NAME,
        image,
        essential: true,
        user: String(NODE_UID),
        readonlyRootFilesystem: true,
        portMappings: [{ name: 'mcp', containerPort: MCP_PORT, protocol: 'tcp' }],
        environment: appEnvironment({ idleTimeoutSeconds: args.idleTimeoutSeconds, allowedOrigins: args.allowedOrigins }),
        secrets: Object.entries(args.secrets).map(([name, valueFrom]) => ({ name, valueFrom })),
        healthCheck: {
          command: ['CMD', ...healthCommand(MCP_PORT)],
          interval: 15,
          timeout: 5,
          retries: 3,
          startPeriod: 10,
        },
        stopTimeout: STOP_TIMEOUT_SECONDS,
        logConfiguration: {
          logDriver: 'awslogs',
          options: { 'awslogs-group': logGroupName, 'awslogs-region': regionName, 'awslogs-stream-prefix': 'mcp' },
        },
      },
    ]);
    const taskDefinition = new aws.ecs.TaskDefinition(
      `${name}-task`,
      {
        family: `${name}-mcp-server`,
        cpu: String(args.cpu),
        memory: String(args.memoryMb),
        networkMode: 'awsvpc',
        requiresCompatibilities: ['FARGATE'],
        runtimePlatform: { operatingSystemFamily: 'LINUX', cpuArchitecture: 'ARM64' },
        executionRoleArn: executionRole.arn,
        taskRoleArn: taskRole.arn,
        containerDefinitions: pulumi.jsonStringify(container),
      },
      { parent },
    );

    const service = new aws.ecs.Service(
      `${name}-service`,
      {
        cluster: cluster.arn,
        taskDefinition: taskDefinition.arn,
        launchType: 'FARGATE',
        desiredCount: args.desiredCount,
        networkConfiguration: { subnets: args.network.privateSubnetIds, securityGroups: [serviceSg.id], assignPublicIp: false },
        loadBalancers: [{ targetGroupArn: lb.targetGroupArn, containerName: CONTAINER_NAME, containerPort: MCP_PORT }],
        healthCheckGracePeriodSeconds: 30,
        deploymentCircuitBreaker: { enable: true, rollback: true },
        deploymentMinimumHealthyPercent: 100,
        deploymentMaximumPercent: 200,
        // ECS registers each task's IP address, and its health, in the stack's discovery service.
        serviceRegistries: { registryArn: args.service.serviceArn },
        propagateTags: 'SERVICE',
        enableEcsManagedTags: true,
      },
      // Autoscaling owns the count once the service exists.
      { parent, dependsOn: lb.listeners, ignoreChanges: ['desiredCount'] },
    );

    const scaling = new aws.appautoscaling.Target(
      `${name}-scaling`,
      {
        serviceNamespace: 'ecs',
        scalableDimension: 'ecs:service:DesiredCount',
        resourceId: pulumi.interpolate`service/${cluster.name}/${service.name}`,
        minCapacity: args.minCount,
        maxCapacity: args.maxCount,
      },
      { parent },
    );
    const tracking = (metric: string, target: number, resourceLabel?: pulumi.Input<string>) =>
      new aws.appautoscaling.Policy(
        `${name}-${metric === 'ECSServiceAverageCPUUtilization' ? 'cpu' : 'requests'}`,
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
    tracking('ECSServiceAverageCPUUtilization', args.cpuTargetPercent);
    tracking('ALBRequestCountPerTarget', args.requestsPerTarget, lb.resourceLabel);

    this.mcpUrl = pulumi.interpolate`${lb.baseUrl}${MCP_PATH}`;
    this.healthUrl = pulumi.interpolate`${lb.baseUrl}${HEALTH_PATH}`;
    this.clusterName = cluster.name;
    this.clusterArn = cluster.arn;
    this.serviceName = service.name;
    this.taskSecurityGroupId = serviceSg.id;
    this.executionRoleArn = executionRole.arn;
    this.executionRoleName = executionRole.name;
    this.registerOutputs({ mcpUrl: this.mcpUrl, healthUrl: this.healthUrl });
  }
}
