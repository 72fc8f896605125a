import * as aws from '@pulumi/aws';
import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import type { CustomDomain } from './domain';
import { EksWorkload } from './eksWorkload';
import { assumeRolePolicy } from './iam';
import type { ContainerImage } from './image';
import { LEGACY_PARENTS, legacyOptions } from './legacy';
import { TLS_POLICY } from './loadBalancer';
import type { Network } from './network';
import { containerPieces, type FrontDoorMonitoring, type Platform, type TargetDefinition } from './targets';
import type { WorkloadSpec } from './workload';

export const EKS_PLATFORM_TYPE = 'mcp-on-aws:index:EksPlatform';

export const NAMESPACE = 'mcp';
const NAMESPACE_LABELS = { 'app.kubernetes.io/name': 'mcp-server', 'app.kubernetes.io/part-of': 'mcp-on-aws' };
const CONTROL_PLANE_LOGS = ['api', 'audit', 'authenticator', 'controllerManager', 'scheduler'];
/** The node pool every workload runs on. */
export const NODE_POOL = 'mcp-arm64';
/** Auto Mode's built-in pool for cluster add-ons: its nodes carry this label and the CriticalAddonsOnly taint. */
export const SYSTEM_NODE_POOL = 'system';
/**
 * metrics-server, from the EKS community add-ons (Auto Mode does not install it, and without it an HPA
 * has no CPU figures and never scales), on the system pool beside the other add-ons.
 */
export const METRICS_SERVER_CONFIGURATION = {
  nodeSelector: { 'karpenter.sh/nodepool': SYSTEM_NODE_POOL },
  tolerations: [{ key: 'CriticalAddonsOnly', operator: 'Exists', effect: 'NoSchedule' }],
};
const ADMIN_POLICY = 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy';
const managed = (name: string) => `arn:aws:iam::aws:policy/${name}`;

/**
 * The IngressClass (and its IngressClassParams) of the stack's one ALB. Auto Mode groups Ingresses only
 * through the class's parameters (`spec.group.name`; the `group.name` annotation is not supported), so
 * every Ingress of this class joins group INGRESS_GROUP and shares one ALB. A one-server stack's class
 * (`mcp-alb`, no group) is replaced by this one, so that its ALB keeps serving until its Ingress is deleted.
 */
export const INGRESS_CLASS = 'mcp-alb-group';

/** An application load balancer's name, from its DNS name (`<name>-<number>.<region>.elb.amazonaws.com`). */
export function albNameOf(hostname: string): string {
  const label = hostname.split('.')[0]!;
  const name = label.replace(/^internal-/, '').replace(/-\d+$/, '');
  if (!name || name === label.replace(/^internal-/, '')) throw new Error(`${hostname} is not a load balancer's DNS name`);
  return name;
}
export const INGRESS_GROUP = 'mcp';
/** The front door's name, and the action its default backend names. */
export const FRONT_DOOR = 'mcp-front-door';
export const NOT_FOUND_ACTION = 'not-found';
/**
 * Annotations that configure the ALB and its listeners rather than one Ingress's rules. In a group, the
 * controller rejects Exclusive ones that differ between Ingresses, and applies an Ingress's rules only
 * on the ports of its own `listen-ports`: every Ingress of the group carries the platform's values, the same.
 */
export const GROUP_ANNOTATION_KEYS = [
  'scheme',
  'listen-ports',
  'certificate-arn',
  'ssl-policy',
  'ssl-redirect',
  'load-balancer-attributes',
  'ip-address-type',
  'inbound-cidrs',
  'load-balancer-name',
  'security-groups',
  'subnets',
].map((k) => `alb.ingress.kubernetes.io/${k}`);

/** Every setting of the stack's cluster. */
export interface EksPlatformArgs {
  network: Network;
  image: ContainerImage;
  domain?: CustomDomain;
  /** Name of the cluster, e.g. mcp-on-aws-dev. */
  clusterName: string;
  kubernetesVersion: string;
  idleTimeoutSeconds: number;
  logRetentionDays: number;
  /** IAM role or user ARNs made cluster admins besides the principal that deploys. */
  adminPrincipals: string[];
  /** Every workload of the stack: the node pool's CPU limit holds all of them at their largest. */
  specs: readonly WorkloadSpec[];
}

/** CPU the node pool may provision: twice what every workload's pods request at their largest (room for surges), at least 8. */
export function nodePoolCpuLimit(specs: readonly WorkloadSpec[]): number {
  const millicores = specs.reduce((sum, s) => sum + s.settings.eksMaxReplicas * s.settings.eksCpuMillicores, 0);
  return Math.max(8, Math.ceil((2 * millicores) / 1000));
}

/**
 * What every workload on EKS Auto Mode stands on, once per stack: AWS runs the nodes (Graviton, from our
 * own node pool), the load balancer controller and the rest of the data plane. One internet-facing ALB
 * serves every server: each workload's Ingress joins the class's group, and the platform's front door
 * (no rules; a fixed 404 for any path no server claims) carries the group's settings and gives the
 * ALB's name, so that no workload owns it.
 */
export class EksPlatform extends pulumi.ComponentResource implements Platform {
  readonly baseUrl: pulumi.Output<string>;
  readonly clusterName: pulumi.Output<string>;
  readonly kubeconfig: pulumi.Output<string>;
  readonly loadBalancerHostname: pulumi.Output<string>;
  readonly image: ContainerImage;
  readonly k8sProvider: k8s.Provider;
  readonly namespace: pulumi.Output<string>;
  readonly nodePool: pulumi.Resource;
  readonly ingressClass: k8s.networking.v1.IngressClass;
  readonly metricsServer: aws.eks.Addon;
  readonly idleTimeoutSeconds: number;
  /** The load balancer the controller made for the Ingress group, found by the name its hostname carries. */
  readonly frontDoorMonitoring: FrontDoorMonitoring;
  /** The host every Ingress rule matches: the domain, or none (any). */
  readonly host?: string;
  /** The group's settings, which every Ingress of the group carries unchanged. */
  readonly groupAnnotations: Record<string, pulumi.Input<string>>;
  /** Where pods of this stack are scheduled: our arm64 node pool. */
  readonly nodeSelector: Record<string, string> = { 'kubernetes.io/arch': 'arm64', 'karpenter.sh/nodepool': NODE_POOL };

  constructor(name: string, args: EksPlatformArgs, opts?: pulumi.ComponentResourceOptions) {
    // A one-server stack's EksTarget children keep their names (the new front door has none to take over).
    const keep = (child: string, type: string) => (type === EKS_PLATFORM_TYPE || child === `${name}-front-door` ? undefined : child);
    super(EKS_PLATFORM_TYPE, name, {}, legacyOptions(LEGACY_PARENTS.eks.target, keep, opts));
    const parent = this;
    this.image = args.image;
    this.idleTimeoutSeconds = args.idleTimeoutSeconds;
    this.host = args.domain?.domainName;

    const clusterRole = new aws.iam.Role(
      `${name}-cluster`,
      { assumeRolePolicy: assumeRolePolicy('eks.amazonaws.com', ['sts:AssumeRole', 'sts:TagSession']) },
      { parent },
    );
    // What Auto Mode needs to run compute, storage, load balancing and networking for the cluster.
    const clusterPolicies = ['AmazonEKSClusterPolicy', 'AmazonEKSComputePolicy', 'AmazonEKSBlockStoragePolicy', 'AmazonEKSLoadBalancingPolicy', 'AmazonEKSNetworkingPolicy'];
    const clusterAttachments = clusterPolicies.map(
      (p) => new aws.iam.RolePolicyAttachment(`${name}-cluster-${p}`, { role: clusterRole.name, policyArn: managed(p) }, { parent }),
    );
    const nodeRole = new aws.iam.Role(`${name}-node`, { assumeRolePolicy: assumeRolePolicy('ec2.amazonaws.com') }, { parent });
    const nodeAttachments = ['AmazonEKSWorkerNodeMinimalPolicy', 'AmazonEC2ContainerRegistryPullOnly'].map(
      (p) => new aws.iam.RolePolicyAttachment(`${name}-node-${p}`, { role: nodeRole.name, policyArn: managed(p) }, { parent }),
    );
    // EKS writes control-plane logs to this group; created first, so that it has a retention.
    const controlPlaneLogs = new aws.cloudwatch.LogGroup(
      `${name}-control-plane`,
      { name: `/aws/eks/${args.clusterName}/cluster`, retentionInDays: args.logRetentionDays },
      { parent },
    );

    const cluster = new aws.eks.Cluster(
      `${name}-cluster`,
      {
        name: args.clusterName,
        version: args.kubernetesVersion,
        roleArn: clusterRole.arn,
        // Access entries only (no aws-auth ConfigMap); whoever runs `pulumi up` is made admin.
        accessConfig: { authenticationMode: 'API', bootstrapClusterCreatorAdminPermissions: true },
        bootstrapSelfManagedAddons: false,
        computeConfig: { enabled: true, nodePools: ['system'], nodeRoleArn: nodeRole.arn },
        kubernetesNetworkConfig: { elasticLoadBalancing: { enabled: true } },
        storageConfig: { blockStorage: { enabled: true } },
        vpcConfig: {
          subnetIds: args.network.privateSubnetIds,
          endpointPrivateAccess: true,
          endpointPublicAccess: true,
        },
        enabledClusterLogTypes: CONTROL_PLANE_LOGS,
        // Standard support only: a version left behind is upgraded rather than billed for extended support.
        upgradePolicy: { supportType: 'STANDARD' },
      },
      { parent, dependsOn: [...clusterAttachments, ...nodeAttachments, controlPlaneLogs] },
    );
    for (const [i, principalArn] of args.adminPrincipals.entries()) {
      const entry = new aws.eks.AccessEntry(`${name}-admin-${i}`, { clusterName: cluster.name, principalArn, type: 'STANDARD' }, { parent });
      new aws.eks.AccessPolicyAssociation(
        `${name}-admin-${i}`,
        { clusterName: cluster.name, principalArn, policyArn: ADMIN_POLICY, accessScope: { type: 'cluster' } },
        { parent, dependsOn: [entry] },
      );
    }

    this.metricsServer = new aws.eks.Addon(
      `${name}-metrics-server`,
      {
        clusterName: cluster.name,
        addonName: 'metrics-server',
        configurationValues: JSON.stringify(METRICS_SERVER_CONFIGURATION),
        resolveConflictsOnCreate: 'OVERWRITE',
        resolveConflictsOnUpdate: 'OVERWRITE',
      },
      { parent },
    );

    // Container Insights: the pods' CPU, memory, counts and restarts in CloudWatch (the stack's dashboard
    // reads them), by the CloudWatch agent of the add-on, with an identity that may write metrics and logs.
    const insightsRole = new aws.iam.Role(
      `${name}-insights`,
      { assumeRolePolicy: assumeRolePolicy('pods.eks.amazonaws.com', ['sts:AssumeRole', 'sts:TagSession']) },
      { parent },
    );
    new aws.iam.RolePolicyAttachment(
      `${name}-insights`,
      { role: insightsRole.name, policyArn: 'arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy' },
      { parent },
    );
    new aws.eks.Addon(
      `${name}-insights`,
      {
        clusterName: cluster.name,
        addonName: 'amazon-cloudwatch-observability',
        podIdentityAssociations: [{ roleArn: insightsRole.arn, serviceAccount: 'cloudwatch-agent' }],
        resolveConflictsOnCreate: 'OVERWRITE',
        resolveConflictsOnUpdate: 'OVERWRITE',
      },
      { parent },
    );

    // The Kubernetes provider, from the cluster's own outputs (token through the AWS CLI, as `aws eks update-kubeconfig` sets up).
    const region = aws.getRegionOutput({}, { parent }).name;
    this.kubeconfig = pulumi
      .all([cluster.name, cluster.endpoint, cluster.certificateAuthority, region])
      .apply(([clusterName, endpoint, ca, regionName]) =>
        JSON.stringify({
          apiVersion: 'v1',
          kind: 'Config',
          clusters: [{ name: clusterName, cluster: { server: endpoint, 'certificate-authority-data': ca.data } }],
          contexts: [{ name: clusterName, context: { cluster: clusterName, user: clusterName } }],
          'current-context': clusterName,
          users: [
            {
              name: clusterName,
              user: {
                exec: {
                  apiVersion: 'client.authentication.k8s.io/v1beta1',
                  command: 'aws',
                  args: ['eks', 'get-token', '--cluster-name', clusterName, '--region', regionName, '--output', 'json'],
                },
              },
            },
          ],
        }),
      );
    const provider = new k8s.Provider(`${name}-k8s`, { kubeconfig: this.kubeconfig, enableServerSideApply: true }, { parent });
    const k = { parent, provider };

    // Graviton nodes for every workload (the image is arm64), on-demand, from Auto Mode's default node class.
    this.nodePool = new k8s.apiextensions.CustomResource(
      `${name}-nodepool`,
      {
        apiVersion: 'karpenter.sh/v1',
        kind: 'NodePool',
        metadata: { name: NODE_POOL },
        spec: {
          template: {
            spec: {
              nodeClassRef: { group: 'eks.amazonaws.com', kind: 'NodeClass', name: 'default' },
              requirements: [
                { key: 'kubernetes.io/arch', operator: 'In', values: ['arm64'] },
                { key: 'karpenter.sh/capacity-type', operator: 'In', values: ['on-demand'] },
                { key: 'eks.amazonaws.com/instance-category', operator: 'In', values: ['c', 'm', 'r'] },
                { key: 'eks.amazonaws.com/instance-generation', operator: 'Gt', values: ['6'] },
              ],
            },
          },
          limits: { cpu: String(nodePoolCpuLimit(args.specs)) },
          disruption: { consolidationPolicy: 'WhenEmptyOrUnderutilized', consolidateAfter: '5m' },
        },
      },
      k,
    );

    const ingressClassParams = new k8s.apiextensions.CustomResource(
      `${name}-alb-params`,
      {
        apiVersion: 'eks.amazonaws.com/v1',
        kind: 'IngressClassParams',
        metadata: { name: INGRESS_CLASS },
        spec: { scheme: 'internet-facing', group: { name: INGRESS_GROUP } },
      },
      k,
    );
    this.ingressClass = new k8s.networking.v1.IngressClass(
      `${name}-alb`,
      {
        metadata: { name: INGRESS_CLASS },
        spec: {
          controller: 'eks.amazonaws.com/alb',
          parameters: { apiGroup: 'eks.amazonaws.com', kind: 'IngressClassParams', name: INGRESS_CLASS },
        },
      },
      { ...k, dependsOn: [ingressClassParams] },
    );

    const namespace = new k8s.core.v1.Namespace(`${name}-ns`, { metadata: { name: NAMESPACE, labels: NAMESPACE_LABELS } }, k);
    this.namespace = namespace.metadata.name;
    this.k8sProvider = provider;

    this.groupAnnotations = {
      'alb.ingress.kubernetes.io/scheme': 'internet-facing',
      'alb.ingress.kubernetes.io/load-balancer-attributes': `idle_timeout.timeout_seconds=${args.idleTimeoutSeconds}`,
      ...(args.domain
        ? {
            'alb.ingress.kubernetes.io/listen-ports': '[{"HTTP":80},{"HTTPS":443}]',
            'alb.ingress.kubernetes.io/certificate-arn': args.domain.certificateArn,
            'alb.ingress.kubernetes.io/ssl-policy': TLS_POLICY,
            'alb.ingress.kubernetes.io/ssl-redirect': '443',
          }
        : { 'alb.ingress.kubernetes.io/listen-ports': '[{"HTTP":80}]' }),
    };
    // The group's one default action: a request no server's path matches gets a 404 from the ALB itself.
    const notFound = {
      type: 'fixed-response',
      fixedResponseConfig: { contentType: 'application/json', statusCode: '404', messageBody: JSON.stringify({ error: 'not found: MCP servers are at /<server>/mcp' }) },
    };
    const frontDoor = new k8s.networking.v1.Ingress(
      `${name}-front-door`,
      {
        metadata: {
          name: FRONT_DOOR,
          namespace: this.namespace,
          labels: { 'app.kubernetes.io/name': FRONT_DOOR, 'app.kubernetes.io/part-of': 'mcp-on-aws' },
          annotations: { ...this.groupAnnotations, [`alb.ingress.kubernetes.io/actions.${NOT_FOUND_ACTION}`]: JSON.stringify(notFound) },
        },
        spec: {
          ingressClassName: INGRESS_CLASS,
          defaultBackend: { service: { name: NOT_FOUND_ACTION, port: { name: 'use-annotation' } } },
        },
      },
      { ...k, dependsOn: [this.ingressClass] },
    );

    this.loadBalancerHostname = frontDoor.status.loadBalancer.ingress.apply((entries) => {
      const hostname = entries?.[0]?.hostname;
      if (!hostname) throw new Error('the front door Ingress has no load balancer hostname');
      return hostname;
    });
    this.baseUrl = pulumi.interpolate`http://${this.loadBalancerHostname}`;
    // The controller names the load balancer; its hostname is `<name>-<number>.<region>.elb.amazonaws.com`.
    this.frontDoorMonitoring = {
      kind: 'alb',
      loadBalancer: this.loadBalancerHostname.apply((hostname) => aws.lb.getLoadBalancerOutput({ name: albNameOf(hostname) }, { parent }).arnSuffix),
    };
    if (args.domain) {
      const albZone = aws.lb.getHostedZoneIdOutput({ loadBalancerType: 'application' }, { parent });
      args.domain.alias({ dnsName: this.loadBalancerHostname, zoneId: albZone.id });
      this.baseUrl = pulumi.output(args.domain.url);
    }
    this.clusterName = cluster.name;
    this.registerOutputs({ baseUrl: this.baseUrl, clusterName: this.clusterName });
  }
}

export const eksTarget: TargetDefinition<EksPlatform> = {
  name: 'eks',
  platform(ctx) {
    const { network, image } = containerPieces(ctx);
    return new EksPlatform(
      'eks',
      {
        network,
        image,
        domain: ctx.domain,
        clusterName: `${ctx.project}-${ctx.stack}`,
        kubernetesVersion: ctx.config.eksKubernetesVersion,
        idleTimeoutSeconds: ctx.config.idleTimeoutSeconds,
        logRetentionDays: ctx.config.logRetentionDays,
        adminPrincipals: ctx.config.eksAdminPrincipals,
        specs: ctx.specs,
      },
      ctx.opts,
    );
  },
  workload: (platform, spec, ctx) => new EksWorkload(spec.kind === 'agent' ? 'agent' : `eks-${spec.name}`, { platform, spec }, ctx.opts),
  outputs: (platform) => ({ clusterName: platform.clusterName, kubeconfig: pulumi.secret(platform.kubeconfig) }),
  noDomainWarning: 'No custom domain: the load balancer serves plain HTTP on its own DNS name. Set domainName and hostedZoneId for HTTPS and a stable URL.',
};
