import { z } from 'zod';
import { ENV, MCP_PORT } from './contract';
import type { AppOptions } from './createApp';
import { allowedHostsFrom, int, listenerEnv, parseEnv, withListenerRules } from './envShared';
import { DEFAULT_MAX_BODY_BYTES } from './limits';
import { MAX_TEXT_CALL_BYTES } from './tools/analyzeText';

const envSchema = withListenerRules(
  z.object({
    ...listenerEnv,
    [ENV.port]: int(0, 65535).default(MCP_PORT),
    [ENV.responseMode]: z.enum(['json', 'sse']).optional(),
    /** Not below what the longest analyze_text call needs, so that a valid call is never refused with 413. */
    MAX_BODY_BYTES: int(MAX_TEXT_CALL_BYTES, 100 * 1024 * 1024).default(DEFAULT_MAX_BODY_BYTES),
  }),
);

export type ServerEnv = z.output<typeof envSchema>;

/** Reads the server's environment; an invalid variable throws one error naming each variable and what it allows. */
export function readEnv(env: NodeJS.ProcessEnv = process.env): ServerEnv {
  return parseEnv(envSchema, env);
}

/**
 * App options from the environment. `listenHost` is the address the process binds to (none on
 * Lambda): bound to loopback, the Host check defaults to loopback names. ALLOWED_HOSTS=* turns it off.
 */
export function appOptionsFromEnv(env: ServerEnv, defaultMode: 'json' | 'sse', listenHost?: string): AppOptions {
  return {
    responseMode: env.MCP_RESPONSE_MODE ?? defaultMode,
    allowedHosts: allowedHostsFrom(env.ALLOWED_HOSTS, listenHost),
    allowedOrigins: env.ALLOWED_ORIGINS ?? [],
    maxBodyBytes: env.MAX_BODY_BYTES,
    // On Lambda (no listen address), API Gateway and the Function URL answer CORS themselves.
    cors: listenHost !== undefined,
  };
}
