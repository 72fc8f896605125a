import { lambdaHttpHandler } from '../lambdaExpress';
import type { LambdaHttpHandler } from '../lambdaHttp';
import { createLogger, type Logger } from '../logger';
import { readAgentEnv } from './config';
import { agentFromEnv } from './main';

/** The agent on Lambda, behind its own HTTP API (payload format 2.0), from an environment. */
export function createAgentHandler(env: NodeJS.ProcessEnv = process.env, logger: Logger = createLogger('mcp-agent')): LambdaHttpHandler {
  return lambdaHttpHandler(agentFromEnv(readAgentEnv(env), logger, undefined, undefined, env), logger);
}

export const handler = createAgentHandler();
