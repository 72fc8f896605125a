import { strict as assert } from 'node:assert';
import { Namespace } from 'kubernetes-models/v1/Namespace';
import { Service } from 'kubernetes-models/v1/Service';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import { Ingress } from 'kubernetes-models/networking.k8s.io/v1/Ingress';
import { IngressClass } from 'kubernetes-models/networking.k8s.io/v1/IngressClass';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
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
        eksReplicas: 3,
        eksMinReplicas: 3,
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
      assert.equal(pod.terminationGracePeriodSeconds, 120);
      const env = Object.fromEntries(container(d).env.map((e: any) => [e.name, e.value]));
      assert.ok(Number(env.SHUTDOWN_TIMEOUT_MS) < pod.terminationGracePeriodSeconds * 1000);
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
      assert.equal(hpa.minReplicas, 3);
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
      assert.equal(d.one('aws:servicediscovery/service:Service').inputs.name, 'mcp-server');
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
