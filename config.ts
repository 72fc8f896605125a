import { z } from 'zod';
import { TARGETS } from './app/contract';
import { describeFargateMemory, fargateMemoryFor, FARGATE_SIZES } from './app/cost/fargate';
import { listServerFolders } from './app/servers/folders';

/** Retention periods CloudWatch Logs accepts, in days. */
export const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653] as const;

/** API Gateway HTTP API stops waiting for an integration after 30 seconds. */
export const HTTP_API_TIMEOUT_SECONDS = 30;

const int = (min: number, max: number) =>
  z.coerce
    .number({ error: `must be a whole number from ${min} to ${max}` })
    .refine((n) => Number.isInteger(n) && n >= min && n <= max, `must be a whole number from ${min} to ${max}`);

const bool = z.preprocess(
  (v) => (v === 'true' ? true : v === 'false' ? false : v),
  z.boolean({ error: 'must be true or false' }),
);

const oneOf = <T extends readonly [string, ...string[]]>(values: T) =>
  z.enum(values, { error: `must be one of: ${values.join(', ')}` });

/** A list given as a JSON array (what `pulumi config set --path 'key[0]' …` stores). */
const list = <T extends z.ZodType>(item: T) =>
  z.preprocess((v) => {
    if (typeof v !== 'string') return v;
    try {
      return JSON.parse(v);
    } catch {
      return v;
    }
  }, z.array(item, { error: 'must be a list (set items with --path, e.g. "key[0]")' }));

/** "Key=Value" items. */
const keyValue = (valuePattern: RegExp, valueDescription: string) =>
  z
    .string()
    .regex(new RegExp(`^[^=]{1,128}=${valuePattern.source.replace(/^\^/, '')}`), `items must look like Key=${valueDescription}`);

const hostname = /^(?=.{1,253}$)(?!-)([a-z0-9-]{1,63}\.)+[a-z]{2,63}$/;

/**
 * A Secrets Manager secret as ECS reads it: the secret's ARN, optionally followed by
 * `:json-key:version-stage:version-id` (unused fields left empty, e.g. `…:secret:db-AbCdEf:password::`).
 */
const SECRET_VALUE_FROM = /^(arn:aws[a-z-]*:secretsmanager:([a-z0-9-]+):\d{12}:secret:[A-Za-z0-9/_+=.@-]+)(:[^:]*:[^:]*:[^:]*)?$/;
/** The full ARN of a secret ends in a hyphen and the six random characters Secrets Manager adds to its name. */
const FULL_SECRET_ARN = /-[A-Za-z0-9]{6}$/;

export interface SecretReference {
  /** The secret's ARN as given, without a JSON key or version. */
  secretArn: string;
  /** The secret's Region (a KMS key's `kms:ViaService` is Secrets Manager there). */
  region: string;
  /** What IAM must allow: the full ARN, or the partial ARN followed by `-??????` (the random suffix). */
  policyResource: string;
}

/** Reads a `valueFrom` of an ECS secret; undefined when it is not a Secrets Manager ARN. */
export function secretReference(valueFrom: string): SecretReference | undefined {
  const m = SECRET_VALUE_FROM.exec(valueFrom);
  if (!m) return undefined;
  const secretArn = m[1]!;
  return { secretArn, region: m[2]!, policyResource: FULL_SECRET_ARN.test(secretArn) ? secretArn : `${secretArn}-??????` };
}

const containerSecret = z.string().superRefine((item, ctx) => {
  const eq = item.indexOf('=');
  const name = item.slice(0, eq);
  const match = SECRET_VALUE_FROM.exec(item.slice(eq + 1));
  if (eq < 1 || !/^[A-Za-z_][A-Za-z0-9_]{0,127}$/.test(name) || !match) {
    ctx.addIssue({
      code: 'custom',
      message: 'items must look like NAME=arn:aws:secretsmanager:<region>:<account>:secret:<name>[:json-key:version-stage:version-id]',
    });
  } else if (match[3] && !FULL_SECRET_ARN.test(match[1]!)) {
    ctx.addIssue({
      code: 'custom',
      message: 'with a JSON key or version, give the secret’s full ARN (ending in the 6-character suffix, e.g. -AbCdEf), as ECS requires',
    });
  }
});

/**
 * Lambda's reserved concurrency for the MCP endpoint, split between its functions: with a Function URL the
 * HTTP API's function gets the larger half and the Function URL's the rest, so that together they never
 * run more than `total` instances at once.
 */
export function splitReservedConcurrency(total: number, functionUrl: boolean): { api: number; stream?: number } {
  if (!functionUrl) return { api: total };
  const stream = Math.floor(total / 2);
  return { api: total - stream, stream };
}

/** How a deployed stack's MCP endpoints and agent authorize requests (`local` is npm start's alone). */
export const AUTH_SETTINGS = ['cognito', 'oidc', 'none'] as const;

/**
 * The Cognito public client's callback URLs by default: those of common local MCP clients (mcp-remote,
 * the MCP Inspector, Claude Code with --callback-port 8090) and of hosted ones (Claude, VS Code).
 */
export const DEFAULT_CALLBACK_URLS = [
  'http://localhost:3334/oauth/callback',
  'http://localhost:6274/oauth/callback',
  'http://localhost:8090/callback',
  'https://claude.ai/api/mcp/auth_callback',
  'https://vscode.dev/redirect',
  'https://insiders.vscode.dev/redirect',
] as const;

const httpsUrl = z.string().refine((s) => URL.canParse(s) && new URL(s).protocol === 'https:' && !new URL(s).search && !new URL(s).hash, 'must be an https URL without query or fragment');

function callbackUrl(s: string): boolean {
  if (!URL.canParse(s)) return false;
  const u = new URL(s);
  return !u.hash && (u.protocol === 'https:' || (u.protocol === 'http:' && u.hostname === 'localhost'));
}

/** The OpenTelemetry collector beside each container (AWS Distro for OpenTelemetry), which sends the spans to X-Ray. */
export const DEFAULT_COLLECTOR_IMAGE = 'public.ecr.aws/aws-observability/aws-otel-collector:v0.47.0';

/** The AWS Distro for OpenTelemetry collector as a Lambda layer (arm64), in `region`: it receives OTLP on localhost:4318 and sends to X-Ray. */
export const defaultCollectorLayerArn = (region: string) => `arn:aws:lambda:${region}:901920570463:layer:aws-otel-collector-arm64-ver-0-115-0:3`;

/** Every stack setting, as `pulumi config set <key> <value>` sets it. Pulumi.yaml declares the same keys. */
export const configSchema = z.object({
  target: oneOf(TARGETS).default('lambda'),
  /** Server names (folders of app/servers/); checked against the folders in parseConfig. Unset: every folder. */
  servers: list(z.string()).optional(),
  /** `<workload>.<setting>=<value>` items; each is checked in parseConfig, against the deployed servers (see readOverride). */
  serverOverrides: list(z.string()).default([]),
  domainName: z.string().regex(hostname, 'must be a fully qualified domain name such as mcp.example.com').optional(),
  hostedZoneId: z.string().regex(/^Z[A-Z0-9]{1,32}$/, 'must be a Route53 hosted zone id such as Z0123456789ABCDEFGHIJ').optional(),
  tags: list(keyValue(/^.{0,256}$/, 'Value')).default([]),
  logRetentionDays: z.coerce
    .number()
    .refine((n) => (LOG_RETENTION_DAYS as readonly number[]).includes(n), `must be one of: ${LOG_RETENTION_DAYS.join(', ')}`)
    .default(30),
  allowedOrigins: list(z.string().regex(/^https?:\/\/[^/\s]+$/, 'items must be origins such as https://app.example.com')).default([]),
  discoveryNamespace: z
    .string()
    .regex(hostname, 'must be a DNS name such as dev.mcp-on-aws.local')
    .optional(),
  discoveryService: z
    .string()
    .regex(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/, 'must be a DNS label: lower-case letters, digits and hyphens, at most 63')
    .default('mcp-server'),

  lambdaMemoryMb: int(128, 10_240).default(512),
  lambdaTimeoutSeconds: int(1, 900).default(HTTP_API_TIMEOUT_SECONDS - 1),
  lambdaFunctionUrl: bool.default(false),
  lambdaProvisionedConcurrency: int(0, 1000).default(0),
  lambdaReservedConcurrency: int(1, 10_000).optional(),
  throttleBurstLimit: int(1, 5000).default(100),
  throttleRateLimit: int(1, 10_000).default(50),

  fargateCpu: z.coerce
    .number()
    .refine((n) => fargateMemoryFor(n) !== undefined, `must be one of: ${FARGATE_SIZES.map((s) => s.cpu).join(', ')} (CPU units)`)
    .default(512),
  fargateMemoryMb: int(512, 122_880).default(1024),
  desiredCount: int(1, 100).default(2),
  minCount: int(1, 100).default(2),
  maxCount: int(1, 100).default(10),
  cpuTargetPercent: int(10, 95).default(60),
  requestsPerTarget: int(10, 100_000).default(1000),
  idleTimeoutSeconds: int(1, 4000).default(300),
  natGateways: oneOf(['single', 'onePerAz'] as const).default('single'),
  containerSecrets: list(containerSecret).default([]),
  containerSecretsKmsKeyArns: list(
    z.string().regex(/^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[A-Za-z0-9-]+$/, 'items must be KMS key ARNs (arn:aws:kms:<region>:<account>:key/<id>)'),
  ).default([]),
  imageRetentionCount: int(1, 1000).default(10),

  eksKubernetesVersion: z.string().regex(/^1\.\d{2}$/, 'must be a Kubernetes minor version such as 1.34').default('1.34'),
eksReplicas: int(1, 100).default(2),
  eksMinReplicas: int(1, 100).default(2),
  eksMaxReplicas: int(1, 100).default(10),
  eksCpuMillicores: int(50, 16_000).default(250),
  eksMemoryMb: int(128, 65_536).default(512),
  eksAdminPrincipals: list(z.string().regex(/^arn:aws[a-z-]*:iam::\d{12}:(role|user)\/.+$/, 'items must be IAM role or user ARNs')).default([]),

  agentModelId: z.string().min(1).optional(),

  tracing: bool.default(true),
  tracingCollectorImage: z.string().regex(/^[a-z0-9.-]+(:\d+)?\/[a-z0-9._\/-]+(:[A-Za-z0-9._-]+|@sha256:[a-f0-9]{64})$/, 'must be a container image such as public.ecr.aws/aws-observability/aws-otel-collector:v0.47.0').default(DEFAULT_COLLECTOR_IMAGE),
  tracingSamplePercent: int(1, 100).default(100),
  tracingLambdaLayerArn: z.string().regex(/^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:layer:[A-Za-z0-9_-]+:\d+$/, 'must be a Lambda layer version ARN (arn:aws:lambda:<region>:<account>:layer:<name>:<version>)').optional(),
  alarmEmail: z.string().regex(/^[^\s@,]+@[^\s@,]+\.[^\s@,]+$/, 'must be an email address').optional(),
  alarmToolErrorPercent: int(1, 100).default(5),
  alarmLatencyP99Ms: int(10, 900_000).default(5000),
  alarm5xxCount: int(1, 1_000_000).default(5),
  alarmConcurrencyPercent: int(10, 100).default(80),
  alarmAccountConcurrency: int(10, 1_000_000).default(1000),
  syntheticIntervalMinutes: int(0, 1440).default(5),

  auth: oneOf(AUTH_SETTINGS).default('cognito'),
  authCallbackUrls: list(
    z.string().refine(callbackUrl, 'items must be https URLs, or http://localhost URLs (Cognito allows http only for localhost)'),
  ).default([...DEFAULT_CALLBACK_URLS]),
  authAccessTokenMinutes: int(5, 1440).default(60),
  authRegistration: oneOf(['off', 'shared'] as const).default('off'),
  oidcIssuer: httpsUrl.optional(),
  oidcAudience: z.string().min(1).optional(),
  oidcJwksUrl: httpsUrl.optional(),
  oidcTokenUrl: httpsUrl.optional(),
  oidcScopePrefix: z.string().regex(/^[\x21\x23-\x5b\x5d-\x7e]+$/, 'must be a scope token (no spaces or quotes)').optional(),
  oidcAgentClientSecretArn: z
    .string()
    .regex(/^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]+$/, 'must be a Secrets Manager secret ARN holding {"client_id","client_secret"}')
    .optional(),
});

export type StackConfig = z.output<typeof configSchema>;

/**
 * Rules that involve several settings; each problem names the key to change. `functionUrl`: whether the
 * settings may turn on a Function URL (the agent's may not).
 */
function crossCheck(
  c: Partial<StackConfig>,
  given: (key: keyof StackConfig) => boolean,
  problem: (key: string, message: string) => void,
  functionUrl = true,
): void {
  if (given('domainName') && !given('hostedZoneId')) problem('hostedZoneId', 'is required when domainName is set (the Route53 zone that holds it)');
  if (given('hostedZoneId') && !given('domainName')) problem('domainName', 'is required when hostedZoneId is set');
  if (c.lambdaTimeoutSeconds !== undefined && c.lambdaTimeoutSeconds > HTTP_API_TIMEOUT_SECONDS && c.lambdaFunctionUrl === false) {
    problem(
      'lambdaTimeoutSeconds',
      `must be at most ${HTTP_API_TIMEOUT_SECONDS} (API Gateway HTTP API's limit)${functionUrl ? '; set lambdaFunctionUrl to true for longer tool calls' : ''}`,
    );
  }
  if (c.lambdaReservedConcurrency !== undefined && c.lambdaFunctionUrl === true && c.lambdaReservedConcurrency < 2) {
    problem('lambdaReservedConcurrency', 'must be at least 2 with lambdaFunctionUrl (it is split between the HTTP API’s function and the Function URL’s)');
  } else if (c.lambdaReservedConcurrency !== undefined && c.lambdaProvisionedConcurrency !== undefined && c.lambdaFunctionUrl !== undefined) {
    const { api } = splitReservedConcurrency(c.lambdaReservedConcurrency, c.lambdaFunctionUrl);
    if (c.lambdaProvisionedConcurrency > api) {
      problem(
        'lambdaProvisionedConcurrency',
        c.lambdaFunctionUrl
          ? `must not exceed ${api}, the HTTP API function’s part of lambdaReservedConcurrency (${c.lambdaReservedConcurrency}, split with the Function URL’s function)`
          : `must not exceed lambdaReservedConcurrency (${c.lambdaReservedConcurrency}): Lambda refuses more warm instances than the function may run`,
      );
    }
  }
  if (c.containerSecretsKmsKeyArns?.length && c.containerSecrets?.length === 0) {
    problem('containerSecretsKmsKeyArns', 'is only used to read containerSecrets; set containerSecrets too, or remove it');
  }
  if (c.fargateCpu !== undefined && c.fargateMemoryMb !== undefined) {
    const memory = fargateMemoryFor(c.fargateCpu);
    if (memory && !memory.includes(c.fargateMemoryMb)) {
      problem('fargateMemoryMb', `with fargateCpu ${c.fargateCpu} must be one of: ${describeFargateMemory(c.fargateCpu)}`);
    }
  }
  const bounds = [
    { min: 'minCount', desired: 'desiredCount', max: 'maxCount' },
    { min: 'eksMinReplicas', desired: 'eksReplicas', max: 'eksMaxReplicas' },
  ] as const;
  for (const b of bounds) {
    const [min, desired, max] = [c[b.min], c[b.desired], c[b.max]];
    if (min === undefined || desired === undefined || max === undefined) continue;
    if (min > max) problem(b.min, `must not exceed ${b.max} (${max})`);
    else if (desired < min || desired > max) problem(b.desired, `must be from ${min} to ${max} (${b.min} to ${b.max})`);
  }
}
/** The settings of `auth: oidc`, each an error with another mode. */
const OIDC_KEYS = ['oidcIssuer', 'oidcAudience', 'oidcJwksUrl', 'oidcTokenUrl', 'oidcScopePrefix', 'oidcAgentClientSecretArn'] as const;
const COGNITO_KEYS = ['authCallbackUrls', 'authAccessTokenMinutes', 'authRegistration'] as const;

/** The rules of the authorization settings. */
function checkAuth(c: Partial<StackConfig>, given: (key: keyof StackConfig) => boolean, problem: (key: string, message: string) => void): void {
  if (c.auth === 'oidc') {
    for (const key of ['oidcIssuer', 'oidcTokenUrl', 'oidcAgentClientSecretArn'] as const) {
      if (!given(key)) problem(key, 'is required with auth oidc (the issuer of the tokens, its token endpoint, and the agent\'s client credentials in Secrets Manager)');
    }
  } else {
    for (const key of OIDC_KEYS) if (given(key)) problem(key, `is only used with auth oidc (auth is ${c.auth ?? 'cognito'}): remove it, or set auth to oidc`);
  }
  if (c.auth !== undefined && c.auth !== 'cognito') {
    for (const key of COGNITO_KEYS) if (given(key)) problem(key, `is only used with auth cognito (auth is ${c.auth}): remove it, or set auth to cognito`);
  }
}

export const CONFIG_KEYS = Object.keys(configSchema.shape) as (keyof StackConfig)[];

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid stack configuration (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

/** What the stack settings are checked against, besides the schema. */
export interface KnownNames {
  /** The server folders under app/servers/. */
  servers: readonly string[];
}

/**
 * Validates raw stack settings (strings, as Pulumi config holds them). Throws one ConfigError that
 * lists every problem, each naming its key, unless all are valid. Unknown keys are problems too.
 */
export function parseConfig(raw: Record<string, string | undefined>, known: KnownNames = { servers: listServerFolders() }): StackConfig {
  const problems: string[] = [];
  const knownKeys = new Set<string>(CONFIG_KEYS);
  for (const key of Object.keys(raw)) {
    if (!knownKeys.has(key) && raw[key] !== undefined) problems.push(`${key}: is not a setting of this program (settings: ${CONFIG_KEYS.join(', ')})`);
  }
  // Each key on its own, so that one bad value does not hide the others, nor the rules across keys.
  const values: Record<string, unknown> = {};
  for (const key of CONFIG_KEYS) {
    const result = configSchema.shape[key].safeParse(raw[key]);
    if (result.success) {
      values[key] = result.data;
      continue;
    }
    for (const i of result.error.issues) {
      const item = i.path.length ? `[${i.path.join('.')}]` : '';
      problems.push(`${key}${item}: ${i.message} (got ${JSON.stringify(raw[key] ?? null)})`);
    }
  }
  const given = (key: keyof StackConfig) => raw[key] !== undefined;
  crossCheck(values as Partial<StackConfig>, given, (key, message) => problems.push(`${key}: ${message}`));
  checkAuth(values as Partial<StackConfig>, given, (key, message) => problems.push(`${key}: ${message}`));

  const servers = values.servers as string[] | undefined;
  const serverProblems = servers ? serverListProblems(servers, known.servers) : [];
  problems.push(...serverProblems);
  // With a bad list, overrides are checked against every folder, so that one typo is reported once.
  const deployed = servers && !serverProblems.length ? servers : known.servers;
  const items = values.serverOverrides as string[] | undefined;
  if (items) problems.push(...overrideProblems(values as StackConfig, items, deployed, known.servers, given));

  if (problems.length) throw new ConfigError(problems);
  return values as StackConfig;
}

/** Problems of the `servers` list: items that are not folders, duplicates, an empty list. */
function serverListProblems(servers: readonly string[], folders: readonly string[]): string[] {
  if (servers.length === 0) {
    return [`servers: must list at least one server (folders: ${folders.join(', ')}); leave it unset to deploy every folder`];
  }
  return servers.flatMap((name, i) => {
    if (!folders.includes(name)) return [`servers[${i}]: ${JSON.stringify(name)} is not a server folder (app/servers/: ${folders.join(', ')})`];
    const first = servers.indexOf(name);
    return first < i ? [`servers[${i}]: ${name} is listed twice (also servers[${first}]); list each server once`] : [];
  });
}

/** "Key=Value" items as an object. */
export function keyValues(items: readonly string[]): Record<string, string> {
  return Object.fromEntries(items.map((i) => [i.slice(0, i.indexOf('=')), i.slice(i.indexOf('=') + 1)]));
}

/** The settings a workload (each server, the agent) may size on its own. */
export const WORKLOAD_SETTINGS = [
  'lambdaMemoryMb',
  'lambdaTimeoutSeconds',
  'lambdaFunctionUrl',
  'lambdaProvisionedConcurrency',
  'lambdaReservedConcurrency',
  'fargateCpu',
  'fargateMemoryMb',
  'desiredCount',
  'minCount',
  'maxCount',
  'cpuTargetPercent',
  'requestsPerTarget',
  'eksReplicas',
  'eksMinReplicas',
  'eksMaxReplicas',
  'eksCpuMillicores',
  'eksMemoryMb',
] as const;
export type WorkloadSetting = (typeof WORKLOAD_SETTINGS)[number];
export type WorkloadSettings = Pick<StackConfig, WorkloadSetting>;

/** The agent's sizes: one small instance wherever it runs (it waits on servers and the model, and keeps no state). */
export const AGENT_SETTINGS: Partial<WorkloadSettings> = {
  lambdaMemoryMb: 512,
  lambdaTimeoutSeconds: HTTP_API_TIMEOUT_SECONDS,
  lambdaFunctionUrl: false,
  lambdaProvisionedConcurrency: 0,
  lambdaReservedConcurrency: undefined,
  fargateCpu: 256,
  fargateMemoryMb: 512,
  desiredCount: 1,
  minCount: 1,
  maxCount: 1,
  eksReplicas: 1,
  eksMinReplicas: 1,
  eksMaxReplicas: 1,
  eksCpuMillicores: 100,
  eksMemoryMb: 384,
};

const NO_AUTOSCALING = 'the agent does not autoscale: it runs agent.desiredCount tasks on Fargate and agent.eksReplicas pods on EKS';

/**
 * Workload settings the agent may not override, and why. Its count follows desiredCount (Fargate) and
 * eksReplicas (EKS): its minimum and maximum are set to them.
 */
export const AGENT_FIXED: Partial<Record<WorkloadSetting, string>> = {
  lambdaFunctionUrl: 'the agent has no Function URL: it is reached through its own IAM-authorized HTTP API',
  lambdaProvisionedConcurrency: 'the agent keeps no provisioned (warm) instances',
  minCount: NO_AUTOSCALING,
  maxCount: NO_AUTOSCALING,
  cpuTargetPercent: NO_AUTOSCALING,
  requestsPerTarget: NO_AUTOSCALING,
  eksMinReplicas: NO_AUTOSCALING,
  eksMaxReplicas: NO_AUTOSCALING,
};

/** `<workload>.<setting>=<value>`: a server's name or `agent`, a key of WORKLOAD_SETTINGS, and its value. */
const OVERRIDE_ITEM = /^([^.=]+)\.([^=]+)=(.*)$/s;

/** One item of `serverOverrides`, read. */
interface Override {
  /** `serverOverrides[i]` */
  at: string;
  workload: string;
  key: WorkloadSetting;
  value: unknown;
}

/** Reads item `index` of `serverOverrides`: its workload, setting and value (parsed by the setting's own schema). */
function readOverride(item: string, index: number): { workload?: string; override?: Override; problem?: string } {
  const at = `serverOverrides[${index}]`;
  const m = OVERRIDE_ITEM.exec(item);
  if (!m) return { problem: `${at}: items must look like <workload>.<setting>=<value>, e.g. text.lambdaMemoryMb=1024 (got ${JSON.stringify(item)})` };
  const [, workload, key, text] = m as unknown as [string, string, string, string];
  const refuse = (problem: string) => ({ workload, problem });
  if (!(WORKLOAD_SETTINGS as readonly string[]).includes(key)) {
    const stackWide = (CONFIG_KEYS as string[]).includes(key) ? ' (it is set for the whole stack)' : '';
    return refuse(`${at}: ${workload}.${key}: is not a setting a workload may override${stackWide}; settings: ${WORKLOAD_SETTINGS.join(', ')}`);
  }
  const setting = key as WorkloadSetting;
  const fixed = workload === 'agent' ? AGENT_FIXED[setting] : undefined;
  if (fixed) {
    const allowed = WORKLOAD_SETTINGS.filter((k) => !AGENT_FIXED[k]);
    return refuse(`${at}: agent.${key}: may not be overridden: ${fixed} (the agent's settings: ${allowed.join(', ')})`);
  }
  const result = configSchema.shape[setting].safeParse(text);
  if (!result.success) {
    return refuse(`${at}: ${workload}.${key}: ${result.error.issues.map((i) => i.message).join('; ')} (got ${JSON.stringify(text)})`);
  }
  return { workload, override: { at, workload, key: setting, value: result.data } };
}

/** A workload's settings: the stack's, then the agent's own sizes (agent), then its overrides in order. */
function mergeSettings(c: StackConfig, workload: string, overrides: readonly Override[]): WorkloadSettings {
  const merged = Object.fromEntries(WORKLOAD_SETTINGS.map((k) => [k, c[k]])) as Record<string, unknown>;
  if (workload === 'agent') Object.assign(merged, AGENT_SETTINGS);
  for (const o of overrides) merged[o.key] = o.value;
  if (workload === 'agent') {
    merged.minCount = merged.maxCount = merged.desiredCount;
    merged.eksMinReplicas = merged.eksMaxReplicas = merged.eksReplicas;
  }
  return merged as WorkloadSettings;
}

/** The problems the rules across keys find in `workload`'s settings, as `key: message`. */
function workloadCrossProblems(c: StackConfig, workload: string, settings: WorkloadSettings, given: (key: keyof StackConfig) => boolean): string[] {
  const found: string[] = [];
  crossCheck({ ...c, ...settings }, given, (key, message) => found.push(`${key}: ${message}`), workload !== 'agent');
  return found;
}

/**
 * Problems of `serverOverrides`: each item on its own (its workload among `deployed` and the agent, its
 * setting, its value), then each workload's merged settings through the same rules as the stack's. A rule
 * broken by an override is reported against the item after which it first holds, not the stack's keys.
 */
function overrideProblems(
  c: StackConfig,
  items: readonly string[],
  deployed: readonly string[],
  folders: readonly string[],
  given: (key: keyof StackConfig) => boolean,
): string[] {
  const problems: string[] = [];
  const byWorkload = new Map<string, Override[]>([...deployed, 'agent'].map((w) => [w, []]));
  const seen = new Map<string, string>();
  for (const [index, item] of items.entries()) {
    const { override: o, problem } = readOverride(item, index);
    if (!o) {
      problems.push(problem!);
      continue;
    }
    const mine = byWorkload.get(o.workload);
    const name = `${o.workload}.${o.key}`;
    if (!mine) {
      const why = folders.includes(o.workload)
        ? `is not deployed (servers: ${deployed.join(', ')}); add it to servers or remove this item`
        : `is neither a server nor the agent (workloads: ${[...deployed, 'agent'].join(', ')})`;
      problems.push(`${o.at}: ${o.workload}: ${why}`);
    } else if (seen.has(name)) {
      problems.push(`${o.at}: ${name}: is already set by ${seen.get(name)}; set it once`);
    } else {
      seen.set(name, o.at);
      mine.push(o);
    }
  }
  for (const [workload, overrides] of byWorkload) {
    if (!overrides.length) continue;
    // What the stack alone breaks is reported once, under the stack's keys.
    const before = new Set(workloadCrossProblems(c, workload, mergeSettings(c, workload, []), given));
    const after = overrides.map((_, n) => new Set(workloadCrossProblems(c, workload, mergeSettings(c, workload, overrides.slice(0, n + 1)), given)));
    for (const p of after[after.length - 1]!) {
      if (before.has(p)) continue;
      let n = after.length - 1;
      while (n > 0 && after[n - 1]!.has(p)) n--;
      problems.push(`${overrides[n]!.at}: ${workload}.${p}`);
    }
  }
  return problems;
}

/**
 * The settings of one workload (a server's name, or 'agent'): the stack's, the agent's own sizes for the
 * agent, then the workload's `serverOverrides`. parseConfig has checked them; an unchecked config with a
 * bad item for this workload throws a ConfigError.
 */
export function workloadSettings(c: StackConfig, workload: string): WorkloadSettings {
  const read = c.serverOverrides.map(readOverride);
  // A malformed item names no workload: it stands in the way of every one.
  const mine = read.filter((r) => (r.workload ?? workload) === workload);
  const problems = mine.flatMap((r) => (r.problem ? [r.problem] : []));
  if (problems.length) throw new ConfigError(problems);
  return mergeSettings(c, workload, mine.map((r) => r.override!));
}

/**
 * The warning when `servers` leaves out the server whose definition says `primary: true`: /mcp (and
 * /healthz) then serve another server. `marked` is that server, if any folder says so.
 */
export function primaryLeftOutWarning(marked: string | undefined, deployed: readonly string[], primary: string): string | undefined {
  if (marked === undefined || deployed.includes(marked)) return undefined;
  return `servers leaves out ${marked}, the primary server: /mcp now serves ${primary}, and ${primary}'s Cloud Map service takes the discoveryService name (the service is replaced)`;
}
