// The setting `auth` on every target (under mocks): what each mode creates, what it gives the servers and
// the agent, and what `auth: none` says.
import { strict as assert } from 'node:assert';
import { AUTH_NONE_WARNING } from '../../program';
import { deployWith, valueOf, type Deployed } from '../helpers/pulumi';

const envOf = (list: { name: string; value: string }[]) => Object.fromEntries(list.map((e) => [e.name, e.value]));

/** Every workload's environment, by resource name. */
function environments(d: Deployed, target: string): Record<string, Record<string, string>> {
  // The workloads' (the synthetic check is a client of theirs: its environment is checked with the observability).
  const all = (type: string) => d.resources.filter((r) => r.type === type && !r.name.startsWith('observability-'));
  if (target === 'lambda') return Object.fromEntries(all('aws:lambda/function:Function').map((f) => [f.name, f.inputs.environment.variables]));
  if (target === 'fargate') {
    return Object.fromEntries(all('aws:ecs/taskDefinition:TaskDefinition').map((t) => [t.name, envOf(JSON.parse(t.inputs.containerDefinitions)[0].environment)]));
  }
  return Object.fromEntries(all('kubernetes:apps/v1:Deployment').map((x) => [x.name, envOf(x.inputs.spec.template.spec.containers[0].env)]));
}

const SECRET = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:agent-creds-AbCdEf';
const WELL_KNOWN = /\.well-known|oauth/;

describe('the auth setting (under mocks)', function () {
  this.timeout(120_000);

  for (const target of ['lambda', 'fargate', 'eks']) {
    describe(target, () => {
      it('cognito (the default): every workload checks tokens, the well-known paths are routed, no warning about it', async () => {
        const d = await deployWith({ target });
        for (const [name, env] of Object.entries(environments(d, target))) assert.equal(env.MCP_AUTH, 'cognito', name);
        assert.ok(!d.outputs.warnings.includes(AUTH_NONE_WARNING));
        const auth = (await valueOf(d.outputs.auth as never)) as any;
        assert.equal(auth.mode, 'cognito');
        assert.match(auth.tokenUrl, /^https:\/\/mcp-[0-9a-f]{12}\.auth\.us-east-1\.amazoncognito\.com\/oauth2\/token$/);
        assert.deepEqual(auth.scopes, { cost: 'mcp-on-aws-dev/cost', text: 'mcp-on-aws-dev/text', agent: 'mcp-on-aws-dev/agent' });
        // Managed login for the public client; only administrators create users.
        assert.equal(d.one('aws:cognito/managedLoginBranding:ManagedLoginBranding').inputs.clientId, `${d.all('aws:cognito/userPoolClient:UserPoolClient').find((c) => !c.inputs.generateSecret)!.name}-id`);
        assert.equal(d.one('aws:cognito/userPool:UserPool').inputs.adminCreateUserConfig.allowAdminCreateUserOnly, true);
        assert.equal(d.one('aws:cognito/userPoolDomain:UserPoolDomain').inputs.managedLoginVersion, 2);
      });

      it('none: nothing of Cognito, no token checked, no well-known route, and the warnings output says so', async () => {
        const d = await deployWith({ target, auth: 'none' });
        // No secret but the request-state key, which every stack has.
        assert.deepEqual(d.resources.filter((r) => r.type.startsWith('aws:cognito/') || (r.type.startsWith('aws:secretsmanager/') && r.name !== 'request-state-key')).map((r) => r.type), []);
        for (const [name, env] of Object.entries(environments(d, target))) {
          assert.equal(env.MCP_AUTH ?? 'none', 'none', name);
          assert.equal(env.MCP_AUTH_CLIENT_SECRET_ARN, undefined, name);
        }
        assert.ok(d.outputs.warnings.includes(AUTH_NONE_WARNING), d.outputs.warnings.join('\n'));
        const routed = JSON.stringify(
          d.resources.filter((r) => ['aws:apigatewayv2/route:Route', 'aws:lb/listenerRule:ListenerRule', 'kubernetes:networking.k8s.io/v1:Ingress'].includes(r.type)).map((r) => r.inputs),
        );
        assert.doesNotMatch(routed, WELL_KNOWN);
        for (const i of d.all('aws:servicediscovery/instance:Instance')) assert.equal(i.inputs.attributes.mcp_auth, 'none');
      });

      it('oidc: the servers check the given issuer and accept their front-door URLs as audience; the agent reads the given secret', async () => {
        const d = await deployWith({
          target,
          auth: 'oidc',
          oidcIssuer: 'https://login.example.com/tenant',
          oidcTokenUrl: 'https://login.example.com/tenant/oauth/token',
          oidcAgentClientSecretArn: SECRET,
          oidcAudience: 'api://mcp',
          oidcScopePrefix: 'mcp',
        });
        assert.deepEqual(d.resources.filter((r) => r.type.startsWith('aws:cognito/')), []);
        const envs = environments(d, target);
        const mcpUrl = String(await valueOf(d.outputs.mcpUrl));
        const base = mcpUrl.replace(/\/mcp$/, '');
        const server = Object.entries(envs).find(([name]) => name.includes('cost') && !name.includes('stream'))![1];
        assert.equal(server.MCP_AUTH, 'oidc');
        assert.equal(server.MCP_AUTH_ISSUER, 'https://login.example.com/tenant');
        assert.equal(server.MCP_AUTH_SCOPE_PREFIX, 'mcp');
        assert.deepEqual(server.MCP_AUTH_AUDIENCES!.split(','), [`${base}/cost/mcp`, `${base}/mcp`, 'api://mcp']);
        const agent = Object.entries(envs).find(([name]) => name.startsWith('agent'))![1];
        assert.equal(agent.MCP_AUTH_CLIENT_SECRET_ARN, SECRET);
        assert.equal(agent.MCP_AUTH_TOKEN_URL, 'https://login.example.com/tenant/oauth/token');
        const policies = JSON.stringify(d.agent('aws:iam/rolePolicy:RolePolicy').map((p) => JSON.parse(p.inputs.policy)));
        assert.match(policies, new RegExp(`"Action":\\["secretsmanager:GetSecretValue"\\],"Resource":"${SECRET}"`));
        for (const i of d.all('aws:servicediscovery/instance:Instance')) assert.equal(i.inputs.attributes.mcp_auth_scope, `mcp/${i.inputs.attributes.mcp_server}`);
      });
    });
  }
});
