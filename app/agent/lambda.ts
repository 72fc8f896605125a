import serverlessExpress from '@codegenie/serverless-express';
import { createLogger } from '../logger';
import { readAgentEnv } from './config';
import { agentFromEnv } from './main';

/** The agent on Lambda, behind its own HTTP API (payload format 2.0). */
export const handler = serverlessExpress({ app: agentFromEnv(readAgentEnv(), createLogger('mcp-agent')) });
