import { strict as assert } from 'node:assert';
import { appOptionsFromEnv, readEnv } from '../../app/config';
import { DEFAULT_HEADERS_TIMEOUT_MS, DEFAULT_MAX_CONNECTIONS, DEFAULT_REQUEST_TIMEOUT_MS } from '../../app/serve';

describe('the server environment (app/config.ts)', () => {
  it('bounds slow clients and connections by default: headers in 20 s, a request in 60 s, 1024 connections', () => {
    const env = readEnv({});
    assert.equal(env.HEADERS_TIMEOUT_MS, DEFAULT_HEADERS_TIMEOUT_MS);
    assert.equal(env.HEADERS_TIMEOUT_MS, 20_000);
    assert.equal(env.REQUEST_TIMEOUT_MS, DEFAULT_REQUEST_TIMEOUT_MS);
    assert.equal(env.MAX_CONNECTIONS, DEFAULT_MAX_CONNECTIONS);
    assert.ok(env.HEADERS_TIMEOUT_MS < env.KEEP_ALIVE_TIMEOUT_MS, 'idle keep-alive lasts longer than a header wait');
  });

  it('reads HEADERS_TIMEOUT_MS, REQUEST_TIMEOUT_MS and MAX_CONNECTIONS', () => {
    const env = readEnv({ HEADERS_TIMEOUT_MS: '5000', REQUEST_TIMEOUT_MS: '9000', MAX_CONNECTIONS: '64' });
    assert.deepEqual([env.HEADERS_TIMEOUT_MS, env.REQUEST_TIMEOUT_MS, env.MAX_CONNECTIONS], [5000, 9000, 64]);
  });

  it('refuses a headers timeout longer than the request timeout, naming both', () => {
    assert.throws(() => readEnv({ HEADERS_TIMEOUT_MS: '30000', REQUEST_TIMEOUT_MS: '10000' }), /HEADERS_TIMEOUT_MS: must not exceed REQUEST_TIMEOUT_MS/);
    assert.throws(() => readEnv({ MAX_CONNECTIONS: '0' }), /MAX_CONNECTIONS/);
  });

  it('serves CORS where the app listens itself, not on Lambda (API Gateway does)', () => {
    const env = readEnv({ ALLOWED_ORIGINS: 'https://app.example.com' });
    assert.equal(appOptionsFromEnv(env, 'sse', '0.0.0.0').cors, true);
    assert.equal(appOptionsFromEnv(env, 'json').cors, false);
  });
});
