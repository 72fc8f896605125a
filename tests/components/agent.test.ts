import { strict as assert } from 'node:assert';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { Service } from 'kubernetes-models/v1/Service';
import { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import { bedrockModelArns, POD_IDENTITY_ANNOTATION } from '../../components/agent';
import { dependenciesOf } from '../helpers/dependencies';
import { deployWith, valueOf, type Deployed } from '../helpers/pulumi';

const MODEL = 'us.anthropic.claude-sonnet-4-5-20250929-v1:0';

/** The agent's own policy with MODEL, whole, on every target: discovery in the stack's namespace, and the model. */
const AGENT_POLICY = {
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Allow',
      Action: ['servicediscovery:DiscoverInstances'],
      Resource: '*',
      Condition: { StringEquals: { 'servicediscovery:NamespaceName': 'dev.mcp-on-aws.local' } },
    },
    {
      Effect: 'Allow',
      Action: ['bedrock:InvokeModel'],
      Resource: [`arn:aws:bedrock:us-east-1:123456789012:inference-profile/${MODEL}`, 'arn:aws:bedrock:*::foundation-model/anthropic.claude-sonnet-4-5-20250929-v1:0'],
    },
  ],
};

/** Every statement of the agent's own permissions (not the log-writing ones). */
function agentStatements(d: Deployed): any[] {
  return d
    .agent('aws:iam/rolePolicy:RolePolicy')
    .map((p) => JSON.parse(p.inputs.policy))
    .flatMap((p) => p.Statement)
    .filter((s: any) => !s.Action.every((a: string) => a.startsWith('logs:')));
}

function assertAgentPermissions(d: Deployed, withModel: boolean) {
  const statements = agentStatements(d);
  const actions = statements.flatMap((s) => s.Action).sort();
  assert.deepEqual(actions, withModel ? ['bedrock:InvokeModel', 'servicediscovery:DiscoverInstances'] : ['servicediscovery:DiscoverInstances']);
  const discover = statements.find((s) => s.Action.includes('servicediscovery:DiscoverInstances'));
  assert.deepEqual(discover.Condition, { StringEquals: { 'servicediscovery:NamespaceName': 'dev.mcp-on-aws.local' } });
  if (withModel) {
    const invoke = statements.find((s) => s.Action.includes('bedrock:InvokeModel'));
    assert.deepEqual(invoke.Resource, [
      `arn:aws:bedrock:us-east-1:123456789012:inference-profile/${MODEL}`,
      'arn:aws:bedrock:*::foundation-model/anthropic.claude-sonnet-4-5-20250929-v1:0',
    ]);
  }
}

describe('agent deployment (under mocks)', function () {
  this.timeout(60_000);

  it('limits Bedrock to the model: a foundation model, or an inference profile and the models it routes to', () => {
    assert.deepEqual(bedrockModelArns('amazon.nova-lite-v1:0', 'us-east-1', '123456789012'), [
      'arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-lite-v1:0',
    ]);
    assert.equal(bedrockModelArns('eu.amazon.nova-lite-v1:0', 'eu-west-1', '123456789012').length, 2);
  });

  describe('on EKS', () => {
    let d: Deployed;
    before(async () => {
      d = await deployWith({ target: 'eks', agentModelId: MODEL });
    });

    it('runs a schema-valid Deployment, Service and ServiceAccount in the app’s namespace', () => {
      const dep = d.agent('kubernetes:apps/v1:Deployment')[0]!.inputs;
      assert.doesNotThrow(() => new Deployment(dep).validate());
      assert.doesNotThrow(() => new Service(d.agent('kubernetes:core/v1:Service')[0]!.inputs).validate());
      assert.doesNotThrow(() => new ServiceAccount(d.agent('kubernetes:core/v1:ServiceAccount')[0]!.inputs).validate());
      assert.equal(dep.metadata.namespace, 'mcp');
      const c = dep.spec.template.spec.containers[0];
      assert.deepEqual(c.command, ['node', 'agent.js']);
      assert.equal(c.securityContext.readOnlyRootFilesystem, true);
      assert.equal(dep.spec.template.spec.serviceAccountName, 'agent');
      // Its Host check accepts the names of its ClusterIP Service, and loopback names (kubectl port-forward).
      const env = Object.fromEntries(c.env.map((e: any) => [e.name, e.value]));
      assert.equal(env.ALLOWED_HOSTS, 'agent,agent.mcp,agent.mcp.svc,agent.mcp.svc.cluster.local,localhost,127.0.0.1,[::1]');
      assert.equal(d.agent('kubernetes:core/v1:Service')[0]!.inputs.metadata.name, 'agent');
    });

    it('gets its permissions through Pod Identity, limited as on the other targets', async () => {
      const assoc = d.agent('aws:eks/podIdentityAssociation:PodIdentityAssociation')[0]!;
      assert.equal(assoc.inputs.namespace, 'mcp');
      assert.equal(assoc.inputs.serviceAccount, 'agent');
      assert.equal(assoc.inputs.clusterName, 'mcp-on-aws-dev');
      const roles = d.agent('aws:iam/role:Role');
      assert.equal(roles.length, 1);
      assert.equal(assoc.inputs.roleArn, roles[0]!.state.arn);
      assert.deepEqual(JSON.parse(roles[0]!.inputs.assumeRolePolicy), {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { Service: 'pods.eks.amazonaws.com' }, Action: ['sts:AssumeRole', 'sts:TagSession'] }],
      });
      // The role's one policy, whole; no managed policy is attached.
      const policies = d.agent('aws:iam/rolePolicy:RolePolicy');
      assert.deepEqual(policies.map((p) => p.inputs.role), ['agent-role-id'], 'the id of the role above');
      assert.deepEqual(JSON.parse(policies[0]!.inputs.policy), AGENT_POLICY);
      assert.deepEqual(d.agent('aws:iam/rolePolicyAttachment:RolePolicyAttachment'), []);
      assertAgentPermissions(d, true);
      assert.equal(await valueOf(d.outputs.agentUrl), 'http://agent.mcp.svc.cluster.local');
    });

    it('starts its pods only once the Pod Identity association exists, so that EKS gives them credentials', () => {
      const waits = dependenciesOf('kubernetes:apps/v1:Deployment', 'agent-deployment').all;
      assert.ok(waits.includes('aws:eks/podIdentityAssociation:PodIdentityAssociation agent-identity'), waits.join(', '));
      assert.ok(waits.includes('kubernetes:core/v1:ServiceAccount agent-sa'), waits.join(', '));
    });

    it('replaces its pods when the association or its role changes', () => {
      const assoc = d.agent('aws:eks/podIdentityAssociation:PodIdentityAssociation')[0]!.state;
      const role = d.agent('aws:iam/role:Role')[0]!.state;
      const template = d.agent('kubernetes:apps/v1:Deployment')[0]!.inputs.spec.template;
      assert.equal(template.metadata.annotations[POD_IDENTITY_ANNOTATION], `${assoc.associationId} ${role.arn}`);
      assert.match(assoc.associationId, /^a-/, 'the id EKS gives the association');
    });

    it('tells the SDK its Region, which Auto Mode nodes do not serve through instance metadata', () => {
      const c = d.agent('kubernetes:apps/v1:Deployment')[0]!.inputs.spec.template.spec.containers[0];
      const env = Object.fromEntries(c.env.map((e: any) => [e.name, e.value]));
      assert.equal(env.AWS_REGION, 'us-east-1');
    });
  });
});
