// What a stack's owner watches: a CloudWatch dashboard, alarms on an SNS topic (and an email subscribed to
// it), and a synthetic check that calls every server as a client would. Every metric of the apps they name
// is one the apps write (app/observability/metrics.ts): the same namespace, names and dimension sets.
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import {
  AGENT_DIMENSION_SETS,
  BEDROCK_DIMENSION_SETS,
  DIMENSION_SETS,
  METRIC,
  METRICS_NAMESPACE,
  PROTOCOL_DIMENSION_SETS,
  SYNTHETIC_DIMENSION_SETS,
} from '../app/observability/metrics';
import type { StackConfig } from '../config';
import { lambdaBase } from './iam';
import type { FrontDoorMonitoring, StackMonitoring } from './targets';
import type { WorkloadMonitoring } from './workload';

export const OBSERVABILITY_TYPE = 'mcp-on-aws:observability:Observability';

/** A metric as dashboards and alarms name it: namespace, name, and dimension name → value. */
export interface MetricRef {
  namespace: string;
  name: string;
  dimensions: Record<string, string>;
}

/** A server as the dashboard shows it: its name and its tools (from its definition). */
export interface ServerView {
  name: string;
  tools: readonly string[];
}

/** Everything the dashboard and alarms are made from, resolved. */
export interface ObservabilityView {
  region: string;
  servers: ServerView[];
  frontDoor: ResolvedFrontDoor;
  workloads: { name: string; kind: 'server' | 'agent'; monitoring?: ResolvedMonitoring }[];
  /** The agent's Bedrock model, when it has one. */
  modelId?: string;
  synthetic: boolean;
  alarmArns?: string[];
}

type Resolved<T> = { [K in keyof T]: T[K] extends pulumi.Output<infer U> ? U : T[K] extends pulumi.Output<infer U> | undefined ? U | undefined : T[K] extends (infer E)[] ? Resolved<E>[] : T[K] };
export type ResolvedFrontDoor = FrontDoorMonitoring extends infer F ? (F extends unknown ? Resolved<F> : never) : never;
export type ResolvedMonitoring = WorkloadMonitoring extends infer M ? (M extends unknown ? Resolved<M> : never) : never;

const app = (name: string, dimensions: Record<string, string>): MetricRef => ({ namespace: METRICS_NAMESPACE, name, dimensions });

/** The dimension names of a metric reference, in the order a dimension set of the apps lists them. */
const dimensionNames = (m: MetricRef) => Object.keys(m.dimensions).sort();

/** The dimension sets the apps write each of their metrics with. */
export const APP_DIMENSION_SETS: Record<string, readonly (readonly string[])[]> = {
  [METRIC.calls]: DIMENSION_SETS,
  [METRIC.errors]: DIMENSION_SETS,
  [METRIC.duration]: DIMENSION_SETS,
  [METRIC.coldStart]: [['Server']],
  [METRIC.protocolErrors]: PROTOCOL_DIMENSION_SETS,
  [METRIC.agentCalls]: AGENT_DIMENSION_SETS,
  [METRIC.agentErrors]: AGENT_DIMENSION_SETS,
  [METRIC.agentDuration]: AGENT_DIMENSION_SETS,
  [METRIC.bedrockLatency]: BEDROCK_DIMENSION_SETS,
  [METRIC.bedrockErrors]: BEDROCK_DIMENSION_SETS,
  [METRIC.syntheticSuccess]: SYNTHETIC_DIMENSION_SETS,
  [METRIC.syntheticLatency]: SYNTHETIC_DIMENSION_SETS,
};

/** Whether the apps write `m` with exactly its dimensions (CloudWatch matches a metric by all of them). */
export function appWrites(m: MetricRef): boolean {
  if (m.namespace !== METRICS_NAMESPACE) return true;
  const sets = APP_DIMENSION_SETS[m.name];
  return !!sets && sets.some((set) => [...set].sort().join() === dimensionNames(m).join());
}

/** A graph widget's metric line: [namespace, name, dim, value, …, { stat, label }]. */
function line(m: MetricRef, stat: string, label: string): unknown[] {
  return [m.namespace, m.name, ...Object.entries(m.dimensions).flat(), { stat, label }];
}

function graph(title: string, metrics: unknown[][], region: string, opts: { width?: number; period?: number } = {}) {
  return {
    type: 'metric',
    width: opts.width ?? 8,
    height: 6,
    properties: { title, region, view: 'timeSeries', stacked: false, period: opts.period ?? 60, metrics },
  };
}

function text(markdown: string) {
  return { type: 'text', width: 24, height: 2, properties: { markdown } };
}

/** The front door's widgets: 4xx, 5xx and latency of the HTTP API or the load balancer. */
function frontDoorWidgets(frontDoor: ResolvedFrontDoor, region: string): object[] {
  if (frontDoor.kind === 'httpApi') {
    const m = (name: string): MetricRef => ({ namespace: 'AWS/ApiGateway', name, dimensions: { ApiId: frontDoor.apiId } });
    return [
      graph('Front door (HTTP API): requests, 4xx, 5xx', [line(m('Count'), 'Sum', 'requests'), line(m('4xx'), 'Sum', '4xx'), line(m('5xx'), 'Sum', '5xx')], region),
      graph('Front door (HTTP API): latency', [line(m('Latency'), 'p50', 'p50'), line(m('Latency'), 'p99', 'p99'), line(m('IntegrationLatency'), 'p99', 'integration p99')], region),
    ];
  }
  const lb = (name: string): MetricRef => ({ namespace: 'AWS/ApplicationELB', name, dimensions: { LoadBalancer: frontDoor.loadBalancer } });
  return [
    graph(
      'Front door (load balancer): requests, 4xx, 5xx',
      [
        line(lb('RequestCount'), 'Sum', 'requests'),
        line(lb('HTTPCode_Target_4XX_Count'), 'Sum', 'target 4xx'),
        line(lb('HTTPCode_Target_5XX_Count'), 'Sum', 'target 5xx'),
        line(lb('HTTPCode_ELB_5XX_Count'), 'Sum', 'load balancer 5xx'),
      ],
      region,
    ),
    graph('Front door (load balancer): latency', [line(lb('TargetResponseTime'), 'p50', 'p50'), line(lb('TargetResponseTime'), 'p99', 'p99')], region),
  ];
}

/** A workload's compute widgets: Lambda throttles, concurrency and cold starts; ECS or EKS CPU, memory, tasks or pods, restarts. */
function computeWidgets(name: string, kind: 'server' | 'agent', monitoring: ResolvedMonitoring | undefined, region: string): object[] {
  if (!monitoring) return [];
  if (monitoring.kind === 'lambda') {
    const fm = (fn: string, metric: string): MetricRef => ({ namespace: 'AWS/Lambda', name: metric, dimensions: { FunctionName: fn } });
    return [
      graph(
        `${name}: Lambda throttles, errors, cold starts`,
        [
          ...monitoring.functions.flatMap((f) => [line(fm(f.name, 'Throttles'), 'Sum', `throttles ${f.name}`), line(fm(f.name, 'Errors'), 'Sum', `errors ${f.name}`)]),
          ...(kind === 'server' ? [line(app(METRIC.coldStart, { Server: name }), 'Sum', 'cold starts')] : []),
        ],
        region,
      ),
      graph(`${name}: Lambda concurrency`, monitoring.functions.map((f) => line(fm(f.name, 'ConcurrentExecutions'), 'Maximum', f.name)), region),
    ];
  }
  if (monitoring.kind === 'ecs') {
    const dims = { ClusterName: monitoring.clusterName, ServiceName: monitoring.serviceName };
    return [
      graph(
        `${name}: ECS CPU and memory`,
        [line({ namespace: 'AWS/ECS', name: 'CPUUtilization', dimensions: dims }, 'Average', 'CPU %'), line({ namespace: 'AWS/ECS', name: 'MemoryUtilization', dimensions: dims }, 'Average', 'memory %')],
        region,
      ),
      graph(
        `${name}: ECS tasks`,
        [
          line({ namespace: 'ECS/ContainerInsights', name: 'RunningTaskCount', dimensions: dims }, 'Average', 'running'),
          line({ namespace: 'ECS/ContainerInsights', name: 'DesiredTaskCount', dimensions: dims }, 'Average', 'desired'),
        ],
        region,
      ),
    ];
  }
  const dims = { ClusterName: monitoring.clusterName, Namespace: monitoring.namespace, PodName: monitoring.podName };
  const ci = (metric: string): MetricRef => ({ namespace: 'ContainerInsights', name: metric, dimensions: dims });
  return [
    graph(`${name}: EKS pods CPU and memory`, [line(ci('pod_cpu_utilization'), 'Average', 'CPU %'), line(ci('pod_memory_utilization'), 'Average', 'memory %')], region),
    graph(
      `${name}: EKS pods and restarts`,
      [
        line({ namespace: 'ContainerInsights', name: 'service_number_of_running_pods', dimensions: { ClusterName: monitoring.clusterName, Namespace: monitoring.namespace, Service: monitoring.podName } }, 'Average', 'running pods'),
        line(ci('pod_number_of_container_restarts'), 'Sum', 'restarts'),
      ],
      region,
    ),
  ];
}

/** The dashboard's body (CloudWatch dashboard body structure), from what the stack made. */
export function dashboardBody(view: ObservabilityView): string {
  const { region } = view;
  const widgets: object[] = [];
  widgets.push(text('# MCP servers\nTool calls, tool errors (`isError`), protocol errors and duration per server and tool, from the apps (namespace `McpOnAws`).'));
  if (view.alarmArns?.length) widgets.push({ type: 'alarm', width: 24, height: 3, properties: { title: 'Alarms', alarms: view.alarmArns } });
  widgets.push(...frontDoorWidgets(view.frontDoor, region));
  for (const server of view.servers) {
    const s = { Server: server.name };
    widgets.push(text(`## ${server.name}`));
    widgets.push(
      graph(
        `${server.name}: calls and errors`,
        [
          line(app(METRIC.calls, s), 'Sum', 'tool calls'),
          line(app(METRIC.errors, s), 'Sum', 'tool errors'),
          line(app(METRIC.protocolErrors, s), 'Sum', 'protocol errors'),
          ...(view.synthetic ? [line(app(METRIC.syntheticSuccess, s), 'Minimum', 'synthetic check (1 = passed)')] : []),
        ],
        region,
      ),
      graph(
        `${server.name}: calls and tool errors by tool`,
        server.tools.flatMap((tool) => [
          line(app(METRIC.calls, { ...s, Tool: tool, Outcome: 'ok' }), 'Sum', `${tool} ok`),
          line(app(METRIC.errors, { ...s, Tool: tool, Outcome: 'tool_error' }), 'Sum', `${tool} tool errors`),
        ]),
        region,
      ),
      graph(
        `${server.name}: duration p50 / p99 by tool (ms)`,
        server.tools.flatMap((tool) => [
          line(app(METRIC.duration, { ...s, Tool: tool, Outcome: 'ok' }), 'p50', `${tool} p50`),
          line(app(METRIC.duration, { ...s, Tool: tool, Outcome: 'ok' }), 'p99', `${tool} p99`),
        ]),
        region,
      ),
    );
    const w = view.workloads.find((x) => x.kind === 'server' && x.name === server.name);
    widgets.push(...computeWidgets(server.name, 'server', w?.monitoring, region));
  }
  widgets.push(text('## agent'));
  const agent = view.workloads.find((x) => x.kind === 'agent');
  widgets.push(
    graph(
      'agent: tool calls it routed, by server',
      view.servers.flatMap((server) => [
        line(app(METRIC.agentCalls, { Server: server.name }), 'Sum', `${server.name} calls`),
        line(app(METRIC.agentErrors, { Server: server.name }), 'Sum', `${server.name} errors`),
      ]),
      region,
    ),
    graph(
      'agent: call duration p99 by server (ms)',
      view.servers.map((server) => line(app(METRIC.agentDuration, { Server: server.name }), 'p99', server.name)),
      region,
    ),
    ...(view.modelId
      ? [
          graph(
            `agent: Bedrock latency (${view.modelId}, ms)`,
            [
              line(app(METRIC.bedrockLatency, { Model: view.modelId }), 'p50', 'p50'),
              line(app(METRIC.bedrockLatency, { Model: view.modelId }), 'p99', 'p99'),
              line(app(METRIC.bedrockErrors, { Model: view.modelId }), 'Sum', 'errors'),
            ],
            region,
          ),
        ]
      : []),
    ...computeWidgets('agent', 'agent', agent?.monitoring, region),
  );
  if (view.synthetic) {
    widgets.push(
      graph(
        'synthetic check: latency by server (ms)',
        view.servers.map((server) => line(app(METRIC.syntheticLatency, { Server: server.name }), 'Maximum', server.name)),
        region,
        { width: 24, period: 300 },
      ),
    );
  }
  return JSON.stringify({ widgets });
}

/** Every metric a dashboard body names (its graph widgets' lines). */
export function dashboardMetrics(body: string): MetricRef[] {
  const out: MetricRef[] = [];
  for (const w of JSON.parse(body).widgets as { type: string; properties: { metrics?: unknown[][] } }[]) {
    for (const l of w.properties.metrics ?? []) {
      const parts = l.filter((p) => typeof p === 'string') as string[];
      const [namespace, name, ...dims] = parts;
      const dimensions: Record<string, string> = {};
      for (let i = 0; i < dims.length; i += 2) dimensions[dims[i]!] = dims[i + 1]!;
      out.push({ namespace: namespace!, name: name!, dimensions });
    }
  }
  return out;
}

/** The arguments of one alarm (those of aws.cloudwatch.MetricAlarm it uses), resolved. */
export interface AlarmArgs {
  comparisonOperator: string;
  threshold: number;
  evaluationPeriods: number;
  datapointsToAlarm?: number;
  treatMissingData: string;
  namespace?: string;
  metricName?: string;
  dimensions?: Record<string, string>;
  statistic?: string;
  extendedStatistic?: string;
  period?: number;
  metricQueries?: {
    id: string;
    returnData: boolean;
    expression?: string;
    label?: string;
    /** A Metrics Insights query's period, seconds. */
    period?: number;
    metric?: { namespace: string; metricName: string; dimensions: Record<string, string>; stat: string; period: number };
  }[];
}

/** One alarm, without its actions. */
export interface AlarmDefinition {
  /** Unique within the stack. */
  key: string;
  description: string;
  args: AlarmArgs;
}

const metricQuery = (id: string, m: MetricRef, stat: string, period: number, returnData = false) => ({
  id,
  returnData,
  metric: { namespace: m.namespace, metricName: m.name, dimensions: m.dimensions, stat, period },
});

/** The stack's alarms: per server its tool-error rate, p99 duration and synthetic check; the front door's 5xx; unhealthy targets (per target group on Fargate, the load balancer's on EKS); Lambda throttles and concurrency. */
export function alarmDefinitions(view: Omit<ObservabilityView, 'alarmArns'>, config: Pick<StackConfig, 'alarmToolErrorPercent' | 'alarmLatencyP99Ms' | 'alarm5xxCount' | 'alarmConcurrencyPercent' | 'alarmAccountConcurrency' | 'syntheticIntervalMinutes'>): AlarmDefinition[] {
  const alarms: AlarmDefinition[] = [];
  for (const server of view.servers) {
    const s = { Server: server.name };
    alarms.push({
      key: `${server.name}-tool-errors`,
      description: `${server.name}: ${config.alarmToolErrorPercent}% or more of its tool calls ended in a tool error over 5 minutes (at least 10 calls)`,
      args: {
        comparisonOperator: 'GreaterThanOrEqualToThreshold',
        threshold: config.alarmToolErrorPercent,
        evaluationPeriods: 1,
        treatMissingData: 'notBreaching',
        metricQueries: [
          metricQuery('calls', app(METRIC.calls, s), 'Sum', 300),
          metricQuery('errors', app(METRIC.errors, s), 'Sum', 300),
          { id: 'rate', expression: 'IF(calls >= 10, 100 * errors / calls, 0)', label: 'tool error %', returnData: true },
        ],
      },
    });
    const duration = app(METRIC.duration, s);
    alarms.push({
      key: `${server.name}-latency-p99`,
      description: `${server.name}: p99 tool-call duration at or over ${config.alarmLatencyP99Ms} ms for 3 of 5 minutes`,
      args: {
        namespace: duration.namespace,
        metricName: duration.name,
        dimensions: duration.dimensions,
        extendedStatistic: 'p99',
        period: 60,
        evaluationPeriods: 5,
        datapointsToAlarm: 3,
        threshold: config.alarmLatencyP99Ms,
        comparisonOperator: 'GreaterThanOrEqualToThreshold',
        treatMissingData: 'notBreaching',
      },
    });
    if (view.synthetic) {
      const success = app(METRIC.syntheticSuccess, s);
      alarms.push({
        key: `${server.name}-synthetic`,
        description: `${server.name}: the synthetic check failed twice in a row, or did not run (discover, authenticate, list, call a read-only tool)`,
        args: {
          namespace: success.namespace,
          metricName: success.name,
          dimensions: success.dimensions,
          statistic: 'Minimum',
          period: config.syntheticIntervalMinutes * 60,
          evaluationPeriods: 2,
          threshold: 1,
          comparisonOperator: 'LessThanThreshold',
          // No data: the check did not run, which is a failure too.
          treatMissingData: 'breaching',
        },
      });
    }
  }
  const fd = view.frontDoor;
  if (fd.kind === 'httpApi') {
    alarms.push({
      key: 'front-door-5xx',
      description: `the HTTP API answered ${config.alarm5xxCount} or more 5xx in 5 minutes`,
      args: {
        namespace: 'AWS/ApiGateway',
        metricName: '5xx',
        dimensions: { ApiId: fd.apiId },
        statistic: 'Sum',
        period: 300,
        evaluationPeriods: 1,
        threshold: config.alarm5xxCount,
        comparisonOperator: 'GreaterThanOrEqualToThreshold',
        treatMissingData: 'notBreaching',
      },
    });
  } else {
    const lb = { LoadBalancer: fd.loadBalancer };
    alarms.push({
      key: 'front-door-5xx',
      description: `the load balancer and its targets answered ${config.alarm5xxCount} or more 5xx in 5 minutes`,
      args: {
        comparisonOperator: 'GreaterThanOrEqualToThreshold',
        threshold: config.alarm5xxCount,
        evaluationPeriods: 1,
        treatMissingData: 'notBreaching',
        metricQueries: [
          metricQuery('target', { namespace: 'AWS/ApplicationELB', name: 'HTTPCode_Target_5XX_Count', dimensions: lb }, 'Sum', 300),
          metricQuery('elb', { namespace: 'AWS/ApplicationELB', name: 'HTTPCode_ELB_5XX_Count', dimensions: lb }, 'Sum', 300),
          { id: 'all', expression: 'FILL(target, 0) + FILL(elb, 0)', label: '5xx', returnData: true },
        ],
      },
    });
    for (const w of view.workloads) {
      if (w.monitoring?.kind !== 'ecs' || !w.monitoring.targetGroup) continue;
      alarms.push({
        key: `${w.name}-unhealthy`,
        description: `${w.name}: a target of the load balancer was unhealthy for 3 minutes`,
        args: {
          namespace: 'AWS/ApplicationELB',
          metricName: 'UnHealthyHostCount',
          dimensions: { ...lb, TargetGroup: w.monitoring.targetGroup },
          statistic: 'Maximum',
          period: 60,
          evaluationPeriods: 3,
          threshold: 1,
          comparisonOperator: 'GreaterThanOrEqualToThreshold',
          treatMissingData: 'notBreaching',
        },
      });
    }
    if (view.workloads.some((w) => w.monitoring?.kind === 'eks')) {
      // The controller makes the target groups and names them: every one of the load balancer's, by a Metrics Insights query.
      alarms.push({
        key: 'front-door-unhealthy',
        description: 'a target of the load balancer (a pod behind one of its target groups) was unhealthy for 3 minutes',
        args: {
          comparisonOperator: 'GreaterThanOrEqualToThreshold',
          threshold: 1,
          evaluationPeriods: 3,
          treatMissingData: 'notBreaching',
          metricQueries: [
            {
              id: 'unhealthy',
              expression: `SELECT MAX(UnHealthyHostCount) FROM SCHEMA("AWS/ApplicationELB", LoadBalancer, TargetGroup) WHERE LoadBalancer = '${fd.loadBalancer}'`,
              label: 'unhealthy targets',
              period: 60,
              returnData: true,
            },
          ],
        },
      });
    }
  }
  for (const w of view.workloads) {
    if (w.monitoring?.kind !== 'lambda') continue;
    w.monitoring.functions.forEach((f, i) => {
      const key = `${w.name}${i ? '-stream' : ''}`;
      alarms.push({
        key: `${key}-throttles`,
        description: `${w.name}: Lambda throttled invocations of ${f.name} (its concurrency is exhausted)`,
        args: {
          namespace: 'AWS/Lambda',
          metricName: 'Throttles',
          dimensions: { FunctionName: f.name },
          statistic: 'Sum',
          period: 300,
          evaluationPeriods: 1,
          threshold: 1,
          comparisonOperator: 'GreaterThanOrEqualToThreshold',
          treatMissingData: 'notBreaching',
        },
      });
      const limit = f.reservedConcurrency ?? config.alarmAccountConcurrency;
      alarms.push({
        key: `${key}-concurrency`,
        description: `${w.name}: ${f.name} ran ${config.alarmConcurrencyPercent}% or more of its concurrency limit (${limit}${f.reservedConcurrency ? ', reserved' : ", the account's"})`,
        args: {
          namespace: 'AWS/Lambda',
          metricName: 'ConcurrentExecutions',
          dimensions: { FunctionName: f.name },
          statistic: 'Maximum',
          period: 60,
          evaluationPeriods: 3,
          threshold: Math.max(1, Math.floor((limit * config.alarmConcurrencyPercent) / 100)),
          comparisonOperator: 'GreaterThanOrEqualToThreshold',
          treatMissingData: 'notBreaching',
        },
      });
    });
  }
  return alarms;
}

/** Every metric an alarm names (its metric, or its metric queries'). */
export function alarmMetrics(args: AlarmArgs): MetricRef[] {
  if (args.metricQueries) {
    return args.metricQueries.filter((q) => q.metric).map((q) => ({ namespace: q.metric!.namespace, name: q.metric!.metricName, dimensions: q.metric!.dimensions }));
  }
  return [{ namespace: args.namespace!, name: args.metricName!, dimensions: args.dimensions ?? {} }];
}

export interface ObservabilityArgs {
  config: StackConfig;
  project: string;
  stack: string;
  servers: ServerView[];
  monitoring: StackMonitoring;
  /** The synthetic check's environment (discovery, the machine client) and permissions; undefined, no check. */
  synthetic?: { environment: Record<string, pulumi.Input<string>>; statements: (parent: pulumi.Resource) => pulumi.Output<string> };
}

/**
 * The stack's observability: an SNS topic for its alarms (with `alarmEmail` subscribed), the alarms
 * (alarmDefinitions), the synthetic check (a function run every `syntheticIntervalMinutes`) and a
 * dashboard named `<project>-<stack>`.
 */
export class Observability extends pulumi.ComponentResource {
  readonly dashboardName: pulumi.Output<string>;
  readonly topicArn: pulumi.Output<string>;
  readonly alarmNames: pulumi.Output<string>[];

  constructor(name: string, args: ObservabilityArgs, opts?: pulumi.ComponentResourceOptions) {
    super(OBSERVABILITY_TYPE, name, {}, opts);
    const parent = this;
    const { config } = args;
    const topic = new aws.sns.Topic(`${name}-alarms`, { displayName: `${args.project} ${args.stack} alarms` }, { parent });
    if (config.alarmEmail) new aws.sns.TopicSubscription(`${name}-email`, { topic: topic.arn, protocol: 'email', endpoint: config.alarmEmail }, { parent });

    const synthetic = args.synthetic && config.syntheticIntervalMinutes > 0 ? this.syntheticCheck(name, args, args.synthetic) : undefined;
    const region = aws.getRegionOutput({}, { parent }).region;
    const resolved = pulumi.all([region, pulumi.output(args.monitoring)]).apply(([r, m]) => ({
      region: r,
      servers: args.servers,
      frontDoor: m.frontDoor as ResolvedFrontDoor,
      workloads: m.workloads as ObservabilityView['workloads'],
      ...(config.agentModelId ? { modelId: config.agentModelId } : {}),
      synthetic: synthetic !== undefined,
    }));
    // The alarms are known only once the workloads' names are: made from one resolved view.
    const definitions = alarmDefinitions(
      {
        region: '',
        servers: args.servers,
        frontDoor: placeholderFrontDoor(args.monitoring.frontDoor),
        workloads: args.monitoring.workloads.map((w) => ({ name: w.name, kind: w.kind, ...(w.monitoring ? { monitoring: placeholderMonitoring(w.monitoring) } : {}) })),
        synthetic: synthetic !== undefined,
      },
      config,
    );
    const alarms = definitions.map((d) => {
      const args_ = resolved.apply((view) => alarmDefinitions(view, config).find((x) => x.key === d.key)!.args);
      return new aws.cloudwatch.MetricAlarm(
        `${name}-${d.key}`,
        {
          name: `${args.project}-${args.stack}-${d.key}`,
          alarmDescription: d.description,
          comparisonOperator: args_.comparisonOperator,
          threshold: args_.threshold,
          evaluationPeriods: args_.evaluationPeriods,
          datapointsToAlarm: args_.datapointsToAlarm,
          treatMissingData: args_.treatMissingData,
          namespace: args_.namespace,
          metricName: args_.metricName,
          dimensions: args_.dimensions,
          statistic: args_.statistic,
          extendedStatistic: args_.extendedStatistic,
          period: args_.period,
          metricQueries: args_.metricQueries,
          alarmActions: [topic.arn],
          okActions: [topic.arn],
        },
        { parent, ...(synthetic ? { dependsOn: [synthetic] } : {}) },
      );
    });
    const dashboard = new aws.cloudwatch.Dashboard(
      `${name}-dashboard`,
      {
        dashboardName: `${args.project}-${args.stack}`,
        dashboardBody: pulumi.all([resolved, pulumi.all(alarms.map((a) => a.arn))]).apply(([view, arns]) => dashboardBody({ ...view, alarmArns: arns })),
      },
      { parent },
    );
    this.dashboardName = dashboard.dashboardName;
    this.topicArn = topic.arn;
    this.alarmNames = alarms.map((a) => a.name);
    this.registerOutputs({ dashboardName: this.dashboardName, topicArn: this.topicArn });
  }

  /** The synthetic check: a function of its own, run on a schedule, with only the permissions it needs. */
  private syntheticCheck(name: string, args: ObservabilityArgs, synthetic: NonNullable<ObservabilityArgs['synthetic']>): aws.lambda.Function {
    const parent = this;
    const { code, logGroup, role } = lambdaBase(`${name}-synthetic`, { kind: 'synthetic' }, args.config.logRetentionDays, parent);
    new aws.iam.RolePolicy(`${name}-synthetic-policy`, { role: role.id, policy: synthetic.statements(parent) }, { parent });
    const fn = new aws.lambda.Function(
      `${name}-synthetic-fn`,
      {
        runtime: aws.lambda.Runtime.NodeJS22dX,
        architectures: ['arm64'],
        handler: 'index.handler',
        code,
        role: role.arn,
        memorySize: 256,
        timeout: 60,
        environment: { variables: { ...synthetic.environment, NODE_ENV: 'production' } },
        loggingConfig: { logFormat: 'Text', logGroup: logGroup.name },
      },
      { parent, dependsOn: [logGroup] },
    );
    const minutes = args.config.syntheticIntervalMinutes;
    const rule = new aws.cloudwatch.EventRule(
      `${name}-synthetic-schedule`,
      { description: `${args.project} ${args.stack}: the synthetic check of every MCP server`, scheduleExpression: `rate(${minutes} ${minutes === 1 ? 'minute' : 'minutes'})` },
      { parent },
    );
    new aws.lambda.Permission(`${name}-synthetic-invoke`, { action: 'lambda:InvokeFunction', function: fn.name, principal: 'events.amazonaws.com', sourceArn: rule.arn }, { parent });
    new aws.cloudwatch.EventTarget(`${name}-synthetic-target`, { rule: rule.name, arn: fn.arn }, { parent });
    return fn;
  }
}

/** Stands for a value not known yet (an Output), where only which alarms there are matters. */
const UNKNOWN = '?';

/** Same kinds and keys as `frontDoor`, values not needed: for the alarm list, known before the values are. */
function placeholderFrontDoor(frontDoor: FrontDoorMonitoring): ResolvedFrontDoor {
  if (frontDoor.kind === 'httpApi') return { kind: 'httpApi', apiId: UNKNOWN };
  return { kind: 'alb', loadBalancer: UNKNOWN };
}

function placeholderMonitoring(m: WorkloadMonitoring): ResolvedMonitoring {
  if (m.kind === 'lambda') return { kind: 'lambda', functions: m.functions.map((f) => ({ name: UNKNOWN, ...(f.reservedConcurrency !== undefined ? { reservedConcurrency: f.reservedConcurrency } : {}) })) };
  if (m.kind === 'ecs') return { kind: 'ecs', clusterName: UNKNOWN, serviceName: UNKNOWN, ...(m.targetGroup ? { targetGroup: UNKNOWN } : {}) };
  return { kind: 'eks', clusterName: UNKNOWN, namespace: UNKNOWN, podName: m.podName };
}

/** The synthetic check's permissions: discover the stack's servers, and read the machine client's secret when auth is on. */
export function syntheticStatements(namespaceName: string, extra: object[]): object[] {
  return [
    { Effect: 'Allow', Action: ['servicediscovery:ListServices'], Resource: '*' },
    { Effect: 'Allow', Action: ['servicediscovery:DiscoverInstances'], Resource: '*', Condition: { StringEquals: { 'servicediscovery:NamespaceName': namespaceName } } },
    ...extra,
  ];
}

