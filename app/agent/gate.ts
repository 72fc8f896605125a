// The agent's own routes on containers and npm start: a bearer token with the agent's scope
// (`<prefix>/agent`), checked as the MCP servers check theirs (app/auth). On Lambda, IAM guards them.
import type { RequestHandler } from 'express';
import { z } from 'zod';
import { createAuthGate, originOf, type AuthGate } from '../auth/gate';
import { authEnv, authSettings, checkAuthEnv } from '../auth/env';
import { parseEnv } from '../envShared';
import type { Logger } from '../logger';

/** The name the agent's scope carries. */
export const AGENT_SCOPE_NAME = 'agent';

const schema = z.object(authEnv).superRefine(checkAuthEnv);

/** The gate of the agent's routes from its environment (MCP_AUTH and the rest); undefined when it is none. */
export function agentGateFromEnv(env: NodeJS.ProcessEnv, logger: Logger): AuthGate | undefined {
  const settings = authSettings(parseEnv(schema, env));
  return settings ? createAuthGate(settings, { logger }) : undefined;
}

/**
 * Requires a token for the agent on every route after it: its resource is the agent's origin, its
 * metadata at /.well-known/oauth-protected-resource (served before the gate).
 */
export function agentAuthorization(gate: AuthGate): { metadata: RequestHandler; authorize: RequestHandler } {
  const reached = (req: Parameters<RequestHandler>[0]) => ({ server: AGENT_SCOPE_NAME, mcpPath: '', origin: originOf((n) => req.get(n), req.protocol) });
  return {
    metadata: (req, res) => {
      const a = gate.resourceMetadata(reached(req), 'mcp-on-aws agent');
      res.status(a.status).set(a.headers).json(a.body);
    },
    authorize: (req, res, next) => {
      gate.check(reached(req), req.get('authorization')).then((outcome) => {
        if ('refusal' in outcome) {
          const { status, headers, body } = outcome.refusal;
          res.status(status).set(headers).json({ error: (body as { error: { message: string } }).error.message });
          return;
        }
        next();
      }, next);
    },
  };
}
