// The OAuth 2.1 authorization server of `AUTH=local npm start`, on loopback only, made with
// oidc-provider: discovery metadata (with PKCE S256), dynamic client registration, authorization code +
// PKCE with a development login (any name, no password check), client credentials for the agent, and
// resource indicators (RFC 8707) that give JWT access tokens whose audience is the MCP server's URL.
// For development: nothing a deployed stack runs imports it.
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { scopeOf, SERVER_NAME } from '../../contract';

export interface LocalAuthServerOptions {
  /** Default 3002; 0 for any free port. */
  port?: number;
  /** Scopes are `<prefix>/<server>` and `<prefix>/agent`. */
  scopePrefix: string;
  /** The server answering /mcp, whose scope a token for that URL carries. */
  primary: string;
  /** Every server's name: the scopes offered. */
  servers: readonly string[];
}

export interface LocalAuthServer {
  issuer: string;
  /** Its listener (npm start drains it with the others). */
  server: http.Server;
  tokenUrl: string;
  /** The agent's pre-registered confidential client (client credentials). */
  agentClient: { id: string; secret: string };
  close(): Promise<void>;
}

const OIDC_PROVIDER: string = 'oidc-provider';

/** Access tokens live 5 minutes: long enough to try things, short enough to see them renewed. */
const ACCESS_TOKEN_SECONDS = 300;

/**
 * The scope a token for `resource` carries, or undefined when it is not one of ours: an MCP endpoint
 * (`/<server>/mcp`, `/mcp`) or an agent (its origin) on a loopback host.
 */
export function scopeForResource(resource: string, o: Pick<LocalAuthServerOptions, 'scopePrefix' | 'primary'>): string | undefined {
  if (!URL.canParse(resource)) return undefined;
  const url = new URL(resource);
  if (url.protocol !== 'http:' || !['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname) || url.search || url.hash) return undefined;
  if (url.pathname === '/' || url.pathname === '') return scopeOf(o.scopePrefix, 'agent');
  if (url.pathname === '/mcp') return scopeOf(o.scopePrefix, o.primary);
  const m = /^\/([^/]+)\/mcp$/.exec(url.pathname);
  return m && SERVER_NAME.test(m[1]!) ? scopeOf(o.scopePrefix, m[1]!) : undefined;
}

export async function startLocalAuthServer(o: LocalAuthServerOptions): Promise<LocalAuthServer> {
  // A development dependency, loaded by name: no bundle of the app can contain it.
  const { default: Provider, errors } = (await import(OIDC_PROVIDER)) as { default: new (issuer: string, config: unknown) => { callback(): http.RequestListener }; errors: { InvalidTarget: new (m: string) => Error } };
  const jose = await import('jose');
  const server = http.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port ?? 3002, '127.0.0.1', () => resolve());
  });
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const { privateKey } = await jose.generateKeyPair('ES256', { extractable: true });
  const signing = { ...(await jose.exportJWK(privateKey)), kid: 'local-1', use: 'sig', alg: 'ES256' };
  const scopes = [...o.servers.map((s) => scopeOf(o.scopePrefix, s)), scopeOf(o.scopePrefix, 'agent')];
  const agentClient = { id: 'mcp-on-aws-agent', secret: randomBytes(24).toString('base64url') };
  const provider = new Provider(issuer, {
    jwks: { keys: [signing] } as never,
    cookies: { keys: [randomBytes(32).toString('hex')] },
    clients: [
      {
        client_id: agentClient.id,
        client_secret: agentClient.secret,
        grant_types: ['client_credentials'],
        response_types: [],
        redirect_uris: [],
        token_endpoint_auth_method: 'client_secret_basic',
        scope: scopes.join(' '),
      },
    ],
    scopes: ['openid', ...scopes],
    clientDefaults: { id_token_signed_response_alg: 'ES256', grant_types: ['authorization_code'], response_types: ['code'], token_endpoint_auth_method: 'none' },
    pkce: { required: () => true },
    features: {
      devInteractions: { enabled: true },
      registration: { enabled: true },
      clientCredentials: { enabled: true },
      revocation: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: async (_ctx: unknown, _client: unknown, oneOf?: string | string[]) => oneOf ?? undefined,
        useGrantedResource: async () => true,
        getResourceServerInfo: async (_ctx: unknown, resource: string) => {
          const scope = scopeForResource(resource, o);
          if (!scope) throw new errors.InvalidTarget(`${resource} is not an MCP server or agent of this machine`);
          return { scope, audience: resource, accessTokenFormat: 'jwt', accessTokenTTL: ACCESS_TOKEN_SECONDS, jwt: { sign: { alg: 'ES256' } } };
        },
      },
    },
    ttl: { AccessToken: ACCESS_TOKEN_SECONDS, ClientCredentials: ACCESS_TOKEN_SECONDS, AuthorizationCode: 60, Interaction: 600, Session: 3600, Grant: 3600 },
  } as never);
  server.on('request', provider.callback());
  return {
    issuer,
    server,
    tokenUrl: `${issuer}/token`,
    agentClient,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
