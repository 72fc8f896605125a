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
/** The MCP transport every target serves (stateless Streamable HTTP). */
export const TRANSPORT = 'streamable-http';

/** Cloud Map attributes of an endpoint the program registers (Lambda, EKS), read by the agent. */
export const ATTRIBUTES = {
  url: 'mcp_url',
  transport: 'mcp_transport',
  target: 'mcp_target',
  version: 'app_version',
} as const;

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
  namespace: 'CLOUD_MAP_NAMESPACE',
  service: 'CLOUD_MAP_SERVICE',
  model: 'BEDROCK_MODEL_ID',
  callTimeout: 'CALL_TIMEOUT_MS',
  region: 'AWS_REGION',
} as const;

/** How the image (Dockerfile) runs the agent; the server is its default command. */
export const AGENT_COMMAND = ['node', 'agent.js'];

/** The Lambda bundles' handlers (app/lambda.ts, app/agent/lambda.ts, shipped as index.js). */
export const LAMBDA_HANDLER = { http: 'index.handler', stream: 'index.streamHandler' } as const;

/** A probe of GET /healthz on `port` that needs nothing but node in the image. */
export const healthCommand = (port: number) => [
  'node',
  '-e',
  `fetch('http://127.0.0.1:${port}${HEALTH_PATH}').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))`,
];
