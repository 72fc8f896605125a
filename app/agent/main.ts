import type { Server } from 'node:http';
import { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { ServiceDiscoveryClient } from '@aws-sdk/client-servicediscovery';
import { ENV } from '../contract';
import { createLogger, type Logger } from '../logger';
import { metricsFrom } from '../observability/metrics';
import { startTracing } from '../observability/tracing';
import { drainOnSignals, listen, runMain, type DrainState } from '../serve';
import { listenerOptions } from '../envShared';
import { agentGuardFromEnv, readAgentEnv, type AgentEnv } from './config';
import { createAgentApp } from './createAgentApp';
import { CloudMapResolver, StaticResolver, type Resolver } from './resolver';
import { McpServers } from './servers';
import { agentAuthFromEnv } from './token';
import { agentGateFromEnv } from './gate';

/**
 * Where the agent finds servers, from its environment: the static list MCP_SERVERS, else every service
 * of the Cloud Map namespace (or the one CLOUD_MAP_SERVICE names).
 */
export function resolverFromEnv(
  env: AgentEnv,
  logger: Logger,
  client: Pick<ServiceDiscoveryClient, 'send'> = new ServiceDiscoveryClient({}),
  now?: () => number,
): Resolver {
  if (env.MCP_SERVERS?.length) return new StaticResolver(env.MCP_SERVERS);
  return new CloudMapResolver({
    client,
    namespaceName: env.CLOUD_MAP_NAMESPACE!,
    ...(env.CLOUD_MAP_NAMESPACE_ID ? { namespaceId: env.CLOUD_MAP_NAMESPACE_ID } : {}),
    ...(env.CLOUD_MAP_SERVICE ? { serviceName: env.CLOUD_MAP_SERVICE } : {}),
    ttlMs: env.DISCOVERY_TTL_MS,
    logger,
    ...(now ? { now } : {}),
  });
}

/**
 * The agent's app from its environment: Cloud Map or a static list, and Bedrock when a model is set.
 * `listenHost` is the address it binds to (none on Lambda), for the default Host allow-list.
 */
export function agentFromEnv(env: AgentEnv, logger: Logger, state?: DrainState, listenHost?: string, raw: NodeJS.ProcessEnv = process.env) {
  const resolver = resolverFromEnv(env, logger);
  const auth = agentAuthFromEnv(raw, logger);
  const metrics = metricsFrom(env[ENV.metrics]);
  startTracing(env[ENV.tracing], 'agent');
  const servers = new McpServers({
    ...(metrics ? { metrics } : {}),
    resolver,
    ...(auth ? { auth } : {}),
    timeoutMs: env.CALL_TIMEOUT_MS,
    maxResponseBytes: env.MAX_RESPONSE_BYTES,
    toolsTtlMs: env.DISCOVERY_TTL_MS,
    logger,
  });
  return createAgentApp({
    servers,
    logger,
    modelId: env.BEDROCK_MODEL_ID,
    bedrock: env.BEDROCK_MODEL_ID ? new BedrockRuntimeClient({}) : undefined,
    maxSteps: env.ASK_MAX_STEPS,
    maxBodyBytes: env.MAX_BODY_BYTES,
    ...agentGuardFromEnv(env, listenHost),
    // Its own routes: a token with the agent's scope, on containers and npm start; on Lambda, IAM.
    ...(listenHost !== undefined ? { auth: agentGateFromEnv(raw, logger) } : {}),
    isDraining: () => state?.draining ?? false,
    ...(metrics ? { metrics } : {}),
  });
}

/** Starts the agent on HOST:AGENT_PORT. */
export async function startAgent(state: DrainState, logger: Logger = createLogger('mcp-agent')): Promise<Server> {
  const env = readAgentEnv();
  return listen(agentFromEnv(env, logger, state, env.HOST), {
    host: env.HOST,
    port: env.AGENT_PORT,
    ...listenerOptions(env),
    logger,
    message: 'agent listening',
  });
}

if (require.main === module) {
  runMain(async () => {
    const state: DrainState = { draining: false };
    const logger = createLogger('mcp-agent');
    const server = await startAgent(state, logger);
    drainOnSignals(() => [server], { timeoutMs: readAgentEnv().SHUTDOWN_TIMEOUT_MS, logger, state });
  });
}
