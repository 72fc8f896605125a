import { strict as assert } from 'node:assert';
import { bedrockModelArns } from '../../components/workload';
import { deployWith } from '../helpers/pulumi';
import type { Registered } from '../setup';
import { AGENT_SECRET_ARN, agentStatements, MODEL, REQUEST_STATE_READ, XRAY_WRITE } from '../fixtures/agentPolicy';



/** Every statement of the agent's policies that is not about logs or pulling its image. */
const ownStatements = (policies: Registered[]) =>
  policies
    .flatMap((p) => JSON.parse(p.inputs.policy).Statement)
    .filter((s: { Action: string[] }) => !s.Action.every((a) => a.startsWith('logs:') || a.startsWith('ecr:')));

describe('the agent workload (under mocks)', function () {
  this.timeout(60_000);

  it('limits Bedrock to the model: a foundation model, or an inference profile and the models it routes to', () => {
    assert.deepEqual(bedrockModelArns('amazon.nova-lite-v1:0', 'us-east-1', '123456789012'), [
      'arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-lite-v1:0',
    ]);
    assert.deepEqual(bedrockModelArns('eu.amazon.nova-lite-v1:0', 'eu-west-1', '123456789012'), [
      'arn:aws:bedrock:eu-west-1:123456789012:inference-profile/eu.amazon.nova-lite-v1:0',
      'arn:aws:bedrock:*::foundation-model/amazon.nova-lite-v1:0',
    ]);
  });

  for (const target of ['lambda', 'fargate', 'eks']) {
    it(`${target}: has exactly the same permissions as on every target, and no server has any but reading the request-state secret and writing its traces`, async () => {
      const d = await deployWith({ target, agentModelId: MODEL });
      assert.deepEqual(ownStatements(d.agent('aws:iam/rolePolicy:RolePolicy')), agentStatements(true));
      const servers = d.all('aws:iam/rolePolicy:RolePolicy').filter((p) => !d.agent('aws:iam/rolePolicy:RolePolicy').includes(p));
      assert.deepEqual(ownStatements(servers), [REQUEST_STATE_READ, XRAY_WRITE, REQUEST_STATE_READ, XRAY_WRITE], 'each of the two servers: its key, X-Ray, nothing else');
      const untraced = await deployWith({ target, agentModelId: MODEL, tracing: 'false' });
      assert.deepEqual(ownStatements(untraced.agent('aws:iam/rolePolicy:RolePolicy')), agentStatements(true, AGENT_SECRET_ARN, false));
      const untracedServers = untraced.all('aws:iam/rolePolicy:RolePolicy').filter((p) => !untraced.agent('aws:iam/rolePolicy:RolePolicy').includes(p));
      assert.deepEqual(ownStatements(untracedServers), [REQUEST_STATE_READ, REQUEST_STATE_READ], 'untraced: the key only');
    });

    it(`${target}: without a model, may list and discover only`, async () => {
      const d = await deployWith({ target });
      assert.deepEqual(ownStatements(d.agent('aws:iam/rolePolicy:RolePolicy')), agentStatements(false));
    });
  }
});
