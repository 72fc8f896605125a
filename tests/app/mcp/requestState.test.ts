// The request-state key of multi-round-trip calls: the same on every instance of a server (from the
// stack's secret, or MCP_REQUEST_STATE_KEY), different between servers, and a clear failure when the
// secret cannot be read.
import assert from 'node:assert/strict';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { createApp } from '../../../app/createApp';
import { ENV } from '../../../app/contract';
import { deriveRequestStateKey, requestStateCodec, RequestStateKeyError, resetRequestStateCodec } from '../../../app/mcp/input';
import { forgetSecrets } from '../../../app/secrets';
import { listen, post, rpcBody, silentLogger, type Running } from '../../helpers/http';
import { captureLog } from '../logCapture';
import { envelope, MODERN } from '../modernWire';
import { notes } from './notes';

const ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:request-state-AbCdEf';
const SECRET = 'S3cr3tValueOfTheStack0123456789abcdefghijklmnopqrstuvwxyzABCDEF';
const OTHER_SECRET = 'AnotherStacksSecret0123456789abcdefghijklmnopqrstuvwxyzABCDEFGH';
const KEY = 'k'.repeat(32);
const noCtx = {} as never;

const sm = mockClient(SecretsManagerClient);
const client = () => new SecretsManagerClient({ region: 'us-east-1' });
const denied = () => Object.assign(new Error('User is not authorized to perform: secretsmanager:GetSecretValue'), { name: 'AccessDeniedException' });

/** A process that has read nothing yet: another Lambda execution environment, task or pod. */
function newInstance(): void {
  resetRequestStateCodec();
  forgetSecrets();
}

describe('the request-state key', () => {
  beforeEach(() => {
    sm.reset();
    newInstance();
  });
  after(() => {
    sm.restore();
    newInstance();
  });

  describe('from the stack’s secret', () => {
    const env = { [ENV.requestStateSecret]: ARN };

    it('is read on first use, not before, once for every server of the process, and never logged', async () => {
      sm.on(GetSecretValueCommand, { SecretId: ARN }).resolves({ SecretString: SECRET });
      const log = captureLog();
      const a = requestStateCodec('a', env, { client: client(), logger: log.logger });
      const b = requestStateCodec('b', env, { client: client(), logger: log.logger });
      assert.equal(sm.commandCalls(GetSecretValueCommand).length, 0, 'read before any state was minted');
      const state = await a.mint({ id: '2' });
      assert.deepEqual(await a.verify(await b.mint({ id: '3' }).then(() => state), noCtx), { id: '2' });
      await b.verify(await b.mint({ id: '4' }), noCtx);
      assert.equal(sm.commandCalls(GetSecretValueCommand).length, 1);
      assert.ok(!log.raw.some((line) => line.includes(SECRET)));
    });

    it('gives each server its own key: a state one server minted, another refuses', async () => {
      sm.on(GetSecretValueCommand, { SecretId: ARN }).resolves({ SecretString: SECRET });
      const root = new Uint8Array(Buffer.from(SECRET));
      assert.notDeepEqual(deriveRequestStateKey(root, 'a'), deriveRequestStateKey(root, 'b'));
      const state = await requestStateCodec('a', env, { client: client() }).mint({ id: '2' });
      await assert.rejects(requestStateCodec('b', env, { client: client() }).verify(state, noCtx));
      assert.deepEqual(await requestStateCodec('a', env, { client: client() }).verify(state, noCtx), { id: '2' });
    });

    it('is the same on another instance with the same secret: it accepts the state this one minted', async () => {
      sm.on(GetSecretValueCommand, { SecretId: ARN }).resolves({ SecretString: SECRET });
      const state = await requestStateCodec('a', env, { client: client() }).mint({ id: '2' });
      newInstance();
      assert.deepEqual(await requestStateCodec('a', env, { client: client() }).verify(state, noCtx), { id: '2' });
      // And it is the secret that makes it so: another stack's secret refuses it.
      newInstance();
      sm.on(GetSecretValueCommand, { SecretId: ARN }).resolves({ SecretString: OTHER_SECRET });
      await assert.rejects(requestStateCodec('a', env, { client: client() }).verify(state, noCtx));
    });

    it('when it cannot be read: minting fails saying why (no key of the process), the log says why, and the next call reads again', async () => {
      sm.on(GetSecretValueCommand, { SecretId: ARN }).rejectsOnce(denied()).resolves({ SecretString: SECRET });
      const log = captureLog();
      const codec = requestStateCodec('a', env, { client: client(), logger: log.logger });
      await assert.rejects(codec.mint({ id: '2' }), (err: Error) => {
        assert.ok(err instanceof RequestStateKeyError, String(err));
        assert.match(err.message, /request-state key is unavailable: could not read secret arn:aws:secretsmanager:\S+ \(AccessDeniedException: User is not authorized/);
        return true;
      });
      const line = log.lines.find((l) => l.level === 50);
      assert.ok(line, JSON.stringify(log.lines));
      assert.equal(line.secretArn, ARN);
      assert.match(line.msg, /AccessDeniedException/);
      assert.ok(!log.lines.some((l) => /signed with a key of this process/.test(l.msg)));
      const state = await codec.mint({ id: '2' });
      assert.deepEqual(await codec.verify(state, noCtx), { id: '2' });
      assert.equal(sm.commandCalls(GetSecretValueCommand).length, 2);
    });

    it('refuses a secret shorter than 32 bytes', async () => {
      sm.on(GetSecretValueCommand).resolves({ SecretString: 'short' });
      await assert.rejects(requestStateCodec('a', env, { client: client() }).mint({}), /holds 5 bytes, fewer than 32/);
    });
  });

  describe('from MCP_REQUEST_STATE_KEY', () => {
    it('wins over the secret: the secret is not read', async () => {
      sm.on(GetSecretValueCommand).resolves({ SecretString: SECRET });
      const state = await requestStateCodec('a', { [ENV.requestStateKey]: KEY, [ENV.requestStateSecret]: ARN }, { client: client() }).mint({ id: '2' });
      newInstance();
      assert.deepEqual(await requestStateCodec('a', { [ENV.requestStateKey]: KEY }).verify(state, noCtx), { id: '2' });
      assert.equal(sm.commandCalls(GetSecretValueCommand).length, 0);
    });

    it('is the same on another instance', async () => {
      const state = await requestStateCodec('a', { [ENV.requestStateKey]: KEY }).mint({ id: '2' });
      newInstance();
      assert.deepEqual(await requestStateCodec('a', { [ENV.requestStateKey]: KEY }).verify(state, noCtx), { id: '2' });
    });

    it('refuses a key shorter than 32 bytes, naming the variable', () => {
      assert.throws(() => requestStateCodec('a', { [ENV.requestStateKey]: 'short' }), /MCP_REQUEST_STATE_KEY must be at least 32 bytes \(got 5\)/);
    });
  });

  it('with neither, each instance has its own key, and refuses state another minted', async () => {
    const log = captureLog();
    const state = await requestStateCodec('a', {}, { logger: log.logger }).mint({ id: '2' });
    assert.ok(log.lines.some((l) => /signed with a key of this process only/.test(l.msg)));
    newInstance();
    await assert.rejects(requestStateCodec('a', {}, { logger: silentLogger }).verify(state, noCtx));
  });

  describe('served (2026-07-28 tools/call on 127.0.0.1)', () => {
    let running: Running;
    const saved = { arn: process.env[ENV.requestStateSecret], key: process.env[ENV.requestStateKey] };
    before(async () => {
      process.env[ENV.requestStateSecret] = ARN;
      delete process.env[ENV.requestStateKey];
      running = await listen(createApp({ name: 'notes', definition: notes }, { responseMode: 'sse', logger: silentLogger }));
    });
    after(async () => {
      await running.close();
      for (const [name, value] of [
        [ENV.requestStateSecret, saved.arn],
        [ENV.requestStateKey, saved.key],
      ] as const) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    });

    const call = async (id: number, params: Record<string, unknown> = {}) =>
      rpcBody(
        await post(
          `${running.url}/mcp`,
          {
            jsonrpc: '2.0',
            id,
            method: 'tools/call',
            params: {
              name: 'delete',
              arguments: { id: '2' },
              ...params,
              _meta: { ...envelope(), 'io.modelcontextprotocol/clientCapabilities': { elicitation: { form: {} } } },
            },
          },
          { 'mcp-protocol-version': MODERN, 'mcp-method': 'tools/call', 'mcp-name': 'delete' },
        ),
      );
    const answer = { inputResponses: { confirm: { action: 'accept', content: { ok: true } } } };

    it('a round trip whose next request reaches another instance with the same secret completes', async () => {
      sm.on(GetSecretValueCommand, { SecretId: ARN }).resolves({ SecretString: SECRET });
      const first = await call(1);
      assert.equal(first.result.resultType, 'input_required', JSON.stringify(first));
      newInstance();
      const second = await call(2, { ...answer, requestState: first.result.requestState });
      assert.deepEqual(second.result.content, [{ type: 'text', text: 'deleted 2' }], JSON.stringify(second));
    });

    it('when the secret cannot be read, a call that needs state fails with a tool error saying why, and the server keeps serving', async () => {
      sm.on(GetSecretValueCommand).rejects(denied());
      const failed = await call(1);
      assert.equal(failed.result?.isError, true, JSON.stringify(failed));
      assert.match(failed.result.content[0].text, /request-state key is unavailable: could not read secret .*AccessDeniedException/);
      sm.reset();
      sm.on(GetSecretValueCommand, { SecretId: ARN }).resolves({ SecretString: SECRET });
      const first = await call(2);
      assert.equal(first.result.resultType, 'input_required', JSON.stringify(first));
    });

    it('when the secret cannot be read, a returning call fails with a tool error saying why, not as tampered state (-32602)', async () => {
      sm.on(GetSecretValueCommand, { SecretId: ARN }).resolves({ SecretString: SECRET });
      const first = await call(1);
      newInstance();
      sm.reset();
      sm.on(GetSecretValueCommand).rejects(denied());
      const second = await call(2, { ...answer, requestState: first.result.requestState });
      assert.equal(second.error, undefined, JSON.stringify(second));
      assert.equal(second.result?.isError, true, JSON.stringify(second));
      assert.match(second.result.content[0].text, /request-state key is unavailable/);
      assert.doesNotMatch(JSON.stringify(second), /deleted/);
    });
  });
});
