import * as aws from '@pulumi/aws';
import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import { AGENT_COMMAND, AGENT_PORT, ENV, HEALTH_PATH } from '../app/contract';
import { containerEnvironment, NODE_UID, preStopPause, TERMINATION_GRACE_SECONDS, toEnvList } from './container';
import type { Discovery } from './discovery';
import type { EksTarget } from './eksTarget';
import { assumeRolePolicy, policyDocument } from './iam';
import type { ContainerImage } from './image';

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

/** The agent's environment in a container on EKS, reached by `hostnames` (see components/container.ts). */
const agentContainerEnvironment = (args: AgentCommonArgs, hostnames: readonly string[]) =>
  toEnvList(containerEnvironment({ kind: 'agent', port: AGENT_PORT, exposure: 'private', environment: agentEnvironment(args) }, { hostnames }));

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
                    ...agentContainerEnvironment(args, [AGENT_NAME, `${AGENT_NAME}.${ns}`, `${AGENT_NAME}.${ns}.svc`, `${AGENT_NAME}.${ns}.svc.cluster.local`]),
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
