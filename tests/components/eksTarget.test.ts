import { strict as assert } from 'node:assert';
import { Namespace } from 'kubernetes-models/v1/Namespace';
import { Service } from 'kubernetes-models/v1/Service';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import { Ingress } from 'kubernetes-models/networking.k8s.io/v1/Ingress';
import { IngressClass } from 'kubernetes-models/networking.k8s.io/v1/IngressClass';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { DRAIN_TIMEOUT_MS } from '../../components/container';
import { dependenciesOf } from '../helpers/dependencies';
import { crossObjectProblems, objectsOf, type Objects } from '../helpers/k8s';
import { deployWith, valueOf, type Deployed } from '../helpers/pulumi';

const MODELS: Record<string, new (data: any) => { validate(): void }> = {
  'kubernetes:core/v1:Namespace': Namespace,
  'kubernetes:core/v1:Service': Service,
  'kubernetes:apps/v1:Deployment': Deployment,
  'kubernetes:autoscaling/v2:HorizontalPodAutoscaler': HorizontalPodAutoscaler,
  'kubernetes:networking.k8s.io/v1:Ingress': Ingress,
  'kubernetes:networking.k8s.io/v1:IngressClass': IngressClass,
  'kubernetes:policy/v1:PodDisruptionBudget': PodDisruptionBudget,
};

/** What Auto Mode needs its cluster role and node role to have, as AWS documents it. */
const CLUSTER_POLICIES = ['AmazonEKSClusterPolicy', 'AmazonEKSComputePolicy', 'AmazonEKSBlockStoragePolicy', 'AmazonEKSLoadBalancingPolicy', 'AmazonEKSNetworkingPolicy'];
const NODE_POLICIES = ['AmazonEKSWorkerNodeMinimalPolicy', 'AmazonEC2ContainerRegistryPullOnly'];

const podSpec = (d: Deployed) => d.one('kubernetes:apps/v1:Deployment').inputs.spec.template.spec;
const container = (d: Deployed) => podSpec(d).containers[0];

describe('EKS target (under mocks)', function () {
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
      // The app's seven kinds, and the agent's Deployment and Service.
      assert.equal(objects.length, Object.keys(MODELS).length + 2);
      for (const r of objects) {
        const Model = MODELS[r.type]!;
        assert.doesNotThrow(() => new Model(r.inputs).validate(), `${r.type} ${r.name}`);
      }
    });

    it('the schema check catches a broken object', () => {
      const broken = structuredClone(d.one('kubernetes:apps/v1:Deployment').inputs);
      broken.spec.template.spec.containers[0].ports[0].containerPort = 'three thousand';
      assert.throws(() => new Deployment(broken).validate(), /containerPort/);
    });

    it('ties the Kubernetes objects of the server and the agent together by matching names, labels and ports', () => {
      const o = objectsOf(d.resources);
      assert.deepEqual(o.deployment.map((x) => x.metadata.name).sort(), ['agent', 'mcp-server']);
      assert.deepEqual(o.service.map((x) => x.metadata.name).sort(), ['agent', 'mcp-server']);
      assert.equal(o.podIdentity.length, 1);
      assert.deepEqual(crossObjectProblems(o), []);
    });

    // Each link broken on its own, in a copy of the objects: the check above must notice every one.
    const server = (list: any[]) => list.find((x) => x.metadata.name === 'mcp-server');
    const agent = (list: any[]) => list.find((x) => x.metadata.name === 'agent');
    const BREAKS: [string, (o: Objects) => void, RegExp][] = [
      ['deployment selector', (o) => (server(o.deployment).spec.selector.matchLabels['app.kubernetes.io/name'] = 'other'), /deployment mcp\/mcp-server: its selector/],
      ['agent pod labels', (o) => (agent(o.deployment).spec.template.metadata.labels = { app: 'x' }), /deployment mcp\/agent: its selector/],
      ['spread constraint', (o) => (server(o.deployment).spec.template.spec.topologySpreadConstraints[0].labelSelector.matchLabels = { a: 'b' }), /spread constraint/],
      ['service selector', (o) => (server(o.service).spec.selector = { 'app.kubernetes.io/name': 'nothing' }), /service mcp\/mcp-server: selects the pods of 0/],
      ['service selecting both', (o) => (agent(o.service).spec.selector = { 'app.kubernetes.io/part-of': 'mcp-on-aws' }), /service mcp\/agent: selects the pods of 2/],
      ['service target port', (o) => (server(o.service).spec.ports[0].targetPort = 'web'), /targets web/],
      ['container port name', (o) => (agent(o.deployment).spec.template.spec.containers[0].ports[0].name = 'agent'), /service mcp\/agent: its port http targets http/],
      ['probe port', (o) => (server(o.deployment).spec.template.spec.containers[0].readinessProbe.httpGet.port = 'health'), /uses port health/],
      ['ingress backend service', (o) => (o.ingress[0].spec.rules[0].http.paths[0].backend.service.name = 'mcp'), /backend service mcp does not exist/],
      ['ingress backend port', (o) => (o.ingress[0].spec.rules[0].http.paths[0].backend.service.port = { name: 'https' }), /has no port https/],
      ['ingress class name', (o) => (o.ingress[0].spec.ingressClassName = 'alb'), /its class alb does not exist/],
      ['ingress class parameters', (o) => (o.ingressClass[0].spec.parameters.name = 'alb'), /parameters eks.amazonaws.com\/IngressClassParams alb/],
      ['ingress class params name', (o) => (o.ingressClassParams[0].metadata.name = 'params'), /parameters .* mcp-alb do not exist/],
      ['hpa target', (o) => (o.hpa[0].spec.scaleTargetRef.name = 'agent-x'), /hpa mcp\/mcp-server: scales apps\/v1 Deployment agent-x/],
      ['pdb selector', (o) => (o.pdb[0].spec.selector.matchLabels = { 'app.kubernetes.io/part-of': 'mcp-on-aws' }), /pdb mcp\/mcp-server/],
      ['node pool name', (o) => (o.nodePool[0].metadata.name = 'arm64'), /node pool mcp-arm64, which does not exist/],
      ['node pool arch', (o) => (o.nodePool[0].spec.template.spec.requirements[0].values = ['amd64']), /makes no arm64 nodes/],
      ['service account name', (o) => (o.serviceAccount[0].metadata.name = 'mcp-agent'), /service account agent does not exist/],
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

    it('installs metrics-server from the EKS add-ons on the system pool, and the HPA waits for it', () => {
      const addon = d.one('aws:eks/addon:Addon');
      assert.equal(addon.inputs.addonName, 'metrics-server');
      assert.equal(addon.inputs.clusterName, 'mcp-on-aws-dev');
      // Auto Mode's system pool: nodes labelled with its name and tainted CriticalAddonsOnly:NoSchedule.
      assert.deepEqual(JSON.parse(addon.inputs.configurationValues), {
        nodeSelector: { 'karpenter.sh/nodepool': 'system' },
        tolerations: [{ key: 'CriticalAddonsOnly', operator: 'Exists', effect: 'NoSchedule' }],
      });
      assert.ok(d.one('aws:eks/cluster:Cluster').inputs.computeConfig.nodePools.includes('system'), 'the system pool is enabled');
      const hpa = dependenciesOf('kubernetes:autoscaling/v2:HorizontalPodAutoscaler', 'eks-hpa').explicit;
      assert.ok(hpa.includes('aws:eks/addon:Addon eks-metrics-server'), hpa.join(', '));
      assert.ok(hpa.includes('kubernetes:apps/v1:Deployment eks-deployment'), hpa.join(', '));
    });

    it('gives every pod a termination grace that holds its pre-stop pause, its whole drain and 5 s more', () => {
      const deployments = d.resources.filter((r) => r.type === 'kubernetes:apps/v1:Deployment');
      assert.equal(deployments.length, 2, 'the server and the agent');
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
      const deployment = d.one('kubernetes:apps/v1:Deployment').inputs;
      assert.equal(deployment.spec.replicas, 3);
    });

    it('scales with an HPA between the configured bounds and keeps all but one pod through disruptions', () => {
      const hpa = d.one('kubernetes:autoscaling/v2:HorizontalPodAutoscaler').inputs.spec;
      assert.equal(hpa.minReplicas, 2);
      assert.equal(hpa.maxReplicas, 12);
      assert.equal(hpa.metrics[0].resource.target.averageUtilization, 60);
      assert.equal(hpa.scaleTargetRef.name, 'mcp-server');
      const pdb = d.one('kubernetes:policy/v1:PodDisruptionBudget').inputs.spec;
      assert.equal(pdb.maxUnavailable, 1);
    });

    it('exposes the Service through an internet-facing ALB with the certificate, HTTPS and the idle timeout', () => {
      const ingress = d.one('kubernetes:networking.k8s.io/v1:Ingress').inputs;
      const a = ingress.metadata.annotations;
      assert.equal(ingress.spec.ingressClassName, 'mcp-alb');
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
      const service = d.one('kubernetes:core/v1:Service').inputs.spec;
      assert.deepEqual(service.ports, [{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }]);
    });

    it('points the domain at the ALB and registers the endpoint URL in Cloud Map under the same name', async () => {
      const a = d.all('aws:route53/record:Record').filter((r) => r.inputs.type === 'A');
      assert.equal(a.length, 1);
      assert.deepEqual(a[0]!.inputs.aliases, [
        { name: 'k8s-mcp-mcpserve-1a2b3c4d5e-1234567890.us-east-1.elb.amazonaws.com', zoneId: 'Z35SXDOTRQ7X7K', evaluateTargetHealth: true },
      ]);
      const instance = d.one('aws:servicediscovery/instance:Instance').inputs;
      assert.equal(instance.attributes.mcp_url, 'https://mcp.example.com/mcp');
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
      const a = d.one('kubernetes:networking.k8s.io/v1:Ingress').inputs.metadata.annotations;
      assert.equal(a['alb.ingress.kubernetes.io/target-group-attributes'], 'deregistration_delay.timeout_seconds=3600');
      assert.equal(a['alb.ingress.kubernetes.io/load-balancer-attributes'], `idle_timeout.timeout_seconds=${idleTimeoutSeconds}`);
    });
  }

  it('without a domain: HTTP on the ALB name, and a warning', async () => {
    const d = await deployWith({ target: 'eks' });
    const a = d.one('kubernetes:networking.k8s.io/v1:Ingress').inputs.metadata.annotations;
    assert.equal(a['alb.ingress.kubernetes.io/listen-ports'], '[{"HTTP":80}]');
    assert.equal(a['alb.ingress.kubernetes.io/certificate-arn'], undefined);
    assert.equal(await valueOf(d.outputs.mcpUrl), 'http://k8s-mcp-mcpserve-1a2b3c4d5e-1234567890.us-east-1.elb.amazonaws.com/mcp');
    assert.match(d.outputs.warnings.join(' '), /plain HTTP/);
    assert.equal(d.all('aws:eks/accessEntry:AccessEntry').length, 0);
  });
});
