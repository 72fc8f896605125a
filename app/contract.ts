// The contract between the Pulumi program and the app: what the program sets up and what the app serves
// and reads. Data and pure functions only, so that the program and every bundle can import it cheaply.

/** Where the app runs. */
export const TARGETS = ['lambda', 'fargate', 'eks'] as const;
export type Target = (typeof TARGETS)[number];

/** The port the MCP server listens on in a container, and the agent's. */
export const MCP_PORT = 3000;
export const AGENT_PORT = 3001;

export const MCP_PATH = '/mcp';
export const HEALTH_PATH = '/healthz';
/** The `_meta` key of a tool's probe arguments: what the synthetic check calls it with (see defineTool's `probe`). */
export const PROBE_META_KEY = 'mcp-on-aws/probe';

/** npm start: the tool metrics in Prometheus' text format. */
export const METRICS_PATH = '/metrics';
/** The MCP transport every target serves (stateless Streamable HTTP). */
export const TRANSPORT = 'streamable-http';

/**
 * A server's name: its folder under app/servers/, the first segment of its path at the front door, and
 * part of names AWS and Kubernetes limit (a DNS label, short enough for every name built from it).
 */
export const SERVER_NAME = /^[a-z](?:[a-z0-9]|-(?=[a-z0-9])){0,19}$/;
/**
 * First path segments the front door, the agent or the protocol use, and names the program gives its own
 * resources beside the servers' (`discovery-service`, the EKS Ingress `mcp-front-door`): no server may take them.
 */
export const RESERVED_SERVER_NAMES = ['mcp', 'healthz', 'agent', 'well-known', 'servers', 'tools', 'ask', 'service', 'front-door', 'oauth', 'metrics'] as const;

/** Why `name` cannot name a server, or undefined when it can. */
export function serverNameProblem(name: string): string | undefined {
  if (!SERVER_NAME.test(name)) {
    return `"${name}" must be 1 to 20 lowercase letters, digits or single hyphens, starting with a letter and not ending with a hyphen`;
  }
  if ((RESERVED_SERVER_NAMES as readonly string[]).includes(name)) return `"${name}" is reserved (${RESERVED_SERVER_NAMES.join(', ')})`;
  return undefined;
}

/** A server's own paths at the front door: /<server>/mcp and /<server>/healthz. */
export const serverMcpPath = (server: string) => `/${server}${MCP_PATH}`;
export const serverHealthPath = (server: string) => `/${server}${HEALTH_PATH}`;

/** Protected Resource Metadata (RFC 9728) of the MCP endpoint at `mcpPath`: its path inserted after this prefix. */
export const PROTECTED_RESOURCE_METADATA_PREFIX = '/.well-known/oauth-protected-resource';
export const protectedResourceMetadataPath = (mcpPath: string) => `${PROTECTED_RESOURCE_METADATA_PREFIX}${mcpPath}`;
/** Authorization server metadata (RFC 8414) the primary server publishes for the stack's Cognito user pool. */
export const AUTHORIZATION_SERVER_METADATA_PATH = '/.well-known/oauth-authorization-server';
/** The OAuth scope `name` under `prefix` (MCP_AUTH_SCOPE_PREFIX): `<prefix>/<name>`; without a prefix, the name. */
export const scopeOf = (prefix: string | undefined, name: string) => (prefix ? `${prefix}/${name}` : name);

/** Dynamic client registration (RFC 7591), opt-in, answered by the primary server. */
export const REGISTRATION_PATH = '/oauth/register';

export interface FrontDoorRoute {
  path: string;
  /** ANY for the MCP endpoint (the app answers other methods with its own 405), GET for health and metadata, POST for registration. */
  method: 'ANY' | 'GET' | 'POST';
}

/**
 * The paths the stack's front door sends to a server, on every target (API routes, ALB rules, Ingress
 * paths): its own, and for the primary server also /mcp and /healthz, the URLs of a one-server stack.
 */
export function frontDoorRoutes(server: string, primary: boolean, auth: FrontDoorAuth = NO_AUTH_ROUTES): FrontDoorRoute[] {
  const own: FrontDoorRoute[] = [
    { path: serverMcpPath(server), method: 'ANY' },
    { path: serverHealthPath(server), method: 'GET' },
  ];
  const routes: FrontDoorRoute[] = primary ? [...own, { path: MCP_PATH, method: 'ANY' }, { path: HEALTH_PATH, method: 'GET' }] : own;
  if (!auth.resourceMetadata) return routes;
  const mcpPaths = primary ? [serverMcpPath(server), MCP_PATH] : [serverMcpPath(server)];
  return [
    ...routes,
    ...mcpPaths.map((p): FrontDoorRoute => ({ path: protectedResourceMetadataPath(p), method: 'GET' })),
    ...(primary && auth.authorizationServerMetadata ? [{ path: AUTHORIZATION_SERVER_METADATA_PATH, method: 'GET' } as const] : []),
    ...(primary && auth.registration ? [{ path: REGISTRATION_PATH, method: 'POST' } as const] : []),
  ];
}

/** Which documents of authorization the front door routes to the servers. */
export interface FrontDoorAuth {
  /** Protected Resource Metadata of each MCP path (every server, when tokens are checked). */
  resourceMetadata: boolean;
  /** The published authorization-server metadata (Cognito), to the primary server. */
  authorizationServerMetadata: boolean;
  /** Client registration (Cognito, opt-in), to the primary server. */
  registration: boolean;
}

const NO_AUTH_ROUTES: FrontDoorAuth = { resourceMetadata: false, authorizationServerMetadata: false, registration: false };

/** Cloud Map attributes of an endpoint the program registers, read by the agent. */
export const ATTRIBUTES = {
  server: 'mcp_server',
  url: 'mcp_url',
  transport: 'mcp_transport',
  target: 'mcp_target',
  primary: 'mcp_primary',
  version: 'app_version',
  /** How the server authorizes requests (AUTH_MODES): what a client must bring. */
  auth: 'mcp_auth',
  /** The OAuth scope every request to the server needs (`<prefix>/<server>`); empty when none. */
  authScope: 'mcp_auth_scope',
} as const;

/** What the program says about a server's endpoint in Cloud Map, and what a client needs to reach it. */
export interface EndpointDescriptor {
  server: string;
  /** The public URL of the server's MCP endpoint, /<server>/mcp at the front door. */
  url: string;
  target: Target;
  /** Also served at /mcp. */
  primary: boolean;
  version: string;
  auth: AuthMode;
  /** The scope every request needs; empty when none. */
  authScope: string;
}

/** The instance attributes for `d` (Cloud Map: at most 30, values up to 1024 characters). */
export function endpointAttributes(d: EndpointDescriptor): Record<string, string> {
  return {
    [ATTRIBUTES.server]: d.server,
    [ATTRIBUTES.url]: d.url,
    [ATTRIBUTES.transport]: TRANSPORT,
    [ATTRIBUTES.target]: d.target,
    [ATTRIBUTES.primary]: String(d.primary),
    [ATTRIBUTES.version]: d.version,
    [ATTRIBUTES.auth]: d.auth,
    [ATTRIBUTES.authScope]: d.authScope,
  };
}

/** Cloud Map attributes ECS sets on the instances of its tasks. */
export const ECS_ATTRIBUTES = { ipv4: 'AWS_INSTANCE_IPV4', port: 'AWS_INSTANCE_PORT' } as const;

/** Environment variables the program sets and the app reads. */
export const ENV = {
  host: 'HOST',
  port: 'PORT',
  agentPort: 'AGENT_PORT',
  responseMode: 'MCP_RESPONSE_MODE',
  keepAlive: 'KEEP_ALIVE_TIMEOUT_MS',
  shutdown: 'SHUTDOWN_TIMEOUT_MS',
  allowedHosts: 'ALLOWED_HOSTS',
  allowedOrigins: 'ALLOWED_ORIGINS',
  logLevel: 'LOG_LEVEL',
  nodeEnv: 'NODE_ENV',
  /** The one server a process serves (containers, Lambda); unset, a container serves every server. */
  server: 'MCP_SERVER',
  /** The agent's servers when there is no Cloud Map: name=url items. */
  servers: 'MCP_SERVERS',
  namespace: 'CLOUD_MAP_NAMESPACE',
  namespaceId: 'CLOUD_MAP_NAMESPACE_ID',
  service: 'CLOUD_MAP_SERVICE',
  model: 'BEDROCK_MODEL_ID',
  callTimeout: 'CALL_TIMEOUT_MS',
  region: 'AWS_REGION',
  /** The secret (at least 32 bytes) that signs multi-round-trip request state: the same on every instance of a server. */
  requestStateKey: 'MCP_REQUEST_STATE_KEY',
  /** Tool metrics: `emf` (CloudWatch embedded metric format lines on stdout, deployed stacks), `prometheus` (GET /metrics, npm start), `off` (default). */
  metrics: 'MCP_METRICS',
  /** Traces: `otlp` (OTLP/HTTP to OTEL_EXPORTER_OTLP_ENDPOINT, default http://localhost:4318: deployed stacks), `console` (stdout), `off` (default). */
  tracing: 'MCP_TRACING',
  /** How MCP endpoints authorize requests: `none`, `cognito`, `oidc` or `local` (AUTH_MODES). Unset: none. */
  authMode: 'MCP_AUTH',
  /** The `iss` of the access tokens a server accepts. */
  authIssuer: 'MCP_AUTH_ISSUER',
  /** The issuer's JWKS; unset, the `jwks_uri` of its discovery document. */
  authJwksUrl: 'MCP_AUTH_JWKS_URL',
  /** `oidc`, `local`: the `aud` values accepted, comma-separated; unset, the server's own resource URL. */
  authAudiences: 'MCP_AUTH_AUDIENCES',
  /** `cognito` (tokens without `aud`): the app client ids whose access tokens are accepted, comma-separated. */
  authClientIds: 'MCP_AUTH_CLIENT_IDS',
  /** Scopes `<prefix>/<server>` (every call to a server) and `<prefix>/agent` (the container agents' routes); unset, none required. */
  authScopePrefix: 'MCP_AUTH_SCOPE_PREFIX',
  /** The authorization server named in Protected Resource Metadata; unset, the issuer. */
  authMetadataIssuer: 'MCP_AUTH_METADATA_ISSUER',
  /** `cognito`: the user pool's managed login domain (https://<prefix>.auth.<region>.amazoncognito.com), whose endpoints the published metadata names. */
  authLoginUrl: 'MCP_AUTH_LOGIN_URL',
  /** `cognito`: the stack's public app client (authorization code + PKCE), which client registration hands out. */
  authPublicClientId: 'MCP_AUTH_PUBLIC_CLIENT_ID',
  /** `cognito`: that client's callback URLs, comma-separated. */
  authCallbackUrls: 'MCP_AUTH_CALLBACK_URLS',
  /** `cognito`: `shared` to answer client registration with the public client; `off` (default) for none. */
  authRegistration: 'MCP_AUTH_REGISTRATION',
  /** Token signature algorithms accepted, comma-separated (asymmetric only); unset, RS256 for cognito, every asymmetric one otherwise. */
  authAlgorithms: 'MCP_AUTH_ALGORITHMS',
  /** The agent: the token endpoint it gets client-credentials tokens from. */
  authTokenUrl: 'MCP_AUTH_TOKEN_URL',
  /** The agent: a Secrets Manager secret holding {"client_id","client_secret"}, read at run time. */
  authClientSecretArn: 'MCP_AUTH_CLIENT_SECRET_ARN',
  /** `npm start` only (a deployed stack never sets them): the local authorization server's agent client. */
  authClientId: 'MCP_AUTH_CLIENT_ID',
  authClientSecret: 'MCP_AUTH_CLIENT_SECRET',
  /**
   * The ARN of the Secrets Manager secret that every server's request-state key is derived from (the
   * program makes one per stack); MCP_REQUEST_STATE_KEY, when set, wins.
   */
  requestStateSecret: 'MCP_REQUEST_STATE_SECRET_ARN',
} as const;

/** The ways an MCP endpoint authorizes requests. `local`: the loopback authorization server of `AUTH=local npm start`. */
export const AUTH_MODES = ['none', 'cognito', 'oidc', 'local'] as const;
export type AuthMode = (typeof AUTH_MODES)[number];

/** How the image (Dockerfile) runs the agent; the server is its default command. */
export const AGENT_COMMAND = ['node', 'agent.js'];
/** How the image runs the MCP servers (its default command): MCP_SERVER picks one. */
export const SERVER_COMMAND = ['node', 'index.js'];

/** The Lambda bundles' handlers (app/lambda.ts, app/agent/lambda.ts, shipped as index.js). */
export const LAMBDA_HANDLER = { http: 'index.handler', stream: 'index.streamHandler' } as const;

/** A probe of GET /healthz on `port` that needs nothing but node in the image. */
export const healthCommand = (port: number) => [
  'node',
  '-e',
  `fetch('http://127.0.0.1:${port}${HEALTH_PATH}').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))`,
];
