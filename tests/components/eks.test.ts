import { strict as assert } from 'node:assert';
import { Namespace } from 'kubernetes-models/v1/Namespace';
import { Service } from 'kubernetes-models/v1/Service';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import { Ingress } from 'kubernetes-models/networking.k8s.io/v1/Ingress';
import { IngressClass } from 'kubernetes-models/networking.k8s.io/v1/IngressClass';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import * as pulumi from '@pulumi/pulumi';
import { ATTRIBUTES, SERVER_COMMAND } from '../../app/contract';
import { parseConfig, workloadSettings } from '../../config';
import { DRAIN_TIMEOUT_MS } from '../../components/container';
import { Discovery } from '../../components/discovery';
import { eksTarget } from '../../components/eksPlatform';
import { POD_IDENTITY_ANNOTATION } from '../../components/eksWorkload';
import { deployOn } from '../../components/targets';
import { agentSpec, serverSpec, type WorkloadSpec } from '../../components/workload';
import { dependenciesOf } from '../helpers/dependencies';
import { crossObjectProblems, objectsOf, type Objects } from '../helpers/k8s';
import { deployWith, valueOf, type Deployed } from '../helpers/pulumi';
import { aliases, calls, registered, urns, type Registered } from '../setup';
import { agentPolicyDocument, MODEL, REQUEST_STATE_READ, XRAY_WRITE } from '../fixtures/agentPolicy';
import { authorization } from '../fixtures/auth';
import { requestState } from '../fixtures/requestState';

const MODELS: Record<string, new (data: any) => { validate(): void }> = {
  'kubernetes:core/v1:Namespace': Namespace,
  'kubernetes:core/v1:Service': Service,
  'kubernetes:apps/v1:Deployment': Deployment,
  'kubernetes:autoscaling/v2:HorizontalPodAutoscaler': HorizontalPodAutoscaler,
  'kubernetes:networking.k8s.io/v1:Ingress': Ingress,
  'kubernetes:networking.k8s.io/v1:IngressClass': IngressClass,
  'kubernetes:policy/v1:PodDisruptionBudget': PodDisruptionBudget,
  'kubernetes:core/v1:ServiceAccount': ServiceAccount,
};
const INGRESS = 'kubernetes:networking.k8s.io/v1:Ingress';
const DEPLOYMENT = 'kubernetes:apps/v1:Deployment';


const envOf = (r: Registered): Record<string, string> => Object.fromEntries(r.inputs.spec.template.spec.containers[0].env.map((e: any) => [e.name, e.value]));
const pathsOf = (r: Registered) => r.inputs.spec.rules.flatMap((rule: any) => rule.http.paths.map((p: any) => `${p.pathType} ${p.path}`));


/** What Auto Mode needs its cluster role and node role to have, as AWS documents it. */
const CLUSTER_POLICIES = ['AmazonEKSClusterPolicy', 'AmazonEKSComputePolicy', 'AmazonEKSBlockStoragePolicy', 'AmazonEKSLoadBalancingPolicy', 'AmazonEKSNetworkingPolicy'];
const NODE_POLICIES = ['AmazonEKSWorkerNodeMinimalPolicy', 'AmazonEC2ContainerRegistryPullOnly'];

const podSpec = (d: Deployed) => d.one(DEPLOYMENT, 'eks-cost-deployment').inputs.spec.template.spec;
const container = (d: Deployed) => podSpec(d).containers[0];

describe('EKS platform and workloads (under mocks)', function () {
  this.timeout(60_000);

  describe('with a custom domain and an extra admin', () => {
    let d: Deployed;
    before(async () => {
      d = await deployWith({
        target: 'eks',
        domainName: 'mcp.example.com',
        hostedZoneId: 'Z0123456789ABCDEFGHIJ',
        eksAdminPrincipals: ['arn:aws:iam::123456789012:role/platform-admins'],
        // All different, so that swapped wiring shows.
        eksReplicas: 3,
        eksMinReplicas: 2,
        eksMaxReplicas: 12,
      });
    });

    it('validates every Kubernetes object against the official schema', () => {
      const objects = d.resources.filter((r) => r.type in MODELS);
      // The namespace, the class and the front door; each server's Deployment, Service, Ingress, HPA and PDB; the
      // agent's Deployment, Service and ServiceAccount.
      assert.deepEqual(
        objects.map((r) => r.name).sort(),
        ['eks-ns', 'eks-alb', 'eks-front-door', 'agent-deployment', 'agent-service', 'agent-sa']
          .concat(...['cost', 'text'].map((s) => ['deployment', 'service', 'ingress', 'hpa', 'pdb', 'sa'].map((k) => `eks-${s}-${k}`)))
          .sort(),
      );
      for (const r of objects) {
        const Model = MODELS[r.type]!;
        assert.doesNotThrow(() => new Model(r.inputs).validate(), `${r.type} ${r.name}`);
      }
    });

    it('the schema check catches a broken object', () => {
      const broken = structuredClone(d.one(DEPLOYMENT, 'eks-cost-deployment').inputs);
      broken.spec.template.spec.containers[0].ports[0].containerPort = 'three thousand';
      assert.throws(() => new Deployment(broken).validate(), /containerPort/);
    });

    it('ties the Kubernetes objects of the servers, the agent and the front door together by matching names, labels and ports', () => {
      const o = objectsOf(d.resources);
      assert.deepEqual(o.deployment.map((x) => x.metadata.name).sort(), ['agent', 'mcp-cost', 'mcp-text']);
      assert.deepEqual(o.service.map((x) => x.metadata.name).sort(), ['agent', 'mcp-cost', 'mcp-text']);
      assert.deepEqual(o.ingress.map((x) => x.metadata.name).sort(), ['mcp-cost', 'mcp-front-door', 'mcp-text']);
      // The agent's, and each server's (its collector writes to X-Ray).
      assert.equal(o.podIdentity.length, 3);
      assert.deepEqual(crossObjectProblems(o), []);
    });

    // Each link broken on its own, in a copy of the objects: the check above must notice every one.
    const server = (list: any[]) => list.find((x) => x.metadata.name === 'mcp-cost');
    const text = (list: any[]) => list.find((x) => x.metadata.name === 'mcp-text');
    const agent = (list: any[]) => list.find((x) => x.metadata.name === 'agent');
    const frontDoor = (list: any[]) => list.find((x) => x.metadata.name === 'mcp-front-door');
    const BREAKS: [string, (o: Objects) => void, RegExp][] = [
      ['deployment selector', (o) => (server(o.deployment).spec.selector.matchLabels['app.kubernetes.io/name'] = 'other'), /deployment mcp\/mcp-cost: its selector/],
      ['agent pod labels', (o) => (agent(o.deployment).spec.template.metadata.labels = { app: 'x' }), /deployment mcp\/agent: its selector/],
      ['spread constraint', (o) => (server(o.deployment).spec.template.spec.topologySpreadConstraints[0].labelSelector.matchLabels = { a: 'b' }), /spread constraint/],
      ['service selector', (o) => (server(o.service).spec.selector = { 'app.kubernetes.io/name': 'nothing' }), /service mcp\/mcp-cost: selects the pods of 0/],
      ['service selecting every pod', (o) => (agent(o.service).spec.selector = { 'app.kubernetes.io/part-of': 'mcp-on-aws' }), /service mcp\/agent: selects the pods of 3/],
      ['service target port', (o) => (server(o.service).spec.ports[0].targetPort = 'web'), /targets web/],
      ['container port name', (o) => (agent(o.deployment).spec.template.spec.containers[0].ports[0].name = 'agent'), /service mcp\/agent: its port http targets http/],
      ['probe port', (o) => (server(o.deployment).spec.template.spec.containers[0].readinessProbe.httpGet.port = 'health'), /uses port health/],
      ['ingress backend service', (o) => (server(o.ingress).spec.rules[0].http.paths[0].backend.service.name = 'mcp'), /backend service mcp does not exist/],
      ['second server ingress backend', (o) => (text(o.ingress).spec.rules[0].http.paths[1].backend.service.name = 'mcp-txt'), /mcp\/mcp-text: its backend service mcp-txt/],
      ['ingress backend port', (o) => (server(o.ingress).spec.rules[0].http.paths[0].backend.service.port = { name: 'https' }), /has no port https/],
      ['ingress class name', (o) => (server(o.ingress).spec.ingressClassName = 'alb'), /its class alb does not exist/],
      ['ingress class parameters', (o) => (o.ingressClass[0].spec.parameters.name = 'alb'), /parameters eks.amazonaws.com\/IngressClassParams alb/],
      ['ingress class params name', (o) => (o.ingressClassParams[0].metadata.name = 'params'), /parameters .* mcp-alb-group do not exist/],
      ['front door action', (o) => delete frontDoor(o.ingress).metadata.annotations['alb.ingress.kubernetes.io/actions.not-found'], /default backend names action not-found/],
      ['group setting on one server', (o) => (text(o.ingress).metadata.annotations['alb.ingress.kubernetes.io/listen-ports'] = '[{"HTTPS":443}]'), /disagree on alb.ingress.kubernetes.io\/listen-ports/],
      ['group setting left off', (o) => delete server(o.ingress).metadata.annotations['alb.ingress.kubernetes.io/load-balancer-attributes'], /disagree on alb.ingress.kubernetes.io\/load-balancer-attributes/],
      ['group by annotation', (o) => (text(o.ingress).metadata.annotations['alb.ingress.kubernetes.io/group.name'] = 'mcp'), /names its group by annotation/],
      ['a second default backend', (o) => (text(o.ingress).spec.defaultBackend = frontDoor(o.ingress).spec.defaultBackend), /more than one Ingress sets the default backend/],
      ['a path claimed twice', (o) => (text(o.ingress).spec.rules[0].http.paths[0].path = '/mcp'), /mcp\/mcp-(cost|text) and mcp\/mcp-(cost|text) both claim mcp\.example\.com\/mcp$/m],
      ['hpa target', (o) => (server(o.hpa).spec.scaleTargetRef.name = 'agent-x'), /hpa mcp\/mcp-cost: scales apps\/v1 Deployment agent-x/],
      ['pdb selector', (o) => (text(o.pdb).spec.selector.matchLabels = { 'app.kubernetes.io/part-of': 'mcp-on-aws' }), /pdb mcp\/mcp-text/],
      ['node pool name', (o) => (o.nodePool[0].metadata.name = 'arm64'), /node pool mcp-arm64, which does not exist/],
      ['node pool arch', (o) => (o.nodePool[0].spec.template.spec.requirements[0].values = ['amd64']), /makes no arm64 nodes/],
      ['service account name', (o) => (o.serviceAccount.find((sa) => sa.metadata.name === 'agent')!.metadata.name = 'mcp-agent'), /service account agent does not exist/],
      ['pod identity service account', (o) => (o.podIdentity[0].serviceAccount = 'default'), /pod identity mcp\/default/],
      ['namespace', (o) => (agent(o.service).metadata.namespace = 'default'), /service default\/agent: its namespace/],
    ];
    for (const [what, breakIt, problem] of BREAKS) {
      it(`the cross-object check catches a broken link: ${what}`, () => {
        const o = objectsOf(d.resources);
        breakIt(o);
        assert.match(crossObjectProblems(o).join('\n'), problem);
      });
    }

    it('installs Container Insights from the EKS add-ons, its CloudWatch agent with an identity that may write metrics', () => {
      const addon = d.one('aws:eks/addon:Addon', 'eks-insights');
      assert.equal(addon.inputs.addonName, 'amazon-cloudwatch-observability');
      assert.equal(addon.inputs.clusterName, 'mcp-on-aws-dev');
      const role = d.one('aws:iam/role:Role', 'eks-insights');
      assert.deepEqual(addon.inputs.podIdentityAssociations, [{ roleArn: role.state.arn, serviceAccount: 'cloudwatch-agent' }]);
      assert.equal(JSON.parse(role.inputs.assumeRolePolicy).Statement[0].Principal.Service, 'pods.eks.amazonaws.com');
      const attached = d.one('aws:iam/rolePolicyAttachment:RolePolicyAttachment', 'eks-insights');
      assert.deepEqual([attached.inputs.role, attached.inputs.policyArn], [role.state.name, 'arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy']);
    });

    it('installs metrics-server from the EKS add-ons on the system pool, and the HPA waits for it', () => {
      const addon = d.one('aws:eks/addon:Addon', 'eks-metrics-server');
      assert.equal(addon.inputs.addonName, 'metrics-server');
      assert.equal(addon.inputs.clusterName, 'mcp-on-aws-dev');
      // Auto Mode's system pool: nodes labelled with its name and tainted CriticalAddonsOnly:NoSchedule.
      assert.deepEqual(JSON.parse(addon.inputs.configurationValues), {
        nodeSelector: { 'karpenter.sh/nodepool': 'system' },
        tolerations: [{ key: 'CriticalAddonsOnly', operator: 'Exists', effect: 'NoSchedule' }],
      });
      assert.ok(d.one('aws:eks/cluster:Cluster').inputs.computeConfig.nodePools.includes('system'), 'the system pool is enabled');
      for (const server of ['cost', 'text']) {
        const hpa = dependenciesOf('kubernetes:autoscaling/v2:HorizontalPodAutoscaler', `eks-${server}-hpa`).explicit;
        assert.ok(hpa.includes('aws:eks/addon:Addon eks-metrics-server'), hpa.join(', '));
        assert.ok(hpa.includes(`kubernetes:apps/v1:Deployment eks-${server}-deployment`), hpa.join(', '));
      }
    });

    it('gives every pod a termination grace that holds its pre-stop pause, its whole drain and 5 s more', () => {
      const deployments = d.resources.filter((r) => r.type === 'kubernetes:apps/v1:Deployment');
      assert.equal(deployments.length, 3, 'the servers and the agent');
      for (const r of deployments) {
        const pod = r.inputs.spec.template.spec;
        const c = pod.containers[0];
        const drainMs = Number(c.env.find((e: any) => e.name === 'SHUTDOWN_TIMEOUT_MS').value);
        assert.equal(drainMs, DRAIN_TIMEOUT_MS, r.name);
        const pause = c.lifecycle.preStop.sleep.seconds;
        assert.ok(pause >= 5, `${r.name}: a pre-stop pause before SIGTERM`);
        // The kubelet counts the pre-stop hook against the grace, then sends SIGTERM.
        assert.ok(pod.terminationGracePeriodSeconds >= pause + drainMs / 1000 + 5, `${r.name}: ${pod.terminationGracePeriodSeconds} s grace`);
      }
    });

    it('makes an Auto Mode cluster with API authentication, control-plane logs and standard support', () => {
      const c = d.one('aws:eks/cluster:Cluster').inputs;
      assert.equal(c.name, 'mcp-on-aws-dev');
      assert.equal(c.accessConfig.authenticationMode, 'API');
      assert.equal(c.accessConfig.bootstrapClusterCreatorAdminPermissions, true, 'the deploying principal is admin');
      assert.equal(c.computeConfig.enabled, true);
      assert.equal(c.kubernetesNetworkConfig.elasticLoadBalancing.enabled, true);
      assert.equal(c.storageConfig.blockStorage.enabled, true);
      assert.deepEqual(c.enabledClusterLogTypes, ['api', 'audit', 'authenticator', 'controllerManager', 'scheduler']);
      assert.equal(c.upgradePolicy.supportType, 'STANDARD');
      assert.deepEqual(c.vpcConfig.subnetIds, ['network-private-0-id', 'network-private-1-id']);
      const logs = d.all('aws:cloudwatch/logGroup:LogGroup').find((g) => g.inputs.name === '/aws/eks/mcp-on-aws-dev/cluster');
      assert.equal(logs?.inputs.retentionInDays, 30);
    });

    it('writes control-plane logs to /aws/eks/<cluster>/cluster, made before the cluster, which waits for its roles’ policies', () => {
      const groups = d.all('aws:cloudwatch/logGroup:LogGroup').filter((g) => g.name === 'eks-control-plane');
      assert.equal(groups.length, 1);
      assert.equal(groups[0]!.inputs.name, '/aws/eks/mcp-on-aws-dev/cluster');
      const waits = dependenciesOf('aws:eks/cluster:Cluster', 'eks-cluster').explicit.sort();
      assert.deepEqual(waits, [
        'aws:cloudwatch/logGroup:LogGroup eks-control-plane',
        ...CLUSTER_POLICIES.map((p) => `aws:iam/rolePolicyAttachment:RolePolicyAttachment eks-cluster-${p}`),
        ...NODE_POLICIES.map((p) => `aws:iam/rolePolicyAttachment:RolePolicyAttachment eks-node-${p}`),
      ].sort());
    });

    it('gives the cluster and its nodes roles with whole trust policies and exactly the managed policies Auto Mode needs', () => {
      const roles = d.all('aws:iam/role:Role');
      const role = (name: string) => roles.find((r) => r.name === name)!;
      const trust = (name: string) => JSON.parse(role(name).inputs.assumeRolePolicy);
      assert.deepEqual(trust('eks-cluster'), {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { Service: 'eks.amazonaws.com' }, Action: ['sts:AssumeRole', 'sts:TagSession'] }],
      });
      assert.deepEqual(trust('eks-node'), {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }],
      });
      const attached = (roleName: string) =>
        d
          .all('aws:iam/rolePolicyAttachment:RolePolicyAttachment')
          .filter((a) => a.inputs.role === role(roleName).state.name)
          .map((a) => a.inputs.policyArn)
          .sort();
      assert.deepEqual(attached('eks-cluster'), CLUSTER_POLICIES.map((p) => `arn:aws:iam::aws:policy/${p}`).sort());
      assert.deepEqual(attached('eks-node'), NODE_POLICIES.map((p) => `arn:aws:iam::aws:policy/${p}`).sort());
      // Neither role has inline policies of its own.
      assert.deepEqual(
        d.all('aws:iam/rolePolicy:RolePolicy').filter((p) => ['eks-cluster', 'eks-node'].includes(p.inputs.role)),
        [],
      );
      const cluster = d.one('aws:eks/cluster:Cluster').inputs;
      assert.equal(cluster.roleArn, role('eks-cluster').state.arn);
      assert.equal(cluster.computeConfig.nodeRoleArn, role('eks-node').state.arn);
    });

    it('gives extra principals cluster admin through access entries', () => {
      const entry = d.one('aws:eks/accessEntry:AccessEntry').inputs;
      assert.equal(entry.principalArn, 'arn:aws:iam::123456789012:role/platform-admins');
      assert.equal(entry.clusterName, 'mcp-on-aws-dev');
      const policy = d.one('aws:eks/accessPolicyAssociation:AccessPolicyAssociation').inputs;
      assert.equal(policy.policyArn, 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy');
      assert.deepEqual(policy.accessScope, { type: 'cluster' });
    });

    it('builds the Kubernetes provider from the cluster’s own endpoint and CA', () => {
      const provider = d.one('pulumi:providers:kubernetes').inputs;
      const kubeconfig = JSON.parse(provider.kubeconfig);
      assert.equal(kubeconfig.clusters[0].cluster.server, 'https://0123456789ABCDEF0123456789ABCDEF.gr7.us-east-1.eks.amazonaws.com');
      assert.equal(kubeconfig.clusters[0].cluster['certificate-authority-data'], 'LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0t');
      assert.deepEqual(kubeconfig.users[0].user.exec.args.slice(0, 4), ['eks', 'get-token', '--cluster-name', 'mcp-on-aws-dev']);
    });

    it('probes /healthz on the app port for liveness and readiness', () => {
      const c = container(d);
      assert.deepEqual(c.ports, [{ name: 'http', containerPort: 3000, protocol: 'TCP' }]);
      for (const probe of [c.livenessProbe, c.readinessProbe]) {
        assert.deepEqual(probe.httpGet, { path: '/healthz', port: 'http' });
      }
    });

    it('runs non-root, read-only, without privilege escalation or capabilities', () => {
      const pod = podSpec(d);
      assert.equal(pod.securityContext.runAsNonRoot, true);
      assert.equal(pod.securityContext.runAsUser, 1000);
      const sc = container(d).securityContext;
      assert.equal(sc.allowPrivilegeEscalation, false);
      assert.equal(sc.readOnlyRootFilesystem, true);
      assert.deepEqual(sc.capabilities.drop, ['ALL']);
    });

    it('spreads pods across zones, on arm64 nodes, and lets in-flight requests finish on termination', () => {
      const pod = podSpec(d);
      assert.equal(pod.topologySpreadConstraints[0].topologyKey, 'topology.kubernetes.io/zone');
      assert.equal(pod.nodeSelector['kubernetes.io/arch'], 'arm64');
      const env = Object.fromEntries(container(d).env.map((e: any) => [e.name, e.value]));
      assert.ok(Number(env.KEEP_ALIVE_TIMEOUT_MS) > 300_000);
      assert.match(container(d).image, /@sha256:/);
      const pool = d.one('kubernetes:karpenter.sh/v1:NodePool').inputs;
      assert.deepEqual(pool.spec.template.spec.requirements[0], { key: 'kubernetes.io/arch', operator: 'In', values: ['arm64'] });
      assert.equal(pool.spec.template.spec.nodeClassRef.group, 'eks.amazonaws.com');
      for (const server of ['cost', 'text']) assert.equal(d.one(DEPLOYMENT, `eks-${server}-deployment`).inputs.spec.replicas, 3);
    });

    it('scales with an HPA between the configured bounds and keeps all but one pod through disruptions', () => {
      for (const server of ['cost', 'text']) {
        const hpa = d.one('kubernetes:autoscaling/v2:HorizontalPodAutoscaler', `eks-${server}-hpa`).inputs.spec;
        assert.equal(hpa.minReplicas, 2);
        assert.equal(hpa.maxReplicas, 12);
        assert.equal(hpa.metrics[0].resource.target.averageUtilization, 60);
        assert.equal(hpa.scaleTargetRef.name, `mcp-${server}`);
        const pdb = d.one('kubernetes:policy/v1:PodDisruptionBudget', `eks-${server}-pdb`).inputs.spec;
        assert.equal(pdb.maxUnavailable, 1);
      }
      // Twice every pod's CPU at the largest: 2 × (12 × 250m + 12 × 250m + 1 × 100m (the agent)) = 12.2, rounded up.
      assert.equal(d.one('kubernetes:karpenter.sh/v1:NodePool').inputs.spec.limits.cpu, '13');
    });

    it('exposes each server’s Service through the one internet-facing ALB with the certificate, HTTPS and the idle timeout', () => {
      const ingress = d.one(INGRESS, 'eks-cost-ingress').inputs;
      const a = ingress.metadata.annotations;
      assert.equal(ingress.spec.ingressClassName, 'mcp-alb-group');
      assert.equal(a['alb.ingress.kubernetes.io/scheme'], 'internet-facing');
      assert.equal(a['alb.ingress.kubernetes.io/target-type'], 'ip');
      assert.equal(a['alb.ingress.kubernetes.io/certificate-arn'], 'arn:aws:acm:us-east-1:123456789012:certificate/domain-cert');
      assert.equal(a['alb.ingress.kubernetes.io/listen-ports'], '[{"HTTP":80},{"HTTPS":443}]');
      assert.equal(a['alb.ingress.kubernetes.io/ssl-redirect'], '443');
      assert.equal(a['alb.ingress.kubernetes.io/ssl-policy'], 'ELBSecurityPolicy-TLS13-1-2-2021-06');
      assert.equal(a['alb.ingress.kubernetes.io/load-balancer-attributes'], 'idle_timeout.timeout_seconds=300');
      assert.equal(a['alb.ingress.kubernetes.io/target-group-attributes'], 'deregistration_delay.timeout_seconds=300');
      assert.equal(a['alb.ingress.kubernetes.io/healthcheck-path'], '/healthz');
      assert.equal(ingress.spec.rules[0].host, 'mcp.example.com');
      const cls = d.one('kubernetes:networking.k8s.io/v1:IngressClass').inputs.spec;
      assert.equal(cls.controller, 'eks.amazonaws.com/alb');
      const service = d.one('kubernetes:core/v1:Service', 'eks-cost-service').inputs.spec;
      assert.deepEqual(service.ports, [{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }]);
    });

    it('points the domain at the ALB and registers the primary’s endpoint URL in Cloud Map under the same service name', async () => {
      const a = d.all('aws:route53/record:Record').filter((r) => r.inputs.type === 'A');
      assert.equal(a.length, 1);
      assert.deepEqual(a[0]!.inputs.aliases, [
        { name: 'k8s-mcp-mcpserve-1a2b3c4d5e-1234567890.us-east-1.elb.amazonaws.com', zoneId: 'Z35SXDOTRQ7X7K', evaluateTargetHealth: true },
      ]);
      const instance = d.one('aws:servicediscovery/instance:Instance', 'discovery-cost-eks-endpoint').inputs;
      assert.equal(instance.attributes.mcp_url, 'https://mcp.example.com/cost/mcp');
      assert.equal(instance.attributes.mcp_target, 'eks');
      assert.equal(d.one('aws:servicediscovery/service:Service', 'discovery-cost').inputs.name, 'mcp-server');
      assert.equal(d.one('aws:servicediscovery/httpNamespace:HttpNamespace').inputs.name, 'dev.mcp-on-aws.local');
      assert.equal(await valueOf(d.outputs.mcpUrl), 'https://mcp.example.com/mcp');
      assert.equal(await valueOf(d.outputs.clusterName), 'mcp-on-aws-dev');
    });

    it('tags subnets for the load balancer controller', () => {
      const subnets = d.all('aws:ec2/subnet:Subnet');
      assert.ok(subnets.filter((s) => s.name.includes('public')).every((s) => s.inputs.tags['kubernetes.io/role/elb'] === '1'));
      assert.ok(subnets.filter((s) => s.name.includes('private')).every((s) => s.inputs.tags['kubernetes.io/role/internal-elb'] === '1'));
    });
  });

  for (const idleTimeoutSeconds of [3601, 4000]) {
    it(`keeps the deregistration delay within ALB's 3600 s when the idle timeout is ${idleTimeoutSeconds} s`, async () => {
      const d = await deployWith({ target: 'eks', idleTimeoutSeconds });
      for (const server of ['cost', 'text']) {
        const a = d.one(INGRESS, `eks-${server}-ingress`).inputs.metadata.annotations;
        assert.equal(a['alb.ingress.kubernetes.io/target-group-attributes'], 'deregistration_delay.timeout_seconds=3600');
      }
      for (const i of d.all(INGRESS)) {
        assert.equal(i.inputs.metadata.annotations['alb.ingress.kubernetes.io/load-balancer-attributes'], `idle_timeout.timeout_seconds=${idleTimeoutSeconds}`, i.name);
      }
    });
  }

  it('without a domain: HTTP on the ALB name, and a warning', async () => {
    const d = await deployWith({ target: 'eks' });
    assert.equal(d.all(INGRESS).length, 3);
    for (const i of d.all(INGRESS)) {
      const a = i.inputs.metadata.annotations;
      assert.equal(a['alb.ingress.kubernetes.io/listen-ports'], '[{"HTTP":80}]', i.name);
      assert.equal(a['alb.ingress.kubernetes.io/certificate-arn'], undefined, i.name);
      assert.equal(i.inputs.spec.rules?.[0]?.host, undefined, i.name);
    }
    assert.deepEqual(crossObjectProblems(objectsOf(d.resources)), []);
    assert.equal(await valueOf(d.outputs.mcpUrl), 'http://k8s-mcp-mcpserve-1a2b3c4d5e-1234567890.us-east-1.elb.amazonaws.com/mcp');
    assert.match(d.outputs.warnings.join(' '), /plain HTTP/);
    assert.equal(d.all('aws:eks/accessEntry:AccessEntry').length, 0);
  });

  describe('with several servers and a domain (default settings)', () => {
    let d: Deployed;
    before(async () => {
      d = await deployWith({ target: 'eks', domainName: 'mcp.example.com', hostedZoneId: 'Z0123456789ABCDEFGHIJ' });
    });

    it('makes one platform (one cluster, one ALB group) and one workload per server plus the agent', () => {
      assert.equal(d.all('aws:eks/cluster:Cluster').length, 1);
      const components = (type: string) => d.resources.filter((r) => r.type === type).map((r) => r.name).sort();
      assert.deepEqual(components('mcp-on-aws:index:EksPlatform'), ['eks']);
      assert.deepEqual(components('mcp-on-aws:index:EksWorkload'), ['agent', 'eks-cost', 'eks-text']);
      // Auto Mode groups Ingresses through the class's parameters only: every Ingress is of the one class.
      const params = d.one('kubernetes:eks.amazonaws.com/v1:IngressClassParams').inputs;
      assert.deepEqual(params.spec.group, { name: 'mcp' });
      const ingresses = d.resources.filter((r) => r.type === INGRESS);
      assert.equal(ingresses.length, 3);
      assert.ok(ingresses.every((i) => i.inputs.spec.ingressClassName === params.metadata.name));
    });

    it('routes each server’s own paths, Exact, and the primary’s /mcp and /healthz, to its Service', () => {
      assert.deepEqual(pathsOf(d.one(INGRESS, 'eks-cost-ingress')), [
        'Exact /cost/mcp',
        'Exact /cost/healthz',
        'Exact /mcp',
        'Exact /healthz',
        'Exact /.well-known/oauth-protected-resource/cost/mcp',
        'Exact /.well-known/oauth-protected-resource/mcp',
        'Exact /.well-known/oauth-authorization-server',
      ]);
      assert.deepEqual(pathsOf(d.one(INGRESS, 'eks-text-ingress')), ['Exact /text/mcp', 'Exact /text/healthz', 'Exact /.well-known/oauth-protected-resource/text/mcp']);
      for (const server of ['cost', 'text']) {
        const backends = d.one(INGRESS, `eks-${server}-ingress`).inputs.spec.rules[0].http.paths.map((p: any) => p.backend.service.name);
        assert.ok(backends.every((b: string) => b === `mcp-${server}`), backends.join(', '));
      }
      assert.deepEqual(crossObjectProblems(objectsOf(d.resources)), []);
    });

    it('answers any other path with the front door’s fixed 404, and gives the group’s settings on every Ingress', () => {
      const front = d.one(INGRESS, 'eks-front-door').inputs;
      assert.equal(front.spec.rules, undefined);
      assert.deepEqual(front.spec.defaultBackend, { service: { name: 'not-found', port: { name: 'use-annotation' } } });
      const action = JSON.parse(front.metadata.annotations['alb.ingress.kubernetes.io/actions.not-found']);
      assert.equal(action.type, 'fixed-response');
      assert.equal(action.fixedResponseConfig.statusCode, '404');
      assert.equal(action.fixedResponseConfig.contentType, 'application/json');
      assert.doesNotThrow(() => JSON.parse(action.fixedResponseConfig.messageBody));
      const group = (r: Registered) => {
        const a = r.inputs.metadata.annotations;
        return ['scheme', 'listen-ports', 'certificate-arn', 'ssl-policy', 'ssl-redirect', 'load-balancer-attributes'].map((k) => a[`alb.ingress.kubernetes.io/${k}`]);
      };
      for (const server of ['cost', 'text']) assert.deepEqual(group(d.one(INGRESS, `eks-${server}-ingress`)), group(d.one(INGRESS, 'eks-front-door')), server);
      assert.ok(group(d.one(INGRESS, 'eks-front-door')).every((v) => v !== undefined));
    });

    it('points the domain at the front door’s ALB, which no workload owns', () => {
      const records = d.all('aws:route53/record:Record').filter((r) => r.inputs.type === 'A');
      assert.equal(records.length, 1);
      assert.equal(records[0]!.inputs.aliases[0].name, 'k8s-mcp-mcpserve-1a2b3c4d5e-1234567890.us-east-1.elb.amazonaws.com');
      const waits = dependenciesOf('aws:route53/record:Record', 'domain-alias-a').all;
      assert.ok(waits.includes(`${INGRESS} eks-front-door`), waits.join(', '));
    });

    it('registers each server at https://<domain>/<server>/mcp with every attribute, once its Ingress exists', async () => {
      for (const server of ['cost', 'text']) {
        const instance = d.one('aws:servicediscovery/instance:Instance', `discovery-${server}-eks-endpoint`).inputs;
        assert.deepEqual(instance.attributes, {
          [ATTRIBUTES.server]: server,
          [ATTRIBUTES.url]: `https://mcp.example.com/${server}/mcp`,
          [ATTRIBUTES.transport]: 'streamable-http',
          [ATTRIBUTES.target]: 'eks',
          [ATTRIBUTES.primary]: String(server === 'cost'),
          [ATTRIBUTES.version]: instance.attributes[ATTRIBUTES.version],
          [ATTRIBUTES.auth]: 'cognito',
          [ATTRIBUTES.authScope]: `mcp-on-aws-dev/${server}`,
        });
        const waits = dependenciesOf('aws:servicediscovery/instance:Instance', `discovery-${server}-eks-endpoint`).explicit;
        assert.deepEqual(waits, [`${INGRESS} eks-${server}-ingress`]);
      }
      assert.deepEqual(await valueOf(d.outputs.servers), {
        cost: { mcpUrl: 'https://mcp.example.com/cost/mcp', healthUrl: 'https://mcp.example.com/cost/healthz', discoveryService: 'mcp-server', primary: true },
        text: { mcpUrl: 'https://mcp.example.com/text/mcp', healthUrl: 'https://mcp.example.com/text/healthz', discoveryService: 'text', primary: false },
      });
      assert.equal(await valueOf(d.outputs.mcpUrl), 'https://mcp.example.com/mcp');
      assert.equal(await valueOf(d.outputs.healthUrl), 'https://mcp.example.com/healthz');
      assert.deepEqual(d.outputs.warnings, []);
    });

    it('runs each server’s own name, command and sizes, labelled with the server', () => {
      for (const server of ['cost', 'text']) {
        const dep = d.one(DEPLOYMENT, `eks-${server}-deployment`);
        assert.equal(dep.inputs.metadata.name, `mcp-${server}`);
        assert.equal(dep.inputs.spec.template.metadata.labels['mcp-on-aws/server'], server);
        assert.equal(envOf(dep).MCP_SERVER, server);
        const c = dep.inputs.spec.template.spec.containers[0];
        assert.deepEqual(c.command, SERVER_COMMAND);
        assert.deepEqual(c.resources, { requests: { cpu: '250m', memory: '256Mi' }, limits: { memory: '512Mi' } });
        assert.equal(d.one('kubernetes:core/v1:Service', `eks-${server}-service`).inputs.spec.selector['mcp-on-aws/server'], server);
      }
    });
  });

  describe('workloads built from hand-made specs', () => {
    let resources: Registered[];
    const byName = (type: string, name: string) => {
      const found = resources.filter((r) => r.type === type && r.name === name);
      assert.equal(found.length, 1, `${type} ${name}`);
      return found[0]!;
    };

    before(async () => {
      registered.length = 0;
      urns.length = 0;
      aliases.length = 0;
      calls.length = 0;
      // The primary's spec without a policy (untraced, and without the request-state secret's): a workload that calls no AWS API.
      const config = parseConfig({ target: 'eks', tracing: 'false' });
      const discovery = new Discovery('discovery', { namespaceName: 'dev.mcp-on-aws.local' });
      const auth = authorization(config);
      const keys = requestState();
      const cost = discovery.addServer('cost', { serviceName: 'mcp-server', primary: true });
      const text = discovery.addServer('text', { serviceName: 'text', primary: false });
      // What a per-server override would give: text larger, and with AWS permissions of its own.
      const bigText: WorkloadSpec = {
        ...serverSpec(config, 'text', false, text, auth, keys),
        settings: { ...workloadSettings(config, 'text'), eksCpuMillicores: 1000, eksMemoryMb: 2048, eksMaxReplicas: 4 },
        policy: () => pulumi.output(JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['s3:GetObject'], Resource: '*' }] })),
      };
      const specs = [{ ...serverSpec(config, 'cost', true, cost, auth, keys), policy: undefined }, bigText, agentSpec(config, discovery, auth)];
      const out = deployOn(eksTarget, { config, opts: {}, discovery, specs, stack: 'dev', project: 'mcp-on-aws' });
      await valueOf(pulumi.all([out.mcpUrl, out.servers, out.agentUrl]));
      const { waitForRPCs } = require('@pulumi/pulumi/runtime/settings') as { waitForRPCs: () => Promise<void> };
      await waitForRPCs();
      resources = [...registered];
    });

    it('gives a setting of one server’s spec to its workload only', () => {
      const text = byName(DEPLOYMENT, 'eks-text-deployment').inputs;
      assert.deepEqual(text.spec.template.spec.containers[0].resources, { requests: { cpu: '1000m', memory: '1024Mi' }, limits: { memory: '2048Mi' } });
      assert.equal(byName('kubernetes:autoscaling/v2:HorizontalPodAutoscaler', 'eks-text-hpa').inputs.spec.maxReplicas, 4);
      const cost = byName(DEPLOYMENT, 'eks-cost-deployment').inputs;
      assert.deepEqual(cost.spec.template.spec.containers[0].resources, { requests: { cpu: '250m', memory: '256Mi' }, limits: { memory: '512Mi' } });
      assert.equal(byName('kubernetes:autoscaling/v2:HorizontalPodAutoscaler', 'eks-cost-hpa').inputs.spec.maxReplicas, 10);
      // 2 × (10 × 250m + 4 × 1000m + 1 × 100m) = 13.2 cores, rounded up.
      assert.equal(byName('kubernetes:karpenter.sh/v1:NodePool', 'eks-nodepool').inputs.spec.limits.cpu, '14');
    });

    it('gives any workload with a policy Pod Identity, as the agent has, and still its Ingress and scaling', () => {
      const role = byName('aws:iam/role:Role', 'eks-text-role');
      assert.equal(JSON.parse(role.inputs.assumeRolePolicy).Statement[0].Principal.Service, 'pods.eks.amazonaws.com');
      assert.deepEqual(JSON.parse(byName('aws:iam/rolePolicy:RolePolicy', 'eks-text-policy').inputs.policy).Statement[0].Action, ['s3:GetObject']);
      const assoc = byName('aws:eks/podIdentityAssociation:PodIdentityAssociation', 'eks-text-identity');
      assert.equal(assoc.inputs.serviceAccount, 'mcp-text');
      assert.equal(assoc.inputs.roleArn, role.state.arn);
      const pod = byName(DEPLOYMENT, 'eks-text-deployment').inputs.spec.template;
      assert.equal(pod.spec.serviceAccountName, 'mcp-text');
      assert.equal(pod.metadata.annotations[POD_IDENTITY_ANNOTATION], `${assoc.state.associationId} ${role.state.arn}`);
      assert.equal(envOf(byName(DEPLOYMENT, 'eks-text-deployment')).AWS_REGION, 'us-east-1');
      byName(INGRESS, 'eks-text-ingress');
      byName('kubernetes:policy/v1:PodDisruptionBudget', 'eks-text-pdb');
      // The primary, without a policy, has none of it.
      assert.equal(resources.filter((r) => r.name.startsWith('eks-cost-') && ['aws:iam/role:Role', 'kubernetes:core/v1:ServiceAccount'].includes(r.type)).length, 0);
      assert.equal(byName(DEPLOYMENT, 'eks-cost-deployment').inputs.spec.template.spec.automountServiceAccountToken, false);
      assert.deepEqual(crossObjectProblems(objectsOf(resources)), []);
    });
  });

  describe('the agent, as one more workload', () => {
    let d: Deployed;
    before(async () => {
      d = await deployWith({ target: 'eks', agentModelId: MODEL });
    });

    it('runs a schema-valid Deployment, Service and ServiceAccount in the app’s namespace', () => {
      const dep = d.agent('kubernetes:apps/v1:Deployment')[0]!.inputs;
      assert.doesNotThrow(() => new Deployment(dep).validate());
      assert.doesNotThrow(() => new Service(d.agent('kubernetes:core/v1:Service')[0]!.inputs).validate());
      assert.doesNotThrow(() => new ServiceAccount(d.agent('kubernetes:core/v1:ServiceAccount')[0]!.inputs).validate());
      assert.equal(dep.metadata.namespace, 'mcp');
      const c = dep.spec.template.spec.containers[0];
      assert.deepEqual(c.command, ['node', 'agent.js']);
      assert.equal(c.securityContext.readOnlyRootFilesystem, true);
      assert.equal(dep.spec.template.spec.serviceAccountName, 'agent');
      // Its Host check accepts the names of its ClusterIP Service, and loopback names (kubectl port-forward).
      const env = Object.fromEntries(c.env.map((e: any) => [e.name, e.value]));
      assert.equal(env.ALLOWED_HOSTS, 'agent,agent.mcp,agent.mcp.svc,agent.mcp.svc.cluster.local,localhost,127.0.0.1,[::1]');
      assert.equal(d.agent('kubernetes:core/v1:Service')[0]!.inputs.metadata.name, 'agent');
    });

    it('gets its permissions through Pod Identity, limited as on the other targets', async () => {
      const assoc = d.agent('aws:eks/podIdentityAssociation:PodIdentityAssociation')[0]!;
      assert.equal(assoc.inputs.namespace, 'mcp');
      assert.equal(assoc.inputs.serviceAccount, 'agent');
      assert.equal(assoc.inputs.clusterName, 'mcp-on-aws-dev');
      const roles = d.agent('aws:iam/role:Role');
      assert.equal(roles.length, 1);
      assert.equal(assoc.inputs.roleArn, roles[0]!.state.arn);
      assert.deepEqual(JSON.parse(roles[0]!.inputs.assumeRolePolicy), {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { Service: 'pods.eks.amazonaws.com' }, Action: ['sts:AssumeRole', 'sts:TagSession'] }],
      });
      // The role's one policy, whole; no managed policy is attached.
      const policies = d.agent('aws:iam/rolePolicy:RolePolicy');
      assert.deepEqual(policies.map((p) => p.inputs.role), ['agent-role-id'], 'the id of the role above');
      assert.deepEqual(JSON.parse(policies[0]!.inputs.policy), agentPolicyDocument(true));
      assert.deepEqual(d.agent('aws:iam/rolePolicyAttachment:RolePolicyAttachment'), []);
      // The servers call no AWS API but reading their key: their identities may read it and write traces (their collectors').
      assert.deepEqual(d.all('aws:iam/role:Role').map((r) => r.name).sort(), ['eks-cluster', 'eks-cost-role', 'eks-insights', 'eks-node', 'eks-text-role']);
      for (const s of ['cost', 'text']) {
        const policy = d.all('aws:iam/rolePolicy:RolePolicy').find((p) => p.name === `eks-${s}-policy`)!;
        assert.deepEqual(JSON.parse(policy.inputs.policy).Statement, [REQUEST_STATE_READ, XRAY_WRITE]);
      }
      assert.deepEqual(d.all('kubernetes:core/v1:ServiceAccount').map((sa) => sa.name).sort(), ['eks-cost-sa', 'eks-text-sa']);
      assert.equal(await valueOf(d.outputs.agentUrl), 'http://agent.mcp.svc.cluster.local');
    });

    it('starts its pods only once the Pod Identity association exists, so that EKS gives them credentials', () => {
      const waits = dependenciesOf('kubernetes:apps/v1:Deployment', 'agent-deployment').all;
      assert.ok(waits.includes('aws:eks/podIdentityAssociation:PodIdentityAssociation agent-identity'), waits.join(', '));
      assert.ok(waits.includes('kubernetes:core/v1:ServiceAccount agent-sa'), waits.join(', '));
    });

    it('replaces its pods when the association or its role changes', () => {
      const assoc = d.agent('aws:eks/podIdentityAssociation:PodIdentityAssociation')[0]!.state;
      const role = d.agent('aws:iam/role:Role')[0]!.state;
      const template = d.agent('kubernetes:apps/v1:Deployment')[0]!.inputs.spec.template;
      assert.equal(template.metadata.annotations[POD_IDENTITY_ANNOTATION], `${assoc.associationId} ${role.arn}`);
      assert.match(assoc.associationId, /^a-/, 'the id EKS gives the association');
    });

    it('has no Ingress, HPA or PDB: it is reached inside the cluster only and runs one pod, sized by the agent’s settings', () => {
      for (const type of [INGRESS, 'kubernetes:autoscaling/v2:HorizontalPodAutoscaler', 'kubernetes:policy/v1:PodDisruptionBudget']) {
        assert.deepEqual(d.agent(type), [], type);
      }
      const dep = d.agent(DEPLOYMENT)[0]!.inputs;
      assert.equal(dep.spec.replicas, 1);
      assert.deepEqual(dep.spec.template.spec.containers[0].resources, { requests: { cpu: '100m', memory: '192Mi' }, limits: { memory: '384Mi' } });
      assert.equal(envOf(d.agent(DEPLOYMENT)[0]!).CLOUD_MAP_NAMESPACE, 'dev.mcp-on-aws.local');
      assert.equal(envOf(d.agent(DEPLOYMENT)[0]!).BEDROCK_MODEL_ID, MODEL);
    });

    it('tells the SDK its Region, which Auto Mode nodes do not serve through instance metadata', () => {
      const c = d.agent('kubernetes:apps/v1:Deployment')[0]!.inputs.spec.template.spec.containers[0];
      const env = Object.fromEntries(c.env.map((e: any) => [e.name, e.value]));
      assert.equal(env.AWS_REGION, 'us-east-1');
    });
  });
});
