import { lambdaHttpHandler } from '../lambdaExpress';
import type { LambdaHttpHandler } from '../lambdaHttp';
import { createLogger, type Logger } from '../logger';
import { flushTraces } from '../observability/tracing';
import { readAgentEnv } from './config';
import { agentFromEnv } from './main';

/** The agent on Lambda, behind its own HTTP API (payload format 2.0), from an environment. */
export function createAgentHandler(env: NodeJS.ProcessEnv = process.env, logger: Logger = createLogger('mcp-agent')): LambdaHttpHandler {
  const handle = lambdaHttpHandler(agentFromEnv(readAgentEnv(env), logger, undefined, undefined, env), logger);
  return async (event, context) => {
    const result = await handle(event, context);
    // The execution environment is frozen once the invocation returns: its spans are sent first.
    await flushTraces();
    return result;
  };
}

export const handler = createAgentHandler();
