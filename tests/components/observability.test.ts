import { strict as assert } from 'node:assert';
import { alarmMetrics, appWrites, dashboardMetrics, type AlarmArgs, type MetricRef } from '../../components/observability';
import { deployWith, valueOf, type Deployed } from '../helpers/pulumi';
import type { Registered } from '../setup';
import { AGENT_SECRET_ARN } from '../fixtures/agentPolicy';

const ALARM = 'aws:cloudwatch/metricAlarm:MetricAlarm';
const DASHBOARD = 'aws:cloudwatch/dashboard:Dashboard';

const everything = (d: Deployed) => d.resources;
const ofType = (d: Deployed, type: string) => everything(d).filter((r) => r.type === type);
const one = (d: Deployed, type: string, name: string) => {
  const found = everything(d).filter((r) => r.type === type && r.name === name);
  assert.equal(found.length, 1, `${type} ${name}`);
  return found[0]!;
};

/** An alarm's arguments as the program gave them. */
const argsOf = (alarm: Registered): AlarmArgs => alarm.inputs as AlarmArgs;

/** Every metric the stack's dashboard and alarms name. */
export function namedMetrics(d: Deployed): { where: string; metric: MetricRef }[] {
  const dashboard = ofType(d, DASHBOARD)[0]!;
  return [
    ...dashboardMetrics(dashboard.inputs.dashboardBody).map((metric) => ({ where: 'dashboard', metric })),
    ...ofType(d, ALARM).flatMap((a) => alarmMetrics(argsOf(a)).map((metric) => ({ where: a.name, metric }))),
  ];
}

describe('observability: dashboard, alarms, synthetic check (under mocks)', function () {
  this.timeout(60_000);

  for (const target of ['lambda', 'fargate', 'eks'] as const) {
    describe(target, () => {
      let d: Deployed;
      before(async () => {
        d = await deployWith({ target, alarmEmail: 'oncall@example.com', alarmLatencyP99Ms: 2500, ...(target === 'lambda' ? { lambdaReservedConcurrency: 40 } : {}) });
      });

      it('one SNS topic, the alarm email subscribed to it, every alarm notifying it when it fires and when it clears', () => {
        const [topic, ...more] = ofType(d, 'aws:sns/topic:Topic');
        assert.equal(more.length, 0);
        const sub = one(d, 'aws:sns/topicSubscription:TopicSubscription', 'observability-email');
        assert.deepEqual([sub.inputs.protocol, sub.inputs.endpoint, sub.inputs.topic], ['email', 'oncall@example.com', topic!.state.arn]);
        const alarms = ofType(d, ALARM);
        assert.ok(alarms.length >= 7, `${alarms.length} alarms`);
        assert.ok(alarms.some((a) => a.name === 'observability-front-door-5xx'), 'the front door 5xx');
        for (const a of alarms) {
          assert.deepEqual(a.inputs.alarmActions, [topic!.state.arn], a.name);
          assert.deepEqual(a.inputs.okActions, [topic!.state.arn], a.name);
          assert.match(a.inputs.name, /^mcp-on-aws-dev-/);
        }
      });

      it('per server: tool-error rate, p99 duration (the setting), synthetic check; the thresholds as set', () => {
        for (const server of ['cost', 'text']) {
          const rate = argsOf(one(d, ALARM, `observability-${server}-tool-errors`));
          assert.equal(rate.threshold, 5);
          assert.equal(rate.metricQueries!.find((q) => q.returnData)!.expression, 'IF(calls >= 10, 100 * errors / calls, 0)');
          const p99 = argsOf(one(d, ALARM, `observability-${server}-latency-p99`));
          assert.deepEqual([p99.extendedStatistic, p99.threshold, p99.dimensions], ['p99', 2500, { Server: server }]);
          const synthetic = argsOf(one(d, ALARM, `observability-${server}-synthetic`));
          assert.deepEqual([synthetic.metricName, synthetic.comparisonOperator, synthetic.treatMissingData, synthetic.period], ['SyntheticSuccess', 'LessThanThreshold', 'breaching', 300]);
        }
      });

      it("names each AWS metric by the resource it is about (the mocks' distinct names and ids)", () => {
        for (const { where, metric } of namedMetrics(d)) {
          const dims = metric.dimensions;
          if (dims.FunctionName) {
            assert.ok(ofType(d, 'aws:lambda/function:Function').some((f) => f.state.name === dims.FunctionName), `${where}: function ${dims.FunctionName}`);
          }
          if (dims.ApiId) assert.equal(dims.ApiId, ofType(d, 'aws:apigatewayv2/api:Api').find((a) => a.name === 'lambda-api')!.state.id ?? 'lambda-api-id', where);
          if (dims.LoadBalancer) {
            // Fargate: the stack's own; EKS: the controller's, looked up by the name its hostname carries.
            const expected = target === 'eks' ? 'app/k8s-mcp-mcpserve-1a2b3c4d5e/6f1a2b3c4d5e6f70' : ofType(d, 'aws:lb/loadBalancer:LoadBalancer')[0]!.state.arnSuffix;
            assert.equal(dims.LoadBalancer, expected, where);
          }
          if (dims.TargetGroup) assert.ok(ofType(d, 'aws:lb/targetGroup:TargetGroup').some((t) => t.state.arnSuffix === dims.TargetGroup), `${where}: ${dims.TargetGroup}`);
          if (dims.ServiceName && metric.namespace !== 'ContainerInsights') {
            assert.ok(ofType(d, 'aws:ecs/service:Service').some((s) => s.state.name === dims.ServiceName), `${where}: service ${dims.ServiceName}`);
          }
          if (metric.namespace === 'ContainerInsights') assert.equal(dims.ClusterName, 'mcp-on-aws-dev', where);
        }
        const kinds = new Set(namedMetrics(d).map(({ metric }) => metric.namespace));
        const expected = { lambda: ['AWS/ApiGateway', 'AWS/Lambda'], fargate: ['AWS/ApplicationELB', 'AWS/ECS', 'ECS/ContainerInsights'], eks: ['AWS/ApplicationELB', 'ContainerInsights'] }[target];
        for (const ns of ['McpOnAws', ...expected]) assert.ok(kinds.has(ns), `${target} dashboard shows ${ns}`);
      });

      it('every metric of the apps the dashboard and alarms name is one the apps write, with the same dimensions', () => {
        for (const { where, metric } of namedMetrics(d)) assert.ok(appWrites(metric), `${where}: ${metric.name} ${JSON.stringify(metric.dimensions)}`);
      });

      it('the synthetic check: a function on a schedule, allowed to discover the servers and read the machine client only', () => {
        const fn = one(d, 'aws:lambda/function:Function', 'observability-synthetic-fn');
        assert.equal(fn.inputs.handler, 'index.handler');
        assert.equal(fn.inputs.environment.variables.CLOUD_MAP_NAMESPACE, 'dev.mcp-on-aws.local');
        assert.ok(fn.inputs.environment.variables.MCP_AUTH_TOKEN_URL, 'it gets machine tokens as the agent does');
        const rule = one(d, 'aws:cloudwatch/eventRule:EventRule', 'observability-synthetic-schedule');
        assert.equal(rule.inputs.scheduleExpression, 'rate(5 minutes)');
        const target_ = one(d, 'aws:cloudwatch/eventTarget:EventTarget', 'observability-synthetic-target');
        assert.deepEqual([target_.inputs.rule, target_.inputs.arn], [rule.state.name, fn.state.arn]);
        const permission = one(d, 'aws:lambda/permission:Permission', 'observability-synthetic-invoke');
        assert.deepEqual([permission.inputs.principal, permission.inputs.sourceArn, permission.inputs.function], ['events.amazonaws.com', rule.state.arn, fn.state.name]);
        const policy = JSON.parse(one(d, 'aws:iam/rolePolicy:RolePolicy', 'observability-synthetic-policy').inputs.policy);
        assert.deepEqual(policy.Statement, [
          { Effect: 'Allow', Action: ['servicediscovery:ListServices'], Resource: '*' },
          { Effect: 'Allow', Action: ['servicediscovery:DiscoverInstances'], Resource: '*', Condition: { StringEquals: { 'servicediscovery:NamespaceName': 'dev.mcp-on-aws.local' } } },
          { Effect: 'Allow', Action: ['secretsmanager:GetSecretValue'], Resource: AGENT_SECRET_ARN },
        ]);
      });

      it('says where the dashboard is and which topic the alarms notify', async () => {
        const out = await valueOf(d.outputs.observability);
        assert.equal(out.dashboardUrl, 'https://us-east-1.console.aws.amazon.com/cloudwatch/home?region=us-east-1#dashboards/dashboard/mcp-on-aws-dev');
        assert.equal(out.alarmTopicArn, ofType(d, 'aws:sns/topic:Topic')[0]!.state.arn);
      });
    });
  }

  it('lambda: throttles of every function, and concurrency against its reserved part or the account quota', async () => {
    const reserved = await deployWith({ target: 'lambda', lambdaReservedConcurrency: 40, alarmConcurrencyPercent: 50 });
    const cost = argsOf(one(reserved, ALARM, 'observability-cost-concurrency'));
    assert.deepEqual([cost.metricName, cost.threshold], ['ConcurrentExecutions', 20]);
    assert.equal(argsOf(one(reserved, ALARM, 'observability-cost-throttles')).metricName, 'Throttles');
    const quota = await deployWith({ target: 'lambda', alarmAccountConcurrency: 3000 });
    assert.equal(argsOf(one(quota, ALARM, 'observability-text-concurrency')).threshold, 2400);
  });

  it('fargate: the load balancer 5xx and every server target group unhealthy', async () => {
    const d = await deployWith({ target: 'fargate', alarm5xxCount: 12 });
    const fd = argsOf(one(d, ALARM, 'observability-front-door-5xx'));
    assert.equal(fd.threshold, 12);
    assert.deepEqual(fd.metricQueries!.filter((q) => q.metric).map((q) => q.metric!.metricName), ['HTTPCode_Target_5XX_Count', 'HTTPCode_ELB_5XX_Count']);
    for (const s of ['cost', 'text']) assert.equal(argsOf(one(d, ALARM, `observability-${s}-unhealthy`)).metricName, 'UnHealthyHostCount');
  });

  it("eks: unhealthy targets of any of the controller's target groups, by a query on the load balancer it made", async () => {
    const d = await deployWith({ target: 'eks' });
    const unhealthy = argsOf(one(d, ALARM, 'observability-front-door-unhealthy'));
    const [query, ...more] = unhealthy.metricQueries!;
    assert.equal(more.length, 0);
    assert.equal(
      query!.expression,
      `SELECT MAX(UnHealthyHostCount) FROM SCHEMA("AWS/ApplicationELB", LoadBalancer, TargetGroup) WHERE LoadBalancer = 'app/k8s-mcp-mcpserve-1a2b3c4d5e/6f1a2b3c4d5e6f70'`,
    );
    assert.deepEqual([query!.period, query!.returnData, unhealthy.threshold, unhealthy.comparisonOperator], [60, true, 1, 'GreaterThanOrEqualToThreshold']);
    assert.equal(ofType(d, ALARM).filter((a) => a.name.endsWith('-unhealthy')).length, 1);
  });

  it('syntheticIntervalMinutes 0: no check, no alarm on it; no alarmEmail: a topic without subscriber', async () => {
    const d = await deployWith({ target: 'lambda', syntheticIntervalMinutes: 0 });
    assert.equal(ofType(d, 'aws:lambda/function:Function').filter((f) => f.name.startsWith('observability-')).length, 0);
    assert.equal(ofType(d, ALARM).filter((a) => a.name.endsWith('-synthetic')).length, 0);
    assert.equal(ofType(d, 'aws:sns/topicSubscription:TopicSubscription').length, 0);
    assert.equal(ofType(d, 'aws:sns/topic:Topic').length, 1);
  });
});

describe("the EKS load balancer's name, from its DNS name", () => {
  it('is the first label without its number', () => {
    const { albNameOf } = require('../../components/eksPlatform') as typeof import('../../components/eksPlatform');
    assert.equal(albNameOf('k8s-mcp-mcpserve-1a2b3c4d5e-1234567890.us-east-1.elb.amazonaws.com'), 'k8s-mcp-mcpserve-1a2b3c4d5e');
    assert.equal(albNameOf('internal-k8s-mcp-abc-42.eu-west-1.elb.amazonaws.com'), 'k8s-mcp-abc');
    assert.throws(() => albNameOf('mcp.example.com'), /not a load balancer's DNS name/);
  });
});
