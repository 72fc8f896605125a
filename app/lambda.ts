import serverlessExpress from '@codegenie/serverless-express';
import { appOptionsFromEnv, readEnv } from './config';
import { createApp } from './createApp';
import { createLogger } from './logger';

/**
 * Lambda entry point: the same app behind @codegenie/serverless-express, for API Gateway HTTP API
 * (payload format 2.0) and Function URL events. Responses are JSON by default, since HTTP API buffers
 * the whole response; MCP_RESPONSE_MODE=sse sends a text/event-stream body instead.
 */
const app = createApp({ ...appOptionsFromEnv(readEnv(), 'json'), logger: createLogger('mcp-server') });

export const handler = serverlessExpress({ app });
