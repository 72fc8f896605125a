import { strict as assert } from 'node:assert';
import { INDEXED_ATTRIBUTES } from '../../app/observability/tracing';
import { deployWith, type Deployed } from '../helpers/pulumi';
import { REQUEST_STATE_READ, XRAY_WRITE } from '../fixtures/agentPolicy';

const WORKLOADS = ['cost', 'text', 'agent'];

/** The collector's configuration, and where it listens. */
function collector(config: string) {
  const parsed = JSON.parse(config);
  return { parsed, listens: `http://${parsed.receivers.otlp.protocols.http.endpoint}` };
}

/** Checks that the app sends its spans where its collector listens, and that the collector sends them to X-Ray in the stack's Region. */
function checkPair(appEnv: Record<string, string>, collectorEnv: Record<string, string>, what: string) {
  assert.equal(appEnv.MCP_TRACING, 'otlp', what);
  const { parsed, listens } = collector(collectorEnv.AOT_CONFIG_CONTENT!);
  assert.equal(appEnv.OTEL_EXPORTER_OTLP_ENDPOINT, listens, `${what}: the app exports where its collector listens`);
  assert.equal(parsed.exporters.awsxray.region, 'us-east-1', what);
  assert.deepEqual(parsed.exporters.awsxray.indexed_attributes, [...INDEXED_ATTRIBUTES]);
  assert.deepEqual(parsed.service.pipelines.traces, { receivers: ['otlp'], processors: ['batch'], exporters: ['awsxray'] });
  assert.match(appEnv.OTEL_SERVICE_NAME!, /^mcp-on-aws-dev-(cost|text|agent)$/);
}

const envOf = (list: { name: string; value: string }[]) => Object.fromEntries(list.map((e) => [e.name, e.value]));

describe('tracing on every target (under mocks)', function () {
  this.timeout(60_000);

  describe('lambda', () => {
    let d: Deployed;
    before(async () => {
      d = await deployWith({ target: 'lambda', lambdaFunctionUrl: true });
    });

    it('every function: active tracing, the ADOT collector layer of its Region and architecture, spans sent to it', () => {
      const fns = d.all('aws:lambda/function:Function').concat(d.agent('aws:lambda/function:Function'));
      assert.equal(fns.length, 5, 'two per server (HTTP API and Function URL) and the agent');
      for (const fn of fns) {
        assert.deepEqual(fn.inputs.tracingConfig, { mode: 'Active' }, fn.name);
        assert.deepEqual(fn.inputs.architectures, ['arm64']);
        assert.deepEqual(fn.inputs.layers, ['arn:aws:lambda:us-east-1:901920570463:layer:aws-otel-collector-arm64-ver-0-115-0:3'], fn.name);
        const env = fn.inputs.environment.variables;
        assert.equal(env.MCP_TRACING, 'otlp');
        // The layer's collector receives OTLP/HTTP on localhost:4318.
        assert.equal(env.OTEL_EXPORTER_OTLP_ENDPOINT, 'http://127.0.0.1:4318');
      }
    });

    it("each function's role may write to X-Ray", () => {
      for (const w of WORKLOADS) {
        const all = w === 'agent' ? d.agent('aws:iam/rolePolicy:RolePolicy') : d.all('aws:iam/rolePolicy:RolePolicy').filter((p) => p.name.startsWith(`lambda-${w}-`));
        assert.ok(all.flatMap((p) => JSON.parse(p.inputs.policy).Statement).some((s: object) => JSON.stringify(s) === JSON.stringify(XRAY_WRITE)), w);
      }
    });

    it('records every trace a request starts, unless tracingSamplePercent says less', async () => {
      const all = d.one('aws:lambda/function:Function', 'lambda-cost-fn').inputs.environment.variables;
      assert.deepEqual([all.OTEL_TRACES_SAMPLER, all.OTEL_TRACES_SAMPLER_ARG], ['parentbased_traceidratio', '1']);
      const some = await deployWith({ target: 'fargate', tracingSamplePercent: 25 });
      const app = JSON.parse(some.one('aws:ecs/taskDefinition:TaskDefinition', 'fargate-text-task').inputs.containerDefinitions)[0];
      assert.equal(envOf(app.environment).OTEL_TRACES_SAMPLER_ARG, '0.25');
    });

    it('a layer of your own with tracingLambdaLayerArn; none of it with tracing false', async () => {
      const own = 'arn:aws:lambda:us-east-1:123456789012:layer:my-collector:7';
      const custom = await deployWith({ target: 'lambda', tracingLambdaLayerArn: own });
      assert.deepEqual(custom.one('aws:lambda/function:Function', 'lambda-cost-fn').inputs.layers, [own]);
      const off = await deployWith({ target: 'lambda', tracing: false });
      for (const fn of off.all('aws:lambda/function:Function')) {
        assert.equal(fn.inputs.tracingConfig, undefined);
        assert.equal(fn.inputs.layers, undefined);
        assert.equal(fn.inputs.environment.variables.MCP_TRACING, undefined);
      }
    });
  });

  describe('fargate', () => {
    let d: Deployed;
    before(async () => {
      d = await deployWith({ target: 'fargate' });
    });

    it('every task: the collector beside the app (not essential), configured for X-Ray, where the app sends its spans', () => {
      const tasks = d.all('aws:ecs/taskDefinition:TaskDefinition').concat(d.agent('aws:ecs/taskDefinition:TaskDefinition'));
      assert.equal(tasks.length, 3);
      for (const task of tasks) {
        const containers = JSON.parse(task.inputs.containerDefinitions);
        const [app, otel] = containers;
        assert.equal(containers.length, 2, task.name);
        assert.equal(app.essential, true);
        assert.equal(otel.name, 'otel-collector');
        assert.equal(otel.image, 'public.ecr.aws/aws-observability/aws-otel-collector:v0.47.0');
        assert.equal(otel.essential, false, 'the app keeps serving if the collector stops');
        assert.equal(otel.logConfiguration.options['awslogs-group'], app.logConfiguration.options['awslogs-group']);
        checkPair(envOf(app.environment), envOf(otel.environment), task.name);
      }
    });

    it('every task role may write to X-Ray (and read the request-state key, as untraced)', () => {
      for (const w of ['fargate-cost-task', 'fargate-text-task']) {
        const policy = d.all('aws:iam/rolePolicy:RolePolicy').find((p) => p.name === w)!;
        assert.deepEqual(JSON.parse(policy.inputs.policy).Statement, [REQUEST_STATE_READ, XRAY_WRITE]);
      }
    });

    it('tracing false: the app alone', async () => {
      const off = await deployWith({ target: 'fargate', tracing: false });
      for (const task of off.all('aws:ecs/taskDefinition:TaskDefinition')) assert.equal(JSON.parse(task.inputs.containerDefinitions).length, 1);
    });
  });

  describe('eks', () => {
    let d: Deployed;
    before(async () => {
      d = await deployWith({ target: 'eks', tracingCollectorImage: 'public.ecr.aws/aws-observability/aws-otel-collector:v0.48.0' });
    });

    it('every pod: the collector beside the app, with the Region and the configuration, where the app sends its spans; an identity that may write to X-Ray', () => {
      const deployments = d.all('kubernetes:apps/v1:Deployment').concat(d.agent('kubernetes:apps/v1:Deployment'));
      assert.equal(deployments.length, 3);
      for (const dep of deployments) {
        const pod = dep.inputs.spec.template.spec;
        const [app, otel] = pod.containers;
        assert.equal(pod.containers.length, 2, dep.name);
        assert.equal(otel.name, 'otel-collector');
        assert.equal(otel.image, 'public.ecr.aws/aws-observability/aws-otel-collector:v0.48.0');
        const otelEnv = envOf(otel.env);
        assert.equal(otelEnv.AWS_REGION, 'us-east-1', 'Auto Mode nodes serve no instance metadata');
        checkPair(envOf(app.env), otelEnv, dep.name);
        // Its identity: the pod's service account, associated with a role that may write to X-Ray.
        const sa = pod.serviceAccountName;
        const assoc = d
          .all('aws:eks/podIdentityAssociation:PodIdentityAssociation')
          .concat(d.agent('aws:eks/podIdentityAssociation:PodIdentityAssociation'))
          .find((a) => a.inputs.serviceAccount === sa)!;
        assert.ok(assoc, `${dep.name}: its service account ${sa} has a Pod Identity association`);
        const role = d.resources.find((r) => r.type === 'aws:iam/role:Role' && r.state.arn === assoc.inputs.roleArn)!;
        const statements = d.resources
          .filter((r) => r.type === 'aws:iam/rolePolicy:RolePolicy' && r.inputs.role === `${role.name}-id`)
          .flatMap((p) => JSON.parse(p.inputs.policy).Statement);
        assert.ok(statements.some((s: object) => JSON.stringify(s) === JSON.stringify(XRAY_WRITE)), dep.name);
      }
    });
  });
});
