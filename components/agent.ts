import * as aws from '@pulumi/aws';
import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import { AGENT_COMMAND, AGENT_PORT, ENV, HEALTH_PATH, healthCommand, LAMBDA_HANDLER, MCP_PORT } from '../app/contract';
import { LOOPBACK_HOSTS } from '../app/limits';
import { HTTP_API_TIMEOUT_SECONDS } from '../config';
import {
  DRAIN_TIMEOUT_MS,
  NODE_UID,
  preStopPause,
  STOP_TIMEOUT_SECONDS,
  TERMINATION_GRACE_SECONDS,
  toEnvList,
} from './container';
import type { Discovery } from './discovery';
import type { EksTarget } from './eksTarget';
import type { FargateTarget } from './fargateTarget';
import { assumeRolePolicy, lambdaBase, policyDocument, writeLogsStatement } from './iam';
import type { ContainerImage } from './image';
import type { Network } from './network';

export const AGENT_NAME = 'agent';

/** What every deployment of the agent shares: where to discover servers, and the Bedrock model. */
export interface AgentCommonArgs {
  discovery: Discovery;
  /** Bedrock model (or inference profile) id for POST /ask; without it /ask answers 501. */
  modelId?: string;
  logRetentionDays: number;
}

/**
 * The model ARNs `bedrock:InvokeModel` (which Converse needs) is allowed on: the foundation model, or for
 * a cross-Region inference profile (us., eu., apac., global.) the profile and the model in every Region it routes to.
 */
export function bedrockModelArns(modelId: string, region: string, account: string): string[] {
  const profile = /^(us|eu|apac|us-gov|global)\.(.+)$/.exec(modelId);
  if (!profile) return [`arn:aws:bedrock:${region}::foundation-model/${modelId}`];
  return [`arn:aws:bedrock:${region}:${account}:inference-profile/${modelId}`, `arn:aws:bedrock:*::foundation-model/${profile[2]}`];
}

/** The agent's permissions: discover instances of the stack's namespace, and invoke the configured model. */
function agentPolicy(args: AgentCommonArgs, parent: pulumi.Resource): pulumi.Output<string> {
  const account = aws.getCallerIdentityOutput({}, { parent }).accountId;
  const region = aws.getRegionOutput({}, { parent }).name;
  const modelId = args.modelId;
  return policyDocument([
    {
      // DiscoverInstances has no resource-level permissions; the condition limits it to this stack's namespace.
      Effect: 'Allow',
      Action: ['servicediscovery:DiscoverInstances'],
      Resource: '*',
      Condition: { StringEquals: { 'servicediscovery:NamespaceName': args.discovery.namespaceName } },
    },
    ...(modelId
      ? [
          {
            Effect: 'Allow',
            Action: ['bedrock:InvokeModel'],
            Resource: pulumi.all([region, account]).apply(([r, a]) => bedrockModelArns(modelId, r, a)),
          },
        ]
      : []),
  ]);
}

function agentEnvironment(args: AgentCommonArgs, extra: Record<string, string> = {}): Record<string, string> {
  return {
    [ENV.namespace]: args.discovery.namespaceName,
    [ENV.service]: args.discovery.services.find((s) => s.primary)!.serviceName,
    ...(args.modelId ? { [ENV.model]: args.modelId } : {}),
    [ENV.logLevel]: 'info',
    ...extra,
  };
}

/**
 * The agent's environment in a container (Fargate, EKS). `hostnames` are the names callers reach it by,
 * the only ones its Host check accepts besides loopback names (ECS Exec, kubectl port-forward); health
 * probes go by IP to /healthz, which is not checked.
 */
const containerEnvironment = (args: AgentCommonArgs, hostnames: readonly string[]) =>
  toEnvList(
    agentEnvironment(args, {
      [ENV.host]: '0.0.0.0',
      [ENV.agentPort]: String(AGENT_PORT),
      [ENV.shutdown]: String(DRAIN_TIMEOUT_MS),
      [ENV.allowedHosts]: [...hostnames, ...LOOPBACK_HOSTS].join(','),
    }),
  );

/**
 * The agent on Lambda, behind its own HTTP API. Its routes require IAM authorization (SigV4-signed
 * requests): the agent calls tools and, with a model, spends Bedrock tokens on behalf of its caller.
 */
export class LambdaAgent extends pulumi.ComponentResource {
  readonly agentUrl: pulumi.Output<string>;

  constructor(name: string, args: AgentCommonArgs, opts?: pulumi.ComponentResourceOptions) {
    super('mcp-on-aws:index:LambdaAgent', name, {}, opts);
    const parent = this;
    const { code, logGroup, role } = lambdaBase(name, { kind: 'agentLambda' }, args.logRetentionDays, parent);
    new aws.iam.RolePolicy(`${name}-agent`, { role: role.id, policy: agentPolicy(args, parent) }, { parent });
    const fn = new aws.lambda.Function(
      `${name}-fn`,
      {
        runtime: aws.lambda.Runtime.NodeJS22dX,
        architectures: ['arm64'],
        handler: LAMBDA_HANDLER.http,
        code,
        role: role.arn,
        memorySize: 512,
        timeout: HTTP_API_TIMEOUT_SECONDS,
        // API Gateway checks the caller (IAM); the Host is the API's domain. The Origin check stays.
        environment: { variables: agentEnvironment(args, { [ENV.callTimeout]: '10000', [ENV.nodeEnv]: 'production', [ENV.allowedHosts]: '*' }) },
        loggingConfig: { logFormat: 'Text', logGroup: logGroup.name },
      },
      { parent, dependsOn: [logGroup] },
    );
    const api = new aws.apigatewayv2.Api(`${name}-api`, { protocolType: 'HTTP', description: 'mcp-on-aws agent' }, { parent });
    const integration = new aws.apigatewayv2.Integration(
      `${name}-integration`,
      { apiId: api.id, integrationType: 'AWS_PROXY', integrationUri: fn.invokeArn, payloadFormatVersion: '2.0', timeoutMilliseconds: HTTP_API_TIMEOUT_SECONDS * 1000 },
      { parent },
    );
    const route = new aws.apigatewayv2.Route(
      `${name}-route`,
      { apiId: api.id, routeKey: '$default', target: pulumi.interpolate`integrations/${integration.id}`, authorizationType: 'AWS_IAM' },
      { parent },
    );
    new aws.apigatewayv2.Stage(`${name}-stage`, { apiId: api.id, name: '$default', autoDeploy: true }, { parent, dependsOn: [route] });
    new aws.lambda.Permission(
      `${name}-invoke`,
      { action: 'lambda:InvokeFunction', function: fn.name, principal: 'apigateway.amazonaws.com', sourceArn: pulumi.interpolate`${api.executionArn}/*/*` },
      { parent },
    );
    this.agentUrl = api.apiEndpoint;
    this.registerOutputs({ agentUrl: this.agentUrl });
  }
}

export interface FargateAgentArgs extends AgentCommonArgs {
  network: Network;
  image: ContainerImage;
  fargate: FargateTarget;
}

/**
 * The agent as its own ECS service beside the MCP server, in the private subnets and not exposed to the
 * internet (it has no authentication of its own, and /ask spends Bedrock tokens): services in the VPC
 * reach it at http://agent.internal.<namespace>:3001, a name in a private DNS namespace. It reaches
 * the MCP tasks directly by IP, which their security group admits.
 */
export class FargateAgent extends pulumi.ComponentResource {
  readonly agentUrl: pulumi.Output<string>;

  constructor(name: string, args: FargateAgentArgs, opts?: pulumi.ComponentResourceOptions) {
    super('mcp-on-aws:index:FargateAgent', name, {}, opts);
    const parent = this;
    const sg = new aws.ec2.SecurityGroup(
      `${name}-sg`,
      {
        vpcId: args.network.vpcId,
        description: 'MCP agent: its port from inside the VPC; out to the MCP tasks and HTTPS',
        ingress: [{ protocol: 'tcp', fromPort: AGENT_PORT, toPort: AGENT_PORT, cidrBlocks: [args.network.cidrBlock], description: 'from the VPC' }],
        egress: [
          { protocol: 'tcp', fromPort: MCP_PORT, toPort: MCP_PORT, cidrBlocks: [args.network.cidrBlock], description: 'to the MCP tasks' },
          { protocol: 'tcp', fromPort: 443, toPort: 443, cidrBlocks: ['0.0.0.0/0'], description: 'HTTPS: Cloud Map, Bedrock, ECR' },
        ],
      },
      { parent },
    );
    new aws.vpc.SecurityGroupIngressRule(
      `${name}-to-mcp`,
      {
        securityGroupId: args.fargate.taskSecurityGroupId,
        ipProtocol: 'tcp',
        fromPort: MCP_PORT,
        toPort: MCP_PORT,
        referencedSecurityGroupId: sg.id,
        description: 'from the agent',
      },
      { parent },
    );
    const logGroup = new aws.cloudwatch.LogGroup(`${name}-logs`, { retentionInDays: args.logRetentionDays }, { parent });
    // The shared execution role pulls the image; it may also write this log group.
    new aws.iam.RolePolicy(
      `${name}-execution-logs`,
      {
        role: args.fargate.executionRoleName,
        policy: policyDocument([writeLogsStatement(logGroup.arn)]),
      },
      { parent },
    );
    const taskRole = new aws.iam.Role(`${name}-task`, { assumeRolePolicy: assumeRolePolicy('ecs-tasks.amazonaws.com') }, { parent });
    new aws.iam.RolePolicy(`${name}-task`, { role: taskRole.id, policy: agentPolicy(args, parent) }, { parent });

    const region = aws.getRegionOutput({}, { parent }).name;
    const container = pulumi.all([args.image.imageRef, logGroup.name, region]).apply(([image, group, regionName]) => [
      {
        name: AGENT_NAME,
        image,
        command: AGENT_COMMAND,
        essential: true,
        user: String(NODE_UID),
        readonlyRootFilesystem: true,
        portMappings: [{ name: 'agent', containerPort: AGENT_PORT, protocol: 'tcp' }],
        environment: containerEnvironment(args, [`${AGENT_NAME}.internal.${args.discovery.namespaceName}`]),
        healthCheck: {
          command: ['CMD', ...healthCommand(AGENT_PORT)],
          interval: 15,
          timeout: 5,
          retries: 3,
          startPeriod: 10,
        },
        stopTimeout: STOP_TIMEOUT_SECONDS,
        logConfiguration: { logDriver: 'awslogs', options: { 'awslogs-group': group, 'awslogs-region': regionName, 'awslogs-stream-prefix': 'agent' } },
      },
    ]);
    const taskDefinition = new aws.ecs.TaskDefinition(
      `${name}-task`,
      {
        family: `${name}-mcp-agent`,
        cpu: '256',
        memory: '512',
        networkMode: 'awsvpc',
        requiresCompatibilities: ['FARGATE'],
        runtimePlatform: { operatingSystemFamily: 'LINUX', cpuArchitecture: 'ARM64' },
        executionRoleArn: args.fargate.executionRoleArn,
        taskRoleArn: taskRole.arn,
        containerDefinitions: pulumi.jsonStringify(container),
      },
      { parent },
    );
    // A DNS name inside the VPC for the agent: a private namespace of its own, beside the stack's
    // (API-only) discovery namespace.
    const privateNamespace = new aws.servicediscovery.PrivateDnsNamespace(
      `${name}-dns`,
      { name: `internal.${args.discovery.namespaceName}`, vpc: args.network.vpcId, description: 'mcp-on-aws: the agent inside the VPC' },
      { parent },
    );
    const registry = new aws.servicediscovery.Service(
      `${name}-registry`,
      {
        name: AGENT_NAME,
        namespaceId: privateNamespace.id,
        dnsConfig: { namespaceId: privateNamespace.id, routingPolicy: 'MULTIVALUE', dnsRecords: [{ type: 'A', ttl: 10 }] },
        healthCheckCustomConfig: { failureThreshold: 1 },
        forceDestroy: true,
      },
      { parent },
    );
    new aws.ecs.Service(
      `${name}-service`,
      {
        cluster: args.fargate.clusterArn,
        taskDefinition: taskDefinition.arn,
        launchType: 'FARGATE',
        desiredCount: 1,
        networkConfiguration: { subnets: args.network.privateSubnetIds, securityGroups: [sg.id], assignPublicIp: false },
        deploymentCircuitBreaker: { enable: true, rollback: true },
        deploymentMinimumHealthyPercent: 100,
        serviceRegistries: { registryArn: registry.arn },
        propagateTags: 'SERVICE',
      },
      { parent },
    );
    this.agentUrl = pulumi.output(`http://${AGENT_NAME}.internal.${args.discovery.namespaceName}:${AGENT_PORT}`);
    this.registerOutputs({ agentUrl: this.agentUrl });
  }
}

export interface EksAgentArgs extends AgentCommonArgs {
  image: ContainerImage;
  eks: EksTarget;
}

/** The pod-template annotation that carries the agent's Pod Identity: when it changes, the pods are replaced. */
export const POD_IDENTITY_ANNOTATION = 'mcp-on-aws/pod-identity';

/**
 * The agent as its own Deployment and ClusterIP Service in the app's namespace: reachable inside the
 * cluster (http://agent.mcp.svc.cluster.local), not from the internet, for the same reason as on Fargate.
 * Its AWS permissions come through EKS Pod Identity, bound to its service account (Auto Mode runs the
 * Pod Identity Agent itself). EKS gives a pod its credentials when the pod is created, and only if the
 * association exists then, so the Deployment waits for the association, and its pod template carries the
 * association and role, so that pods are replaced when either changes. AWS_REGION is set: Auto Mode
 * nodes block the instance metadata service, from which the SDK would otherwise learn the Region.
 */
export class EksAgent extends pulumi.ComponentResource {
  readonly agentUrl: pulumi.Output<string>;

  constructor(name: string, args: EksAgentArgs, opts?: pulumi.ComponentResourceOptions) {
    super('mcp-on-aws:index:EksAgent', name, {}, opts);
    const parent = this;
    const k = { parent, provider: args.eks.k8sProvider };
    const labels = { 'app.kubernetes.io/name': AGENT_NAME, 'app.kubernetes.io/part-of': 'mcp-on-aws' };
    const role = new aws.iam.Role(
      `${name}-role`,
      { assumeRolePolicy: assumeRolePolicy('pods.eks.amazonaws.com', ['sts:AssumeRole', 'sts:TagSession']) },
      { parent },
    );
    new aws.iam.RolePolicy(`${name}-agent`, { role: role.id, policy: agentPolicy(args, parent) }, { parent });
    const serviceAccount = new k8s.core.v1.ServiceAccount(
      `${name}-sa`,
      { metadata: { name: AGENT_NAME, namespace: args.eks.namespace, labels } },
      k,
    );
    const identity = new aws.eks.PodIdentityAssociation(
      `${name}-identity`,
      { clusterName: args.eks.clusterName, namespace: args.eks.namespace, serviceAccount: serviceAccount.metadata.name, roleArn: role.arn },
      { parent },
    );
    const probe = { httpGet: { path: HEALTH_PATH, port: 'http' }, periodSeconds: 10, timeoutSeconds: 3 };
    const region = aws.getRegionOutput({}, { parent }).region;
    new k8s.apps.v1.Deployment(
      `${name}-deployment`,
      {
        metadata: { name: AGENT_NAME, namespace: args.eks.namespace, labels },
        spec: {
          replicas: 1,
          selector: { matchLabels: labels },
          template: {
            metadata: {
              labels,
              annotations: { [POD_IDENTITY_ANNOTATION]: pulumi.interpolate`${identity.associationId} ${identity.roleArn}` },
            },
            spec: {
              serviceAccountName: serviceAccount.metadata.name,
              nodeSelector: args.eks.nodeSelector,
              // The pre-stop pause, then the agent's drain after SIGTERM, then a margin.
              terminationGracePeriodSeconds: TERMINATION_GRACE_SECONDS,
              securityContext: { runAsNonRoot: true, runAsUser: NODE_UID, runAsGroup: NODE_UID, seccompProfile: { type: 'RuntimeDefault' } },
              containers: [
                {
                  name: AGENT_NAME,
                  image: args.image.imageRef,
                  command: AGENT_COMMAND,
                  ports: [{ name: 'http', containerPort: AGENT_PORT, protocol: 'TCP' }],
                  // The ClusterIP Service's names: agent, agent.<ns>, agent.<ns>.svc, agent.<ns>.svc.cluster.local.
                  env: pulumi.all([args.eks.namespace, region]).apply(([ns, regionName]) => [
                    ...containerEnvironment(args, [AGENT_NAME, `${AGENT_NAME}.${ns}`, `${AGENT_NAME}.${ns}.svc`, `${AGENT_NAME}.${ns}.svc.cluster.local`]),
                    { name: ENV.region, value: regionName },
                  ]),
                  resources: { requests: { cpu: '100m', memory: '192Mi' }, limits: { memory: '384Mi' } },
                  livenessProbe: { ...probe, initialDelaySeconds: 10 },
                  readinessProbe: { ...probe, initialDelaySeconds: 2 },
                  // Out of the Service's endpoints before SIGTERM.
                  lifecycle: preStopPause(),
                  securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, privileged: false, capabilities: { drop: ['ALL'] } },
                },
              ],
            },
          },
        },
      },
      { ...k, dependsOn: [serviceAccount, identity] },
    );
    new k8s.core.v1.Service(
      `${name}-service`,
      {
        metadata: { name: AGENT_NAME, namespace: args.eks.namespace, labels },
        spec: { type: 'ClusterIP', selector: labels, ports: [{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }] },
      },
      k,
    );
    this.agentUrl = pulumi.interpolate`http://${AGENT_NAME}.${args.eks.namespace}.svc.cluster.local`;
    this.registerOutputs({ agentUrl: this.agentUrl });
  }
}
