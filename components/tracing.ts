// How every target sends the apps' spans to AWS X-Ray: the apps export OTLP/HTTP to a collector on
// loopback (app/observability/tracing.ts); the collector is AWS Distro for OpenTelemetry's, as a Lambda
// layer (with Lambda's active tracing) or as a container beside each Fargate task and EKS pod.
import { ENV } from '../app/contract';
import { INDEXED_ATTRIBUTES } from '../app/observability/tracing';

/** What a workload traces with (the stack's settings); undefined when tracing is off. */
export interface TracingSpec {
  /** OTEL_SERVICE_NAME: the node X-Ray's trace map shows. */
  serviceName: string;
  /** Fargate, EKS: the collector's image. */
  collectorImage: string;
  /** Lambda: the collector layer; undefined, AWS's ADOT collector layer in the stack's Region. */
  lambdaLayerArn?: string;
  /** The share of traces a request starts that are recorded, percent (a request with a parent follows it). */
  samplePercent: number;
}

/** Where the apps send spans: the collector beside them (127.0.0.1: `localhost` may be ::1 first). */
export const OTLP_ENDPOINT = 'http://127.0.0.1:4318';

/** The collector's container (Fargate, EKS). */
export const COLLECTOR_CONTAINER = 'otel-collector';

/** Writing traces to X-Ray (the actions of AWSXrayWriteOnlyAccess; they have no resource-level permissions, AWS requires "*"). */
export const XRAY_WRITE_STATEMENT = {
  Effect: 'Allow',
  Action: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords', 'xray:GetSamplingRules', 'xray:GetSamplingTargets', 'xray:GetSamplingStatisticSummaries'],
  Resource: '*',
};

/** The environment that makes an app trace to the collector. */
export function tracingEnvironment(tracing: TracingSpec): Record<string, string> {
  return {
    [ENV.tracing]: 'otlp',
    OTEL_SERVICE_NAME: tracing.serviceName,
    OTEL_EXPORTER_OTLP_ENDPOINT: OTLP_ENDPOINT,
    OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
    OTEL_TRACES_SAMPLER_ARG: String(tracing.samplePercent / 100),
  };
}

/**
 * The collector's configuration (AOT_CONFIG_CONTENT): OTLP/HTTP on loopback only, batched, to X-Ray in
 * `region`, with the attributes that name a request indexed (X-Ray annotations, searchable).
 */
export function collectorConfig(region: string): string {
  return JSON.stringify({
    receivers: { otlp: { protocols: { http: { endpoint: new URL(OTLP_ENDPOINT).host } } } },
    processors: { batch: { timeout: '1s' } },
    exporters: { awsxray: { region, indexed_attributes: [...INDEXED_ATTRIBUTES] } },
    service: { pipelines: { traces: { receivers: ['otlp'], processors: ['batch'], exporters: ['awsxray'] } } },
  });
}
