import * as aws from '@pulumi/aws';
import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import { HEALTH_PATH, MCP_PATH, MCP_PORT } from '../app/contract';
import {
  appEnvironment,
  CONTAINER_NAME,
  deregistrationDelaySeconds,
  NODE_UID,
  preStopPause,
  TERMINATION_GRACE_SECONDS,
} from './container';
import type { CustomDomain } from './domain';
import type { DiscoveryService } from './discovery';
import { assumeRolePolicy } from './iam';
import type { ContainerImage } from './image';
import { TLS_POLICY } from './loadBalancer';
import type { Network } from './network';

export interface EksTargetArgs {
  network: Network;
  image: ContainerImage;
  /** The primary server's Cloud Map service. */
  service: DiscoveryService;
  domain?: CustomDomain;
  /** Name of the cluster, e.g. mcp-on-aws-dev. */
  clusterName: string;
  kubernetesVersion: string;
  replicas: number;
  minReplicas: number;
  maxReplicas: number;
  cpuTargetPercent: number;
  idleTimeoutSeconds: number;
  logRetentionDays: number;
  allowedOrigins: string[];
  /** IAM role or user ARNs made cluster admins besides the principal that deploys. */
  adminPrincipals: string[];
}

export const NAMESPACE = 'mcp';
export const APP_LABELS = { 'app.kubernetes.io/name': CONTAINER_NAME, 'app.kubernetes.io/part-of': 'mcp-on-aws' };
const CONTROL_PLANE_LOGS = ['api', 'audit', 'authenticator', 'controllerManager', 'scheduler'];
/** The node pool the app and the agent run on. */
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
 * The app's image on EKS Auto Mode: AWS runs the nodes (Graviton, from our own node pool), the load
 * balancer controller and the rest of the data plane, so there is no node group to manage. An Ingress
 * makes an internet-facing ALB (HTTPS with the domain's certificate); the endpoint URL is registered
 * in Cloud Map under the same service name as on the other targets.
 */
export class EksTarget extends pulumi.ComponentResource {
  readonly mcpUrl: pulumi.Output<string>;
  readonly healthUrl: pulumi.Output<string>;
  readonly clusterName: pulumi.Output<string>;
  readonly kubeconfig: pulumi.Output<string>;
  readonly loadBalancerHostname: pulumi.Output<string>;
  /** For other workloads of the stack (the agent): the cluster's Kubernetes provider and the app's namespace. */
  readonly k8sProvider: k8s.Provider;
  readonly namespace: pulumi.Output<string>;
  /** Where pods of this stack are scheduled: our arm64 node pool. */
  readonly nodeSelector: Record<string, string> = { 'kubernetes.io/arch': 'arm64', 'karpenter.sh/nodepool': NODE_POOL };

  constructor(name: string, args: EksTargetArgs, opts?: pulumi.ComponentResourceOptions) {
    super('mcp-on-aws:index:EksTarget', name, {}, opts);
    const parent = this;

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
    const nodeRole = new aws.iam.Role(
      `${name}-node`,
      { assumeRolePolicy: assumeRolePolicy('ec2.amazonaws.com') },
      { parent },
    );
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

    const metricsServer = new aws.eks.Addon(
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

    // Graviton nodes for the app (its image is arm64), on-demand, from Auto Mode's default node class.
    const nodePool = new k8s.apiextensions.CustomResource(
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
          limits: { cpu: String(Math.max(8, args.maxReplicas * 2)) },
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
        metadata: { name: 'mcp-alb' },
        spec: { scheme: 'internet-facing' },
      },
      k,
    );
    const ingressClass = new k8s.networking.v1.IngressClass(
      `${name}-alb`,
      {
        metadata: { name: 'mcp-alb' },
        spec: {
          controller: 'eks.amazonaws.com/alb',
          parameters: { apiGroup: 'eks.amazonaws.com', kind: 'IngressClassParams', name: 'mcp-alb' },
        },
      },
      { ...k, dependsOn: [ingressClassParams] },
    );

    const namespace = new k8s.core.v1.Namespace(`${name}-ns`, { metadata: { name: NAMESPACE, labels: APP_LABELS } }, k);
    const metadata = { namespace: namespace.metadata.name, labels: APP_LABELS };
    const probe = (initialDelaySeconds: number, periodSeconds: number, failureThreshold: number) => ({
      httpGet: { path: HEALTH_PATH, port: 'http' },
      initialDelaySeconds,
      periodSeconds,
      timeoutSeconds: 3,
      failureThreshold,
    });
    const deployment = new k8s.apps.v1.Deployment(
      `${name}-deployment`,
      {
        metadata: { ...metadata, name: CONTAINER_NAME },
        spec: {
          replicas: args.replicas,
          selector: { matchLabels: APP_LABELS },
          strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: '25%' } },
          template: {
            metadata: { labels: APP_LABELS },
            spec: {
              nodeSelector: this.nodeSelector,
              // The pre-stop pause, then the app's drain after SIGTERM (as long as on Fargate), then a margin.
              terminationGracePeriodSeconds: TERMINATION_GRACE_SECONDS,
              automountServiceAccountToken: false,
              securityContext: {
                runAsNonRoot: true,
                runAsUser: NODE_UID,
                runAsGroup: NODE_UID,
                seccompProfile: { type: 'RuntimeDefault' },
              },
              topologySpreadConstraints: [
                {
                  maxSkew: 1,
                  topologyKey: 'topology.kubernetes.io/zone',
                  whenUnsatisfiable: 'ScheduleAnyway',
                  labelSelector: { matchLabels: APP_LABELS },
                },
              ],
              containers: [
                {
                  name: CONTAINER_NAME,
                  image: args.image.imageRef,
                  ports: [{ name: 'http', containerPort: MCP_PORT, protocol: 'TCP' }],
                  env: appEnvironment({ idleTimeoutSeconds: args.idleTimeoutSeconds, allowedOrigins: args.allowedOrigins }),
                  resources: { requests: { cpu: '250m', memory: '256Mi' }, limits: { memory: '512Mi' } },
                  livenessProbe: probe(10, 10, 3),
                  readinessProbe: probe(2, 5, 2),
                  // Out of the load balancer before SIGTERM: the ALB stops sending while the pod still serves.
                  lifecycle: preStopPause(),
                  securityContext: {
                    allowPrivilegeEscalation: false,
                    readOnlyRootFilesystem: true,
                    privileged: false,
                    capabilities: { drop: ['ALL'] },
                  },
                },
              ],
            },
          },
        },
      },
      { ...k, dependsOn: [nodePool] },
    );
    const service = new k8s.core.v1.Service(
      `${name}-service`,
      {
        metadata: { ...metadata, name: CONTAINER_NAME },
        spec: { type: 'ClusterIP', selector: APP_LABELS, ports: [{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }] },
      },
      k,
    );

    const annotations: Record<string, pulumi.Input<string>> = {
      'alb.ingress.kubernetes.io/scheme': 'internet-facing',
      'alb.ingress.kubernetes.io/target-type': 'ip',
      'alb.ingress.kubernetes.io/healthcheck-path': HEALTH_PATH,
      'alb.ingress.kubernetes.io/success-codes': '200',
      'alb.ingress.kubernetes.io/load-balancer-attributes': `idle_timeout.timeout_seconds=${args.idleTimeoutSeconds}`,
      'alb.ingress.kubernetes.io/target-group-attributes': `deregistration_delay.timeout_seconds=${deregistrationDelaySeconds(args.idleTimeoutSeconds)}`,
      ...(args.domain
        ? {
            'alb.ingress.kubernetes.io/listen-ports': '[{"HTTP":80},{"HTTPS":443}]',
            'alb.ingress.kubernetes.io/certificate-arn': args.domain.certificateArn,
            'alb.ingress.kubernetes.io/ssl-policy': TLS_POLICY,
            'alb.ingress.kubernetes.io/ssl-redirect': '443',
          }
        : { 'alb.ingress.kubernetes.io/listen-ports': '[{"HTTP":80}]' }),
    };
    const ingress = new k8s.networking.v1.Ingress(
      `${name}-ingress`,
      {
        metadata: { ...metadata, name: CONTAINER_NAME, annotations },
        spec: {
          ingressClassName: 'mcp-alb',
          rules: [
            {
              ...(args.domain ? { host: args.domain.domainName } : {}),
              http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: CONTAINER_NAME, port: { name: 'http' } } } }] },
            },
          ],
        },
      },
      { ...k, dependsOn: [ingressClass, service, deployment] },
    );
    new k8s.autoscaling.v2.HorizontalPodAutoscaler(
      `${name}-hpa`,
      {
        metadata: { ...metadata, name: CONTAINER_NAME },
        spec: {
          scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: CONTAINER_NAME },
          minReplicas: args.minReplicas,
          maxReplicas: args.maxReplicas,
          metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: args.cpuTargetPercent } } }],
        },
      },
      // Without metrics-server the HPA has nothing to scale on.
      { ...k, dependsOn: [deployment, metricsServer] },
    );
    new k8s.policy.v1.PodDisruptionBudget(
      `${name}-pdb`,
      { metadata: { ...metadata, name: CONTAINER_NAME }, spec: { maxUnavailable: 1, selector: { matchLabels: APP_LABELS } } },
      k,
    );

    this.loadBalancerHostname = ingress.status.loadBalancer.ingress.apply((entries) => {
      const hostname = entries?.[0]?.hostname;
      if (!hostname) throw new Error('the Ingress has no load balancer hostname');
      return hostname;
    });
    let baseUrl: pulumi.Output<string> = pulumi.interpolate`http://${this.loadBalancerHostname}`;
    if (args.domain) {
      const albZone = aws.lb.getHostedZoneIdOutput({ loadBalancerType: 'application' }, { parent });
      args.domain.alias({ dnsName: this.loadBalancerHostname, zoneId: albZone.id });
      baseUrl = pulumi.output(args.domain.url);
    }
    this.mcpUrl = pulumi.interpolate`${baseUrl}${MCP_PATH}`;
    this.healthUrl = pulumi.interpolate`${baseUrl}${HEALTH_PATH}`;
    this.clusterName = cluster.name;
    this.k8sProvider = provider;
    this.namespace = namespace.metadata.name;
    args.service.register({ url: this.mcpUrl, target: 'eks' }, { dependsOn: [ingress] });
    this.registerOutputs({ mcpUrl: this.mcpUrl, healthUrl: this.healthUrl, clusterName: this.clusterName });
  }
}
