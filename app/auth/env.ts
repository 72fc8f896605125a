// The authorization settings of an MCP server process, read from its environment (app/contract.ts ENV)
// and checked at start: a process with a bad one does not start.
import { z } from 'zod';
import { AUTH_MODES, ENV, type AuthMode } from '../contract';
import { isLoopback } from '../limits';
import { list } from '../envShared';

/** Token signature algorithms accepted by default: asymmetric only (never HS*, never none). */
export const DEFAULT_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'] as const;

/** How a server checks access tokens (undefined: it does not). */
export interface AuthSettings {
  mode: Exclude<AuthMode, 'none'>;
  /** The `iss` of the tokens accepted. */
  issuer: string;
  /** The issuer's key set; undefined: from its discovery document (Cognito: `<issuer>/.well-known/jwks.json`). */
  jwksUrl?: string;
  /** `aud` values accepted besides the server's own URLs. */
  audiences: readonly string[];
  /** cognito: the app clients whose access tokens (no `aud`) are accepted. */
  clientIds: readonly string[];
  /** Scopes are `<prefix>/<name>`: `<prefix>/<server>` for every call to a server; undefined, none required. */
  scopePrefix?: string;
  /** The authorization server named in Protected Resource Metadata. */
  metadataIssuer: string;
  /** cognito: the managed login domain, whose endpoints the published authorization-server metadata names. */
  loginUrl?: string;
  /** cognito: the stack's public client, handed out by client registration (when on). */
  publicClientId?: string;
  /** cognito: that client's callback URLs. */
  callbackUrls: readonly string[];
  /** cognito: whether POST /oauth/register hands out the public client. */
  registration: 'off' | 'shared';
  algorithms: readonly string[];
}

/** An https URL, or http on a loopback host (the local authorization server). */
const issuerUrl = z.string().refine(
  (s) => {
    try {
      const u = new URL(s);
      return !u.search && !u.hash && (u.protocol === 'https:' || (u.protocol === 'http:' && isLoopback(u.hostname)));
    } catch {
      return false;
    }
  },
  { message: 'must be an https URL (http only on 127.0.0.1 or localhost) without query or fragment' },
);

/** Where the front door publishes metadata: https, or http where a stack has no domain (and so no TLS). */
const publishedUrl = z.string().refine(
  (s) => URL.canParse(s) && ['https:', 'http:'].includes(new URL(s).protocol) && !new URL(s).search && !new URL(s).hash,
  { message: 'must be an http(s) URL without query or fragment' },
);

const blankIsUnset = (v: unknown) => (v === '' ? undefined : v);

/** The variables of authorization, as a piece of a process's environment schema. */
export const authEnv = {
  [ENV.authMode]: z.preprocess(blankIsUnset, z.enum(AUTH_MODES).default('none')),
  [ENV.authIssuer]: z.preprocess(blankIsUnset, issuerUrl.optional()),
  [ENV.authJwksUrl]: z.preprocess(blankIsUnset, issuerUrl.optional()),
  [ENV.authAudiences]: list.optional(),
  [ENV.authClientIds]: list.optional(),
  [ENV.authScopePrefix]: z.preprocess(blankIsUnset, z.string().regex(/^[\x21\x23-\x5b\x5d-\x7e]+$/, 'must be a scope token (no spaces or quotes)').optional()),
  [ENV.authMetadataIssuer]: z.preprocess(blankIsUnset, publishedUrl.optional()),
  [ENV.authLoginUrl]: z.preprocess(blankIsUnset, issuerUrl.optional()),
  [ENV.authPublicClientId]: z.preprocess(blankIsUnset, z.string().optional()),
  [ENV.authCallbackUrls]: list.optional(),
  [ENV.authRegistration]: z.preprocess(blankIsUnset, z.enum(['off', 'shared']).default('off')),
  [ENV.authAlgorithms]: list.optional(),
};

type AuthEnv = z.output<z.ZodObject<typeof authEnv>>;

/** The rules across the variables of authorization, for a schema's superRefine. */
export function checkAuthEnv(env: AuthEnv, ctx: z.RefinementCtx): void {
  const mode = env[ENV.authMode];
  const need = (key: keyof AuthEnv, why: string) => {
    const v = env[key];
    if (v === undefined || (Array.isArray(v) && v.length === 0)) ctx.addIssue({ code: 'custom', path: [key], message: `is required ${why}` });
  };
  if (mode === 'none') return;
  need(ENV.authIssuer, `with ${ENV.authMode}=${mode}`);
  if (mode === 'cognito') {
    need(ENV.authClientIds, `with ${ENV.authMode}=cognito (Cognito access tokens carry no audience: the app clients bind them)`);
    if (env[ENV.authRegistration] === 'shared') {
      need(ENV.authPublicClientId, `with ${ENV.authRegistration}=shared`);
      need(ENV.authCallbackUrls, `with ${ENV.authRegistration}=shared`);
    }
  } else if (env[ENV.authRegistration] === 'shared') {
    ctx.addIssue({ code: 'custom', path: [ENV.authRegistration], message: `shared registration is for ${ENV.authMode}=cognito (got ${mode})` });
  }
  const bad = (env[ENV.authAlgorithms] ?? []).filter((a) => !(DEFAULT_ALGORITHMS as readonly string[]).includes(a));
  if (bad.length) ctx.addIssue({ code: 'custom', path: [ENV.authAlgorithms], message: `${bad.join(', ')} not allowed: choose among ${DEFAULT_ALGORITHMS.join(', ')}` });
}

/** The settings of a checked environment; undefined when the server checks no token. */
export function authSettings(env: AuthEnv): AuthSettings | undefined {
  const mode = env[ENV.authMode];
  if (mode === 'none') return undefined;
  const issuer = env[ENV.authIssuer]!;
  return {
    mode,
    issuer,
    jwksUrl: env[ENV.authJwksUrl] ?? (mode === 'cognito' ? `${issuer}/.well-known/jwks.json` : undefined),
    audiences: env[ENV.authAudiences] ?? [],
    clientIds: env[ENV.authClientIds] ?? [],
    scopePrefix: env[ENV.authScopePrefix],
    metadataIssuer: env[ENV.authMetadataIssuer] ?? issuer,
    loginUrl: env[ENV.authLoginUrl],
    publicClientId: env[ENV.authPublicClientId],
    callbackUrls: env[ENV.authCallbackUrls] ?? [],
    registration: mode === 'cognito' ? env[ENV.authRegistration] : 'off',
    algorithms: env[ENV.authAlgorithms] ?? (mode === 'cognito' ? ['RS256'] : DEFAULT_ALGORITHMS),
  };
}
