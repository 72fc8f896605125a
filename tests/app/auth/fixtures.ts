// Keys, a JWKS endpoint on 127.0.0.1 and signed tokens, for the resource-server tests: everything made
// in the test, nothing fetched from outside.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import type { AuthSettings } from '../../../app/auth/env';
import { defineServer, defineTool } from '../../../app/mcp/define';
import type { LoadedServer } from '../../../app/mcp/define';

type Jose = typeof import('jose', { with: { 'resolution-mode': 'import' } });
export const jose = (): Promise<Jose> => import('jose');

/** The clock of every test: tokens are made relative to it and the verifier is given it. */
export const NOW = new Date('2026-11-01T12:00:00Z');
export const nowSeconds = Math.floor(NOW.getTime() / 1000);

export const ISSUER = 'https://issuer.example.test/tenant';
export const PREFIX = 'mcp-on-aws-test';

/** A key pair with its key id. */
export interface Key {
  kid: string;
  alg: string;
  privateKey: Parameters<InstanceType<Jose['SignJWT']>['sign']>[0];
  jwk: Record<string, unknown>;
}

export async function makeKey(kid: string, alg = 'RS256'): Promise<Key> {
  const { generateKeyPair, exportJWK } = await jose();
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  return { kid, alg, privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' } };
}

/** A JWKS endpoint: answers the keys given, or `status` when set; counts its requests. */
export interface JwksServer {
  url: string;
  keys: Record<string, unknown>[];
  status?: number;
  requests: number;
  close(): Promise<void>;
}

export async function serveJwks(keys: Key[]): Promise<JwksServer> {
  const state: JwksServer = { url: '', keys: keys.map((k) => k.jwk), requests: 0, close: async () => {} };
  const server = http.createServer((_req, res) => {
    state.requests++;
    if (state.status) {
      res.writeHead(state.status).end('unavailable');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: state.keys }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks`;
  state.close = () =>
    new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return state;
}

/** A URL on 127.0.0.1 where nothing listens. */
export async function deadUrl(): Promise<string> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}/jwks`;
}

/** A signed token: `claims` over defaults (the issuer, an hour of validity from NOW). */
export async function token(key: Key, claims: Record<string, unknown>, header: Record<string, unknown> = {}): Promise<string> {
  const { SignJWT } = await jose();
  return new SignJWT({ iss: ISSUER, iat: nowSeconds, exp: nowSeconds + 3600, sub: 'user-1', ...claims })
    .setProtectedHeader({ alg: key.alg, kid: key.kid, ...header })
    .sign(key.privateKey);
}

/** An unsigned token (`alg: none`). */
export function unsigned(claims: Record<string, unknown>): string {
  const part = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${part({ alg: 'none', typ: 'JWT' })}.${part({ iss: ISSUER, iat: nowSeconds, exp: nowSeconds + 3600, ...claims })}.`;
}

/** An HS256 token signed with `secret` (a key some verifiers would take from the JWKS). */
export async function hmacToken(secret: string, kid: string, claims: Record<string, unknown>): Promise<string> {
  const { SignJWT } = await jose();
  return new SignJWT({ iss: ISSUER, iat: nowSeconds, exp: nowSeconds + 3600, ...claims })
    .setProtectedHeader({ alg: 'HS256', kid })
    .sign(new TextEncoder().encode(secret));
}

/** Settings as the environment gives them, with a JWKS URL. */
export function settings(over: Partial<AuthSettings> & Pick<AuthSettings, 'mode' | 'jwksUrl'>): AuthSettings {
  return {
    issuer: ISSUER,
    audiences: [],
    clientIds: [],
    metadataIssuer: ISSUER,
    callbackUrls: [],
    registration: 'off',
    algorithms: ['RS256', 'ES256'],
    scopePrefix: PREFIX,
    ...over,
  };
}

/** Two servers: `alpha` (the primary) with a tool that needs the extra scope `admin`, and `beta`. */
export function servers(): LoadedServer[] {
  const hello = defineTool({ name: 'hello', title: 'Hello', description: 'Says hello.', outputSchema: { greeting: z.string() }, run: () => ({ greeting: 'hello' }) });
  const admin = defineTool({ name: 'admin', title: 'Admin', description: 'Needs the admin scope.', scopes: ['admin'], outputSchema: { ok: z.boolean() }, run: () => ({ ok: true }) });
  return [
    { name: 'alpha', definition: defineServer({ title: 'Alpha', instructions: 'Alpha.', tools: [hello, admin] }) },
    { name: 'beta', definition: defineServer({ title: 'Beta', instructions: 'Beta.', tools: [hello] }) },
  ];
}
