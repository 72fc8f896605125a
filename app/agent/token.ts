// The agent's access tokens towards the MCP servers: OAuth 2.0 client credentials (RFC 6749 §4.4,
// client_secret_basic), one token per scope and resource, kept until shortly before it expires. The
// credentials come from Secrets Manager (deployed stacks) or, for npm start, from the process.
import type { AuthProvider } from '@modelcontextprotocol/client';
import { ENV, scopeOf, type AuthMode } from '../contract';
import type { Logger } from '../logger';
import { forgetSecret, readSecret } from '../secrets';
import type { McpEndpoint } from './resolver';

export interface ClientCredentials {
  clientId: string;
  clientSecret: string;
}

/** What a token is asked for: the scope the server requires and, outside Cognito, the server's URL (RFC 8707). */
export interface TokenRequest {
  scope?: string;
  resource?: string;
}

/** No token could be had (the message says why; never a secret or a token). */
export class TokenUnavailableError extends Error {
  override readonly name = 'TokenUnavailableError';
}

/** A token is dropped this long before it expires, ms. */
export const EXPIRY_MARGIN_MS = 60_000;
/** How long a token whose answer gives no expires_in is kept, ms. */
const DEFAULT_LIFETIME_MS = 5 * 60_000;
const TOKEN_TIMEOUT_MS = 5000;

export interface TokenSourceOptions {
  tokenUrl: string;
  /** Reads the credentials; `fresh` after the token endpoint refused them (a rotated secret). */
  credentials: (fresh: boolean) => Promise<ClientCredentials>;
  logger: Logger;
  now?: () => number;
  fetch?: typeof fetch;
}

/** Client-credentials tokens, cached per scope and resource; concurrent asks share one request. */
export class TokenSource {
  private readonly cache = new Map<string, { token: string; until: number }>();
  private readonly inflight = new Map<string, Promise<string>>();
  private readonly now: () => number;

  constructor(private readonly opts: TokenSourceOptions) {
    this.now = opts.now ?? Date.now;
  }

  private static key(r: TokenRequest): string {
    return `${r.scope ?? ''}\n${r.resource ?? ''}`;
  }

  /** A token for `r`: the cached one while it is valid, else a new one. */
  token(r: TokenRequest): Promise<string> {
    const key = TokenSource.key(r);
    const cached = this.cache.get(key);
    if (cached && cached.until > this.now()) return Promise.resolve(cached.token);
    let pending = this.inflight.get(key);
    if (!pending) {
      pending = this.fetchToken(r, false).finally(() => this.inflight.delete(key));
      this.inflight.set(key, pending);
    }
    return pending;
  }

  /** Forgets the token for `r` (a server refused it): the next ask gets a new one. */
  invalidate(r: TokenRequest): void {
    this.cache.delete(TokenSource.key(r));
  }

  private async fetchToken(r: TokenRequest, fresh: boolean): Promise<string> {
    const { clientId, clientSecret } = await this.opts.credentials(fresh).catch((err: unknown) => {
      throw new TokenUnavailableError(`the agent's client credentials cannot be read: ${(err as Error).message}`);
    });
    const body = new URLSearchParams({ grant_type: 'client_credentials' });
    if (r.scope) body.set('scope', r.scope);
    if (r.resource) body.set('resource', r.resource);
    const basic = Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(clientSecret)}`).toString('base64');
    let res: Response;
    try {
      res = await (this.opts.fetch ?? fetch)(this.opts.tokenUrl, {
        method: 'POST',
        headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body,
        signal: AbortSignal.timeout(TOKEN_TIMEOUT_MS),
      });
    } catch (err) {
      throw new TokenUnavailableError(`the token endpoint ${this.opts.tokenUrl} cannot be reached: ${(err as Error).message}`);
    }
    const answer = (await res.json().catch(() => ({}))) as { access_token?: unknown; expires_in?: unknown; error?: unknown; error_description?: unknown };
    if (!res.ok || typeof answer.access_token !== 'string') {
      // The secret may have been rotated: read it again, once.
      if (answer.error === 'invalid_client' && !fresh) return this.fetchToken(r, true);
      const why = typeof answer.error === 'string' ? `${answer.error}${typeof answer.error_description === 'string' ? `: ${answer.error_description}` : ''}` : `HTTP ${res.status}`;
      this.opts.logger.error({ tokenUrl: this.opts.tokenUrl, status: res.status, scope: r.scope, resource: r.resource }, `no token from the token endpoint (${why})`);
      throw new TokenUnavailableError(`the token endpoint ${this.opts.tokenUrl} gave no token (${why})`);
    }
    const lifetime = typeof answer.expires_in === 'number' && answer.expires_in > 0 ? answer.expires_in * 1000 : DEFAULT_LIFETIME_MS;
    this.cache.set(TokenSource.key(r), { token: answer.access_token, until: this.now() + lifetime - EXPIRY_MARGIN_MS });
    return answer.access_token;
  }
}

/** How the agent authenticates to the servers: its tokens, and the mode and scope prefix of a static server list. */
export interface AgentAuth {
  tokens: TokenSource;
  /** For endpoints that do not say (a static MCP_SERVERS list): the agent's own MCP_AUTH and scope prefix. */
  mode: AuthMode;
  scopePrefix?: string;
}

/** What token, if any, a call to `endpoint` needs. */
export function tokenRequestFor(auth: AgentAuth, endpoint: McpEndpoint): TokenRequest | undefined {
  const mode = endpoint.auth ?? auth.mode;
  if (mode === 'none') return undefined;
  const scope = endpoint.auth !== undefined ? endpoint.authScope || undefined : auth.scopePrefix ? scopeOf(auth.scopePrefix, endpoint.server) : undefined;
  // Cognito binds tokens by client and scope; other issuers by audience, the server's registered URL.
  return { ...(scope ? { scope } : {}), ...(mode === 'cognito' ? {} : { resource: endpoint.resource ?? endpoint.url }) };
}

/** The transport's auth provider for `endpoint`: a token on every request, a new one after a 401. */
export function authProviderFor(auth: AgentAuth | undefined, endpoint: McpEndpoint): AuthProvider | undefined {
  if (!auth) return undefined;
  const request = tokenRequestFor(auth, endpoint);
  if (!request) return undefined;
  return {
    token: () => auth.tokens.token(request),
    onUnauthorized: async () => auth.tokens.invalidate(request),
  };
}

/**
 * The agent's authentication from its environment: none when it has no token endpoint. Credentials from
 * MCP_AUTH_CLIENT_SECRET_ARN (Secrets Manager, `{"client_id","client_secret"}`), else, for npm start,
 * MCP_AUTH_CLIENT_ID and MCP_AUTH_CLIENT_SECRET.
 */
export function agentAuthFromEnv(env: NodeJS.ProcessEnv, logger: Logger): AgentAuth | undefined {
  const tokenUrl = env[ENV.authTokenUrl];
  const mode = (env[ENV.authMode] || 'none') as AuthMode;
  if (!tokenUrl) return undefined;
  const arn = env[ENV.authClientSecretArn];
  const id = env[ENV.authClientId];
  const secret = env[ENV.authClientSecret];
  if (!arn && !(id && secret)) {
    throw new Error(`${ENV.authTokenUrl} is set: set ${ENV.authClientSecretArn} (or, for npm start, ${ENV.authClientId} and ${ENV.authClientSecret}) too`);
  }
  const credentials = async (fresh: boolean): Promise<ClientCredentials> => {
    if (!arn) return { clientId: id!, clientSecret: secret! };
    if (fresh) forgetSecret(arn);
    const parsed = JSON.parse(Buffer.from(await readSecret(arn, { logger })).toString('utf8')) as { client_id?: unknown; client_secret?: unknown };
    if (typeof parsed.client_id !== 'string' || typeof parsed.client_secret !== 'string') {
      throw new Error(`secret ${arn} must hold {"client_id":"…","client_secret":"…"}`);
    }
    return { clientId: parsed.client_id, clientSecret: parsed.client_secret };
  };
  return { tokens: new TokenSource({ tokenUrl, credentials, logger }), mode, scopePrefix: env[ENV.authScopePrefix] || undefined };
}
