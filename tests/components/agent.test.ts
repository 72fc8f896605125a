import { strict as assert } from 'node:assert';
import { bedrockModelArns } from '../../components/agent';
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

  describe('on Lambda', () => {
    let d: Deployed;
    before(async () => {
      d = await deployWith({ target: 'lambda', agentModelId: MODEL });
    });

    it('runs the agent bundle on its own function, discovering through the stack’s namespace', () => {
      const fn = d.agent('aws:lambda/function:Function')[0]!.inputs;
      assert.equal(fn.runtime, 'nodejs22.x');
      assert.equal(fn.handler, 'index.handler');
      assert.deepEqual(fn.architectures, ['arm64']);
      assert.equal(fn.environment.variables.CLOUD_MAP_NAMESPACE, 'dev.mcp-on-aws.local');
      assert.equal(fn.environment.variables.CLOUD_MAP_SERVICE, 'mcp-server');
      assert.equal(fn.environment.variables.BEDROCK_MODEL_ID, MODEL);
      // Behind API Gateway the Host is the API's domain: any Host, the Origin check stays.
      assert.equal(fn.environment.variables.ALLOWED_HOSTS, '*');
      assert.equal(fn.environment.variables.ALLOWED_ORIGINS, undefined);
    });

    it('allows only DiscoverInstances on the namespace and InvokeModel on the configured model', () => {
      assertAgentPermissions(d, true);
    });

    it('gives the function a role with exactly its own log group and the agent’s permissions', () => {
      const byName = Object.fromEntries(d.agent('aws:iam/rolePolicy:RolePolicy').map((p) => [p.name, p.inputs] as [string, any]));
      assert.deepEqual(Object.keys(byName).sort(), ['agent-agent', 'agent-logs']);
      assert.equal(byName['agent-logs'].role, 'agent-role-id');
      assert.equal(byName['agent-agent'].role, 'agent-role-id');
      assert.deepEqual(JSON.parse(byName['agent-logs'].policy), {
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
            Resource: 'arn:aws:logs:us-east-1:123456789012:log-group:agent-logs-5d8e1f0:*',
          },
        ],
      });
      assert.deepEqual(JSON.parse(byName['agent-agent'].policy), AGENT_POLICY);
      const fn = d.agent('aws:lambda/function:Function')[0]!.inputs;
      assert.equal(fn.role, 'arn:aws:iam::123456789012:role/agent-role-9c4b7a2');
      assert.equal(fn.loggingConfig.logGroup, 'agent-logs-5d8e1f0');
    });

    it('lets only its own API invoke it', () => {
      assert.deepEqual(d.agent('aws:lambda/permission:Permission')[0]!.inputs, {
        action: 'lambda:InvokeFunction',
        function: 'agent-fn-2b7c9e1',
        principal: 'apigateway.amazonaws.com',
        sourceArn: 'arn:aws:execute-api:us-east-1:123456789012:agent-api-id/*/*',
      });
    });

    it('serves it on its own HTTP API, behind IAM authorization, and outputs its URL', async () => {
      const route = d.agent('aws:apigatewayv2/route:Route')[0]!.inputs;
      assert.equal(route.authorizationType, 'AWS_IAM');
      assert.equal(d.agent('aws:apigatewayv2/integration:Integration')[0]!.inputs.payloadFormatVersion, '2.0');
      assert.equal(await valueOf(d.outputs.agentUrl), 'https://agent-api-id.execute-api.us-east-1.amazonaws.com');
    });
  });

  describe('on Fargate', () => {
    let d: Deployed;
    before(async () => {
      d = await deployWith({ target: 'fargate' });
    });

    it('runs the same image with the agent’s command, as its own service in the private subnets', () => {
      const c = JSON.parse(d.agent('aws:ecs/taskDefinition:TaskDefinition')[0]!.inputs.containerDefinitions)[0];
      assert.deepEqual(c.command, ['node', 'agent.js']);
      assert.match(c.image, /image-repo@sha256:/);
      assert.equal(c.readonlyRootFilesystem, true);
      const env = Object.fromEntries(c.environment.map((e: any) => [e.name, e.value]));
      assert.equal(env.CLOUD_MAP_NAMESPACE, 'dev.mcp-on-aws.local');
      assert.equal(env.BEDROCK_MODEL_ID, undefined);
      // Its Host check accepts the name the VPC reaches it by (agentUrl), and loopback names.
      assert.equal(env.ALLOWED_HOSTS, 'agent.internal.dev.mcp-on-aws.local,localhost,127.0.0.1,[::1]');
      assert.equal(env.HOST, '0.0.0.0');
      const svc = d.agent('aws:ecs/service:Service')[0]!.inputs;
      assert.equal(svc.networkConfiguration.assignPublicIp, false);
      assert.equal(svc.cluster, 'arn:aws:ecs:us-east-1:123456789012:fargate-cluster');
    });

    it('lets the shared execution role write the agent’s log group, and the agent’s task role discover only', () => {
      const byName = Object.fromEntries(d.agent('aws:iam/rolePolicy:RolePolicy').map((p) => [p.name, p.inputs] as [string, any]));
      assert.deepEqual(Object.keys(byName).sort(), ['agent-execution-logs', 'agent-task']);
      assert.equal(byName['agent-execution-logs'].role, 'fargate-execution-9c4b7a2');
      assert.deepEqual(JSON.parse(byName['agent-execution-logs'].policy), {
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
            Resource: 'arn:aws:logs:us-east-1:123456789012:log-group:agent-logs-5d8e1f0:*',
          },
        ],
      });
      assert.equal(byName['agent-task'].role, 'agent-task-id');
      assert.deepEqual(JSON.parse(byName['agent-task'].policy), {
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Action: ['servicediscovery:DiscoverInstances'],
            Resource: '*',
            Condition: { StringEquals: { 'servicediscovery:NamespaceName': 'dev.mcp-on-aws.local' } },
          },
        ],
      });
      const td = d.agent('aws:ecs/taskDefinition:TaskDefinition')[0]!.inputs;
      assert.equal(td.executionRoleArn, 'arn:aws:iam::123456789012:role/fargate-execution-9c4b7a2');
      assert.equal(td.taskRoleArn, 'arn:aws:iam::123456789012:role/agent-task-9c4b7a2');
      const c = JSON.parse(td.containerDefinitions)[0];
      assert.deepEqual(c.logConfiguration.options, { 'awslogs-group': 'agent-logs-5d8e1f0', 'awslogs-region': 'us-east-1', 'awslogs-stream-prefix': 'agent' });
    });

    it('lets the agent out only to the MCP tasks in the VPC and HTTPS', () => {
      assert.deepEqual(d.agent('aws:ec2/securityGroup:SecurityGroup')[0]!.inputs.egress, [
        { protocol: 'tcp', fromPort: 3000, toPort: 3000, cidrBlocks: ['10.0.0.0/16'], description: 'to the MCP tasks' },
        { protocol: 'tcp', fromPort: 443, toPort: 443, cidrBlocks: ['0.0.0.0/0'], description: 'HTTPS: Cloud Map, Bedrock, ECR' },
      ]);
    });

    it('may reach the MCP tasks on their port, which admit it by security group', () => {
      const rule = d.agent('aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule')[0]!.inputs;
      assert.equal(rule.securityGroupId, 'fargate-tasks-id');
      assert.equal(rule.referencedSecurityGroupId, 'agent-sg-id');
      assert.equal(rule.fromPort, 3000);
    });

    it('has no Bedrock permission without a model, and is reachable inside the VPC by its Cloud Map name', async () => {
      assertAgentPermissions(d, false);
      assert.equal(d.agent('aws:servicediscovery/service:Service')[0]!.inputs.name, 'agent');
      assert.equal(await valueOf(d.outputs.agentUrl), 'http://agent.internal.dev.mcp-on-aws.local:3001');
      const ns = d.agent('aws:servicediscovery/privateDnsNamespace:PrivateDnsNamespace')[0]!.inputs;
      assert.equal(ns.name, 'internal.dev.mcp-on-aws.local');
      assert.equal(ns.vpc, 'network-vpc-id');
      const sg = d.agent('aws:ec2/securityGroup:SecurityGroup')[0]!.inputs;
      assert.deepEqual(sg.ingress.map((r: any) => r.cidrBlocks), [['10.0.0.0/16']], 'not open to the internet');
    });
  });
});
