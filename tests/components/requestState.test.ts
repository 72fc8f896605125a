import { strict as assert } from 'node:assert';
import { ENV } from '../../app/contract';
import { MIN_REQUEST_STATE_KEY_BYTES } from '../../app/mcp/input';
import { deployWith, type Deployed } from '../helpers/pulumi';
import type { Registered } from '../setup';
import { REQUEST_STATE_SECRET_ARN } from '../fixtures/agentPolicy';

const SECRET = 'aws:secretsmanager/secret:Secret';
const VERSION = 'aws:secretsmanager/secretVersion:SecretVersion';
// How the Pulumi runtime marks a secret value it sends to the engine.
const { specialSigKey: SECRET_SIG, specialSecretSig: SECRET_SIG_VALUE } = require('@pulumi/pulumi/runtime/rpc') as { specialSigKey: string; specialSecretSig: string };

/** Each workload's environment (server or agent; the synthetic check's too), as the target gives it. */
function environments(d: Deployed): { name: string; env: Record<string, string> }[] {
  const out: { name: string; env: Record<string, string> }[] = [];
  for (const r of d.resources) {
    if (r.type === 'aws:lambda/function:Function') out.push({ name: r.name, env: r.inputs.environment?.variables ?? {} });
    if (r.type === 'aws:ecs/taskDefinition:TaskDefinition') {
      const [app] = JSON.parse(r.inputs.containerDefinitions) as { environment: { name: string; value: string }[] }[];
      out.push({ name: r.name, env: Object.fromEntries(app!.environment.map((e) => [e.name, e.value])) });
    }
    if (r.type === 'kubernetes:apps/v1:Deployment') {
      const [app] = r.inputs.spec.template.spec.containers as { env: { name: string; value: string }[] }[];
      out.push({ name: r.name, env: Object.fromEntries(app!.env.map((e) => [e.name, e.value])) });
    }
  }
  return out;
}

describe('the request-state secret (under mocks)', function () {
  this.timeout(60_000);

  for (const target of ['lambda', 'fargate', 'eks'] as const) {
    it(`${target}: one secret per stack, with a key long enough; every server is given its ARN, nothing else is`, async () => {
      const d = await deployWith({ target });
      const secrets = d.resources.filter((r) => r.type === SECRET && r.name === 'request-state-key');
      assert.equal(secrets.length, 1);
      assert.equal(secrets[0]!.state.arn, REQUEST_STATE_SECRET_ARN);
      const version: Registered = d.resources.find((r) => r.type === VERSION && r.name === 'request-state-key')!;
      assert.equal(version.inputs.secretId, 'request-state-key-id', "the mocks' id of the secret");
      // A secret to Pulumi (encrypted in the stack's state, never shown), as the engine is sent one.
      const value = version.inputs.secretString as { [SECRET_SIG]: string; value: string };
      assert.equal(value[SECRET_SIG], SECRET_SIG_VALUE, 'a Pulumi secret');
      assert.ok(Buffer.byteLength(value.value) >= 2 * MIN_REQUEST_STATE_KEY_BYTES, 'twice the bytes a server key needs');
      // The value a later run makes is not the one the servers sign with: the first stays.
      assert.deepEqual(version.opts.ignoreChanges, ['secretString']);

      const envs = environments(d);
      const servers = envs.filter((e) => e.env[ENV.server]);
      assert.deepEqual(servers.map((e) => e.env[ENV.server]).sort(), ['cost', 'text']);
      for (const s of servers) assert.equal(s.env[ENV.requestStateSecret], REQUEST_STATE_SECRET_ARN, s.name);
      const others = envs.filter((e) => !e.env[ENV.server]);
      assert.ok(others.length >= 1, 'the agent');
      for (const o of others) assert.equal(o.env[ENV.requestStateSecret], undefined, o.name);
    });
  }
});
