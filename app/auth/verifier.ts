// Access-token verification for an MCP server (an OAuth 2.1 resource server): the token's signature
// against the issuer's key set (fetched once and cached by jose), its issuer, expiry and not-before,
// an allow-list of asymmetric algorithms, and that it was issued for this server: an `aud` naming one of
// the server's URLs (RFC 8707), or for Cognito, whose access tokens carry no `aud`, an access token of
// one of the stack's app clients. A key set that cannot be had fails closed: IssuerUnavailableError.
import type { AuthInfo } from '@modelcontextprotocol/server';
import type { JWTPayload, JWTVerifyGetKey } from 'jose' with { 'resolution-mode': 'import' };
import type { AuthSettings } from './env';

/** The token is not one this server accepts (401 invalid_token); `message` says why, never the token. */
export class InvalidTokenError extends Error {
  override readonly name = 'InvalidTokenError';
}

/** The issuer's keys could not be had (503): the request is refused, not let through. */
export class IssuerUnavailableError extends Error {
  override readonly name = 'IssuerUnavailableError';
}

/** How long a token's times may be off from this clock, seconds. */
export const CLOCK_TOLERANCE_SECONDS = 30;

/** jose's remote key set: fetched on first use, kept 10 minutes, fetched again at most every 30 s for an unknown key id. */
const JWKS_OPTIONS = { timeoutDuration: 3000, cooldownDuration: 30_000, cacheMaxAge: 600_000 };

export interface VerifierOptions {
  /** The clock (tests). */
  now?: () => Date;
  /** How the issuer's discovery document is fetched (tests); default the global fetch. */
  fetch?: typeof fetch;
}

/** What a token is checked against: the server it is for and the URLs it is reached at. */
export interface TokenAudience {
  server: string;
  /** The server's resource URLs: the one the request used first. */
  resources: readonly string[];
}

type Jose = typeof import('jose', { with: { 'resolution-mode': 'import' } });
let joseModule: Promise<Jose> | undefined;
/** jose is an ES module: loaded on the first token to check. */
const loadJose = () => (joseModule ??= import('jose'));

/** Errors of the key set itself (its fetch, its content), as opposed to faults of the token. */
function isKeySetFault({ errors }: Jose, err: unknown): boolean {
  if (!(err instanceof errors.JOSEError)) return true;
  return err instanceof errors.JWKSTimeout || err instanceof errors.JWKSInvalid || err.code === 'ERR_JOSE_GENERIC';
}

/** Why jose refused a token, in words a client can act on. */
function tokenFault({ errors }: Jose, err: unknown): string {
  if (err instanceof errors.JWTExpired) return 'the token has expired';
  if (err instanceof errors.JWTClaimValidationFailed) {
    if (err.claim === 'nbf') return 'the token is not valid yet';
    if (err.claim === 'iss') return 'the token is from another issuer';
    if (err.reason === 'missing') return `the token has no ${err.claim} claim`;
    return `the token's ${err.claim} claim is not accepted`;
  }
  if (err instanceof errors.JOSEAlgNotAllowed) return 'the token is signed with an algorithm that is not accepted';
  if (err instanceof errors.JWSSignatureVerificationFailed) return 'the token signature is invalid';
  if (err instanceof errors.JWKSNoMatchingKey) return 'the token is signed with an unknown key';
  if (err instanceof errors.JWSInvalid || err instanceof errors.JWTInvalid) return 'the token is not a signed JWT';
  return 'the token is invalid';
}

/** The scopes of a token: `scope` (space-separated) or `scp` (a list). */
function scopesOf(payload: JWTPayload): string[] {
  if (typeof payload.scope === 'string') return payload.scope.split(' ').filter(Boolean);
  if (Array.isArray(payload.scp)) return payload.scp.filter((s): s is string => typeof s === 'string');
  return [];
}

/** The client a token was issued to, for log lines, read without checking it (never the token itself). */
export function claimedClient(token: string): string | undefined {
  try {
    const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as JWTPayload;
    const id = payload.client_id ?? payload.azp ?? payload.cid;
    return typeof id === 'string' ? id.slice(0, 128) : undefined;
  } catch {
    return undefined;
  }
}

/** A URL compared as RFC 8707 resources are: no fragment, one trailing slash ignored. */
const canonical = (url: string) => url.replace(/#.*$/, '').replace(/\/$/, '');

export type TokenVerifier = (token: string, audience: TokenAudience) => Promise<AuthInfo>;

/** A verifier for `settings`; its key set is fetched on first use and shared by every call. */
export function createVerifier(settings: AuthSettings, options: VerifierOptions = {}): TokenVerifier {
  const doFetch = options.fetch ?? fetch;
  let keySet: Promise<JWTVerifyGetKey> | undefined;
  const keys = (): Promise<JWTVerifyGetKey> => {
    keySet ??= (async () => {
      const { createRemoteJWKSet } = await loadJose();
      if (settings.jwksUrl) return createRemoteJWKSet(new URL(settings.jwksUrl), JWKS_OPTIONS);
      const discovery = `${settings.issuer.replace(/\/$/, '')}/.well-known/openid-configuration`;
      const res = await doFetch(discovery, { signal: AbortSignal.timeout(JWKS_OPTIONS.timeoutDuration) });
      if (!res.ok) throw new Error(`${discovery} answered ${res.status}`);
      const jwksUri = ((await res.json()) as { jwks_uri?: unknown }).jwks_uri;
      if (typeof jwksUri !== 'string') throw new Error(`${discovery} names no jwks_uri`);
      return createRemoteJWKSet(new URL(jwksUri), JWKS_OPTIONS);
    })();
    // A failed discovery is tried again on the next request.
    keySet.catch(() => (keySet = undefined));
    return keySet;
  };
  // Key-set failures become IssuerUnavailableError; faults of the token stay jose's errors.
  const getKey: JWTVerifyGetKey = async (header, token) => {
    let resolve: JWTVerifyGetKey;
    try {
      resolve = await keys();
    } catch (err) {
      throw new IssuerUnavailableError(`the issuer's keys cannot be fetched: ${(err as Error).message}`, { cause: err });
    }
    try {
      return await resolve(header, token);
    } catch (err) {
      if (isKeySetFault(await loadJose(), err)) throw new IssuerUnavailableError(`the issuer's keys cannot be fetched: ${(err as Error).message}`, { cause: err });
      throw err;
    }
  };

  return async (token, audience) => {
    const jose = await loadJose();
    let payload: JWTPayload;
    try {
      ({ payload } = await jose.jwtVerify(token, getKey, {
        issuer: settings.issuer,
        algorithms: [...settings.algorithms],
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
        requiredClaims: ['exp'],
        ...(options.now ? { currentDate: options.now() } : {}),
      }));
    } catch (err) {
      if (err instanceof IssuerUnavailableError) throw err;
      throw new InvalidTokenError(tokenFault(jose, err));
    }
    const accepted = [...audience.resources, ...settings.audiences].map(canonical);
    let resource: URL | undefined;
    if (payload.aud !== undefined) {
      const auds = (Array.isArray(payload.aud) ? payload.aud : [payload.aud]).map(canonical);
      const match = auds.find((a) => accepted.includes(a));
      if (!match) throw new InvalidTokenError('the token was not issued for this resource');
      resource = URL.canParse(match) ? new URL(match) : undefined;
    } else if (settings.mode !== 'cognito') {
      throw new InvalidTokenError('the token has no audience');
    }
    if (payload.token_use !== undefined && payload.token_use !== 'access') throw new InvalidTokenError('not an access token');
    const clientId = [payload.client_id, payload.azp, payload.cid, payload.sub].find((c): c is string => typeof c === 'string') ?? '';
    if (settings.mode === 'cognito' && payload.aud === undefined) {
      if (payload.token_use !== 'access') throw new InvalidTokenError('not an access token');
      if (!settings.clientIds.includes(clientId)) throw new InvalidTokenError('the token was issued to a client this server does not accept');
    }
    return {
      token,
      clientId,
      scopes: scopesOf(payload),
      expiresAt: payload.exp,
      ...(resource ? { resource } : {}),
      extra: { sub: payload.sub },
    };
  };
}
