// The authorization environment of a server process: checked at start, every problem named at once.
import { strict as assert } from 'node:assert';
import pino from 'pino';
import { appOptionsFromEnv, readEnv } from '../../../app/config';
import type * as Lambda from '../../../app/lambda';
import { serverCatalog } from '../../../app/servers/catalog';

const catalog = serverCatalog();
const COGNITO = {
  MCP_AUTH: 'cognito',
  MCP_AUTH_ISSUER: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC123',
  MCP_AUTH_CLIENT_IDS: 'public1,machine1',
  MCP_AUTH_SCOPE_PREFIX: 'mcp-on-aws-dev',
  MCP_AUTH_METADATA_ISSUER: 'https://mcp.example.com',
  MCP_AUTH_LOGIN_URL: 'https://mcp-dev.auth.eu-west-1.amazoncognito.com',
};

describe('the authorization environment (app/auth/env)', () => {
  it('unset: no gate', () => {
    assert.equal(appOptionsFromEnv(readEnv({}, catalog), 'sse').auth, undefined);
  });

  it('cognito: the gate with the JWKS beside the issuer, RS256 only, the metadata issuer and scope prefix', () => {
    const auth = appOptionsFromEnv(readEnv(COGNITO, catalog), 'json').auth!;
    assert.equal(auth.settings.mode, 'cognito');
    assert.equal(auth.settings.jwksUrl, `${COGNITO.MCP_AUTH_ISSUER}/.well-known/jwks.json`);
    assert.deepEqual(auth.settings.algorithms, ['RS256']);
    assert.deepEqual(auth.settings.clientIds, ['public1', 'machine1']);
    assert.equal(auth.settings.metadataIssuer, 'https://mcp.example.com');
    assert.equal(auth.requiredScope('cost'), 'mcp-on-aws-dev/cost');
  });

  const bad: [string, Record<string, string>, RegExp[]][] = [
    ['an unknown mode', { MCP_AUTH: 'basic' }, [/MCP_AUTH: .*none.*cognito.*oidc.*local/]],
    ['cognito without issuer or clients', { MCP_AUTH: 'cognito' }, [/MCP_AUTH_ISSUER: is required/, /MCP_AUTH_CLIENT_IDS: is required/]],
    ['an http issuer off loopback', { ...COGNITO, MCP_AUTH_ISSUER: 'http://issuer.example.com' }, [/MCP_AUTH_ISSUER: must be an https URL/]],
    ['an issuer with a query', { MCP_AUTH: 'oidc', MCP_AUTH_ISSUER: 'https://issuer.example.com/?x=1' }, [/MCP_AUTH_ISSUER: must be an https URL/]],
    ['a symmetric algorithm', { MCP_AUTH: 'oidc', MCP_AUTH_ISSUER: 'https://issuer.example.com', MCP_AUTH_ALGORITHMS: 'RS256,HS256' }, [/MCP_AUTH_ALGORITHMS: HS256 not allowed/]],
    ['shared registration without the public client', { ...COGNITO, MCP_AUTH_REGISTRATION: 'shared' }, [/MCP_AUTH_PUBLIC_CLIENT_ID: is required/, /MCP_AUTH_CALLBACK_URLS: is required/]],
    ['shared registration with oidc', { MCP_AUTH: 'oidc', MCP_AUTH_ISSUER: 'https://issuer.example.com', MCP_AUTH_REGISTRATION: 'shared' }, [/MCP_AUTH_REGISTRATION: shared registration is for MCP_AUTH=cognito/]],
  ];
  for (const [what, env, problems] of bad) {
    it(`refuses ${what} at start, naming each variable`, () => {
      assert.throws(
        () => readEnv(env, catalog),
        (err: Error) => {
          for (const p of problems) assert.match(err.message, p);
          return true;
        },
      );
    });
  }

  it('a local issuer on loopback may be http', () => {
    const auth = appOptionsFromEnv(readEnv({ MCP_AUTH: 'local', MCP_AUTH_ISSUER: 'http://127.0.0.1:3002' }, catalog), 'sse').auth!;
    assert.equal(auth.settings.jwksUrl, undefined);
  });

  for (const [what, env, warns] of [
    ['without authorization', {}, true],
    ['with authorization', COGNITO, false],
  ] as const) {
    it(`a Lambda function ${what} ${warns ? 'says at start that its endpoint is open' : 'says nothing of it'}`, () => {
      const lines: any[] = [];
      // app/lambda makes its handler when loaded: from source it needs MCP_SERVER to pick a server.
      const saved = process.env.MCP_SERVER;
      process.env.MCP_SERVER = 'cost';
      let createHandler: typeof Lambda.createHandler;
      try {
        ({ createHandler } = require('../../../app/lambda') as typeof Lambda);
      } finally {
        // Its handler was made for MCP_SERVER=cost: other tests load it afresh for theirs.
        delete require.cache[require.resolve('../../../app/lambda')];
        if (saved === undefined) delete process.env.MCP_SERVER;
        else process.env.MCP_SERVER = saved;
      }
      createHandler({ ...env, MCP_SERVER: 'cost' }, pino({}, { write: (l: string) => lines.push(JSON.parse(l)) }), catalog);
      assert.equal(lines.some((l) => l.level === 40 && /no authorization/.test(l.msg)), warns);
    });
  }
});
