import * as aws from '@pulumi/aws';
import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import { ENV, HEALTH_PATH } from '../app/contract';
import { containerEnvironment, deregistrationDelaySeconds, NODE_UID, preStopPause, TERMINATION_GRACE_SECONDS, toEnvList } from './container';
import type { EksPlatform } from './eksPlatform';
import { assumeRolePolicy } from './iam';
import { COLLECTOR_CONTAINER, collectorConfig } from './tracing';
import { workloadOptions, type LegacyNames } from './legacy';
import type { Workload, WorkloadMonitoring, WorkloadSpec } from './workload';

export const EKS_WORKLOAD_TYPE = 'mcp-on-aws:index:EksWorkload';

/** The security context of every container of a pod, the app's and the collector's. */
const CONTAINER_SECURITY = { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, privileged: false, capabilities: { drop: ['ALL'] } };

/**
 * The one-server stack's names: the primary server's `eks-<s>-<suffix>` was `eks-<suffix>` under
 * EksTarget; the agent's children keep their names, but its policy was `agent-agent`.
 */
const LEGACY_NAMES: LegacyNames = {
  server: (suffix) => (['deployment', 'service', 'ingress', 'hpa', 'pdb'].includes(suffix) ? `eks-${suffix}` : undefined),
  agent: (suffix, child) => (suffix === 'policy' ? 'agent-agent' : child),
};

/** The pod-template annotation that carries a workload's Pod Identity: when it changes, the pods are replaced. */
export const POD_IDENTITY_ANNOTATION = 'mcp-on-aws/pod-identity';
/** The label that names the MCP server a pod serves. */
export const SERVER_LABEL = 'mcp-on-aws/server';

/** A workload's Kubernetes name: mcp-<server> for a server, the agent's own name for the agent. */
export const kubernetesName = (spec: WorkloadSpec) => (spec.kind === 'agent' ? spec.name : `mcp-${spec.name}`);

export interface EksWorkloadArgs {
  platform: EksPlatform;
  spec: WorkloadSpec;
}

/**
 * One workload on the platform's cluster, server or agent alike: a Deployment and a ClusterIP Service in
 * the stack's namespace; when public, an Ingress in the ALB's group with its own paths (Exact, so that
 * servers never shadow each other); when it scales, an HPA and a PDB; when it has AWS permissions of its
 * own, Pod Identity (a role with its policy, a service account and the association; the Deployment waits
 * for the association, since EKS gives a pod credentials only if it exists when the pod is created, and
 * its pod template names it, so that pods are replaced when it changes). A private workload (the agent)
 * is reached only inside the cluster, at http://<name>.<namespace>.svc.cluster.local.
 */
export class EksWorkload extends pulumi.ComponentResource implements Workload {
  readonly spec: WorkloadSpec;
  readonly monitoring: WorkloadMonitoring;
  readonly servesAfter: pulumi.Resource[];
  readonly url?: pulumi.Output<string>;
  readonly deploymentName: string;

  constructor(name: string, args: EksWorkloadArgs, opts?: pulumi.ComponentResourceOptions) {
    const { platform, spec } = args;
    super(EKS_WORKLOAD_TYPE, name, {}, workloadOptions('eks', EKS_WORKLOAD_TYPE, name, spec, LEGACY_NAMES, opts));
    const parent = this;
    const k = { parent, provider: platform.k8sProvider };
    this.spec = spec;
    const kname = kubernetesName(spec);
    this.deploymentName = kname;
    const isPublic = spec.exposure === 'public';
    const labels: Record<string, string> = {
      'app.kubernetes.io/name': kname,
      'app.kubernetes.io/part-of': 'mcp-on-aws',
      ...(spec.kind === 'server' ? { [SERVER_LABEL]: spec.name } : {}),
    };
    const metadata = { name: kname, namespace: platform.namespace, labels };
    const s = spec.settings;

    // Pod Identity, for a workload with AWS permissions of its own.
    let identity: { serviceAccount: k8s.core.v1.ServiceAccount; association: aws.eks.PodIdentityAssociation } | undefined;
    if (spec.policy) {
      const role = new aws.iam.Role(
        `${name}-role`,
        { assumeRolePolicy: assumeRolePolicy('pods.eks.amazonaws.com', ['sts:AssumeRole', 'sts:TagSession']) },
        { parent },
      );
      new aws.iam.RolePolicy(`${name}-policy`, { role: role.id, policy: spec.policy(parent) }, { parent });
      const serviceAccount = new k8s.core.v1.ServiceAccount(`${name}-sa`, { metadata }, k);
      const association = new aws.eks.PodIdentityAssociation(
        `${name}-identity`,
        { clusterName: platform.clusterName, namespace: platform.namespace, serviceAccount: serviceAccount.metadata.name, roleArn: role.arn },
        { parent },
      );
      identity = { serviceAccount, association };
    }

    // The names a private workload is reached by: those of its ClusterIP Service.
    const region = aws.getRegionOutput({}, { parent }).region;
    const env = pulumi.all([platform.namespace, region, pulumi.output(spec.environment)]).apply(([ns, regionName, own]) =>
      toEnvList({
        ...containerEnvironment(
          { kind: spec.kind, port: spec.port, exposure: spec.exposure, environment: own as Record<string, string> },
          isPublic
            ? { idleTimeoutSeconds: platform.idleTimeoutSeconds }
            : { hostnames: [kname, `${kname}.${ns}`, `${kname}.${ns}.svc`, `${kname}.${ns}.svc.cluster.local`] },
        ),
        // Auto Mode nodes do not serve instance metadata, from which the SDK would otherwise learn the Region.
        ...(spec.policy ? { [ENV.region]: regionName } : {}),
      }),
    );

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
        metadata,
        spec: {
          replicas: s.eksReplicas,
          selector: { matchLabels: labels },
          strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: '25%' } },
          template: {
            metadata: {
              labels,
              ...(identity
                ? { annotations: { [POD_IDENTITY_ANNOTATION]: pulumi.interpolate`${identity.association.associationId} ${identity.association.roleArn}` } }
                : {}),
            },
            spec: {
              ...(identity ? { serviceAccountName: identity.serviceAccount.metadata.name } : { automountServiceAccountToken: false }),
              nodeSelector: platform.nodeSelector,
              // The pre-stop pause, then the app's drain after SIGTERM (as long as on Fargate), then a margin.
              terminationGracePeriodSeconds: TERMINATION_GRACE_SECONDS,
              securityContext: { runAsNonRoot: true, runAsUser: NODE_UID, runAsGroup: NODE_UID, seccompProfile: { type: 'RuntimeDefault' } },
              topologySpreadConstraints: [
                { maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: labels } },
              ],
              containers: [
                {
                  name: kname,
                  image: platform.image.imageRef,
                  command: [...spec.command],
                  ports: [{ name: 'http', containerPort: spec.port, protocol: 'TCP' }],
                  env,
                  resources: {
                    requests: { cpu: `${s.eksCpuMillicores}m`, memory: `${Math.ceil(s.eksMemoryMb / 2)}Mi` },
                    limits: { memory: `${s.eksMemoryMb}Mi` },
                  },
                  livenessProbe: probe(10, 10, 3),
                  readinessProbe: probe(2, 5, 2),
                  // Out of the Service's endpoints and the load balancer before SIGTERM.
                  lifecycle: preStopPause(),
                  securityContext: CONTAINER_SECURITY,
                },
                // Traced: the collector beside the app, which takes its OTLP on loopback to X-Ray (with the pod's identity).
                ...(spec.tracing
                  ? [
                      {
                        name: COLLECTOR_CONTAINER,
                        image: spec.tracing.collectorImage,
                        env: region.apply((r) => [
                          { name: 'AOT_CONFIG_CONTENT', value: collectorConfig(r) },
                          { name: ENV.region, value: r },
                        ]),
                        resources: { requests: { cpu: '50m', memory: '64Mi' }, limits: { memory: '128Mi' } },
                        securityContext: CONTAINER_SECURITY,
                      },
                    ]
                  : []),
              ],
            },
          },
        },
      },
      { ...k, dependsOn: [platform.nodePool, ...(identity ? [identity.serviceAccount, identity.association] : [])] },
    );
    const service = new k8s.core.v1.Service(
      `${name}-service`,
      { metadata, spec: { type: 'ClusterIP', selector: labels, ports: [{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }] } },
      k,
    );

    this.monitoring = { kind: 'eks', clusterName: platform.clusterName, namespace: platform.namespace, podName: kname };
    this.servesAfter = [];
    if (isPublic) {
      const ingress = new k8s.networking.v1.Ingress(
        `${name}-ingress`,
        {
          metadata: {
            ...metadata,
            annotations: {
              ...platform.groupAnnotations,
              'alb.ingress.kubernetes.io/target-type': 'ip',
              'alb.ingress.kubernetes.io/healthcheck-path': HEALTH_PATH,
              'alb.ingress.kubernetes.io/success-codes': '200',
              'alb.ingress.kubernetes.io/target-group-attributes': `deregistration_delay.timeout_seconds=${deregistrationDelaySeconds(platform.idleTimeoutSeconds)}`,
            },
          },
          spec: {
            ingressClassName: platform.ingressClass.metadata.name,
            rules: [
              {
                ...(platform.host ? { host: platform.host } : {}),
                http: {
                  paths: spec.routes.map((r) => ({ path: r.path, pathType: 'Exact', backend: { service: { name: kname, port: { name: 'http' } } } })),
                },
              },
            ],
          },
        },
        { ...k, dependsOn: [platform.ingressClass, service, deployment] },
      );
      this.servesAfter = [ingress];
    } else {
      this.url = pulumi.interpolate`http://${kname}.${platform.namespace}.svc.cluster.local`;
    }

    if (spec.autoscale) {
      new k8s.autoscaling.v2.HorizontalPodAutoscaler(
        `${name}-hpa`,
        {
          metadata,
          spec: {
            scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: kname },
            minReplicas: s.eksMinReplicas,
            maxReplicas: s.eksMaxReplicas,
            metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: s.cpuTargetPercent } } }],
          },
        },
        // Without metrics-server the HPA has nothing to scale on.
        { ...k, dependsOn: [deployment, platform.metricsServer] },
      );
      new k8s.policy.v1.PodDisruptionBudget(`${name}-pdb`, { metadata, spec: { maxUnavailable: 1, selector: { matchLabels: labels } } }, k);
    }
    this.registerOutputs({ url: this.url });
  }
}
