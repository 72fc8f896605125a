// What makes an MCP server an OAuth 2.1 resource server, the same for the Express app and the
// fetch-shaped Lambda app: the check of each request's bearer token (401 with a challenge naming the
// Protected Resource Metadata, 403 for a missing scope, 503 when the issuer's keys cannot be had), the
// metadata documents, and, for Cognito stacks, the authorization-server metadata the stack publishes and
// the opt-in client registration.
import type { AuthInfo } from '@modelcontextprotocol/server';
import { protectedResourceMetadataPath, REGISTRATION_PATH, scopeOf } from '../contract';
import { RPC } from '../jsonrpc';
import type { Logger } from '../logger';
import type { AuthSettings } from './env';
import { registerSharedClient } from './registration';
import { claimedClient, createVerifier, InvalidTokenError, IssuerUnavailableError, type TokenVerifier, type VerifierOptions } from './verifier';

/** An answer the gate gives itself: status, headers, JSON body. */
export interface AuthAnswer {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

/** How long a client should wait before trying again when the issuer's keys cannot be had, seconds. */
export const RETRY_AFTER_SECONDS = 5;

/** Where a request was sent: the server, its MCP path, and the origin (scheme://host) the client used. */
export interface Reached {
  server: string;
  mcpPath: string;
  origin: string;
}

export type GateOutcome = { authInfo: AuthInfo } | { refusal: AuthAnswer; reason: string };

export interface AuthGate {
  readonly settings: AuthSettings;
  /** The scope every request to `server` needs, if any. */
  requiredScope(server: string): string | undefined;
  /** Checks the Authorization header of a request to `reached`. */
  check(reached: Reached, authorization: string | undefined): Promise<GateOutcome>;
  /** The Protected Resource Metadata (RFC 9728) of the endpoint `reached` (`name`: the server's title). */
  resourceMetadata(reached: Reached, name?: string): AuthAnswer;
  /** cognito: the authorization-server metadata (RFC 8414) the stack publishes; undefined otherwise. */
  authorizationServerMetadata(): AuthAnswer | undefined;
  /** cognito with registration on: the answer to a registration request; undefined otherwise. */
  register(body: unknown): AuthAnswer | undefined;
}

/** Metadata documents are public and read by browser-based clients too. */
const METADATA_HEADERS = { 'access-control-allow-origin': '*', 'cache-control': 'public, max-age=300' };

const quoted = (s: string) => `"${s.replace(/["\\]/g, "'")}"`;

function challenge(params: Record<string, string | undefined>): string {
  const parts = Object.entries(params)
    .filter((e): e is [string, string] => e[1] !== undefined)
    .map(([k, v]) => `${k}=${quoted(v)}`);
  return `Bearer ${parts.join(', ')}`;
}

const rpcError = (message: string) => ({ jsonrpc: '2.0', error: { code: RPC.SERVER_ERROR, message }, id: null });

export interface GateOptions extends VerifierOptions {
  logger: Logger;
  /** Default: one made from the settings. */
  verifier?: TokenVerifier;
}

export function createAuthGate(settings: AuthSettings, options: GateOptions): AuthGate {
  const verify = options.verifier ?? createVerifier(settings, options);
  const { logger } = options;
  const requiredScope = (server: string) => (settings.scopePrefix ? scopeOf(settings.scopePrefix, server) : undefined);
  const metadataUrl = (r: Reached) => `${r.origin}${protectedResourceMetadataPath(r.mcpPath)}`;

  function refuse(r: Reached, status: 401 | 403 | 503, reason: string, token: string | undefined, error?: string): GateOutcome {
    const scope = requiredScope(r.server);
    const headers: Record<string, string> = {
      'www-authenticate': challenge({
        ...(error ? { error, error_description: reason } : {}),
        ...(scope ? { scope } : {}),
        resource_metadata: metadataUrl(r),
      }),
    };
    if (status === 503) headers['retry-after'] = String(RETRY_AFTER_SECONDS);
    const word = status === 401 ? 'Unauthorized' : status === 403 ? 'Forbidden' : 'Service unavailable';
    const clientId = token ? claimedClient(token) : undefined;
    const line = { server: r.server, status, reason, ...(clientId ? { clientId } : {}) };
    if (status === 503) logger.error(line, 'authorization unavailable');
    else logger.warn(line, 'authorization refused');
    return { refusal: { status, headers, body: rpcError(`${word}: ${reason}`) }, reason };
  }

  return {
    settings,
    requiredScope,

    async check(r, authorization) {
      if (!authorization) return refuse(r, 401, 'no access token: send Authorization: Bearer <token>', undefined);
      const match = /^Bearer +([\x21-\x7e]+) *$/i.exec(authorization);
      if (!match) return refuse(r, 401, 'the Authorization header is not Bearer <token>', undefined, 'invalid_request');
      const token = match[1]!;
      const resource = `${r.origin}${r.mcpPath}`;
      let authInfo: AuthInfo;
      try {
        authInfo = await verify(token, { server: r.server, resources: [resource] });
      } catch (err) {
        if (err instanceof IssuerUnavailableError) return refuse(r, 503, err.message, token, 'temporarily_unavailable');
        if (err instanceof InvalidTokenError) return refuse(r, 401, err.message, token, 'invalid_token');
        throw err;
      }
      const scope = requiredScope(r.server);
      if (scope && !authInfo.scopes.includes(scope)) return refuse(r, 403, `the token lacks the scope ${scope}`, token, 'insufficient_scope');
      return { authInfo: { ...authInfo, resource: authInfo.resource ?? new URL(resource), resourceMetadataUrl: metadataUrl(r) } };
    },

    resourceMetadata(r, name) {
      const scope = requiredScope(r.server);
      return {
        status: 200,
        headers: METADATA_HEADERS,
        body: {
          resource: `${r.origin}${r.mcpPath}`,
          authorization_servers: [settings.metadataIssuer],
          ...(scope ? { scopes_supported: [scope] } : {}),
          bearer_methods_supported: ['header'],
          ...(name ? { resource_name: name } : {}),
        },
      };
    },

    authorizationServerMetadata() {
      if (settings.mode !== 'cognito' || !settings.loginUrl) return undefined;
      const login = settings.loginUrl.replace(/\/$/, '');
      const issuer = settings.metadataIssuer.replace(/\/$/, '');
      return {
        status: 200,
        headers: METADATA_HEADERS,
        body: {
          // The origin that serves this document, as RFC 8414 §3.3 and MCP clients require; the tokens
          // themselves carry Cognito's issuer, which the servers check.
          issuer,
          authorization_endpoint: `${login}/oauth2/authorize`,
          token_endpoint: `${login}/oauth2/token`,
          revocation_endpoint: `${login}/oauth2/revoke`,
          jwks_uri: settings.jwksUrl,
          response_types_supported: ['code'],
          grant_types_supported: ['authorization_code', 'refresh_token', 'client_credentials'],
          // Cognito enforces PKCE S256 when a client sends it, but its own discovery document does not say so.
          code_challenge_methods_supported: ['S256'],
          token_endpoint_auth_methods_supported: ['none', 'client_secret_basic', 'client_secret_post'],
          ...(settings.registration === 'shared' ? { registration_endpoint: `${issuer}${REGISTRATION_PATH}` } : {}),
          authorization_response_iss_parameter_supported: false,
        },
      };
    },

    register(body) {
      if (settings.registration !== 'shared' || !settings.publicClientId) return undefined;
      const answer = registerSharedClient(
        body,
        { clientId: settings.publicClientId, callbackUrls: settings.callbackUrls, scopes: [] },
        Math.floor((options.now?.() ?? new Date()).getTime() / 1000),
      );
      if (answer.status === 400) logger.warn({ reason: answer.body.error_description }, 'client registration refused');
      return { status: answer.status, headers: { 'cache-control': 'no-store' }, body: answer.body };
    },
  };
}


/**
 * The origin (scheme://host) a client used: the scheme a proxy in front says it received (the load
 * balancer's X-Forwarded-Proto), else `scheme`; the host from Host, which the app's host check has
 * passed where hosts are checked.
 */
export function originOf(header: (name: string) => string | undefined, scheme: string): string {
  const forwarded = header('x-forwarded-proto')?.split(',')[0]?.trim().toLowerCase();
  const proto = forwarded === 'https' || forwarded === 'http' ? forwarded : scheme.replace(/:$/, '');
  return `${proto}://${header('host') ?? 'localhost'}`;
}
