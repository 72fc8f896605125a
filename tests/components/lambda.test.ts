import { strict as assert } from 'node:assert';
import * as pulumi from '@pulumi/pulumi';
import { parseConfig } from '../../config';
import { Discovery } from '../../components/discovery';
import { lambdaTarget } from '../../components/lambdaPlatform';
import { deployOn, type TargetOutputs } from '../../components/targets';
import { agentSpec, serverSpec, type WorkloadSpec } from '../../components/workload';
import { dependenciesOf } from '../helpers/dependencies';
import { deployWith, setConfig, valueOf, type Deployed } from '../helpers/pulumi';
import { registered, type Registered } from '../setup';
import { agentPolicyDocument, MODEL, REQUEST_STATE_READ, XRAY_WRITE } from '../fixtures/agentPolicy';
import { authorization } from '../fixtures/auth';
import { requestState } from '../fixtures/requestState';

// Drains Pulumi's queue of outstanding registrations.
const { waitForRPCs } = require('@pulumi/pulumi/runtime/settings') as { waitForRPCs: () => Promise<void> };

const SERVERS = ['cost', 'text'];
const API = 'https://lambda-api-id.execute-api.us-east-1.amazonaws.com';

/** The resource of `type` named `name`, the agent's included. */
function named(d: { resources: Registered[] }, type: string, name: string): Registered {
  const found = d.resources.filter((r) => r.type === type && r.name === name);
  if (found.length !== 1) throw new Error(`expected one ${type} named ${name}, found ${found.length}`);
  return found[0]!;
}

/** The children of workload component `component` of one type (names `<component>-…`). */
const childrenOf = (d: { resources: Registered[] }, component: string, type: string) =>
  d.resources.filter((r) => r.type === type && r.name.startsWith(`${component}-`));

/**
 * Deploys the Lambda target under mocks from hand-made specs (the stack's, changed by `edit`), as the
 * program would with them: for settings that differ between workloads.
 */
async function deploySpecs(edit: (spec: WorkloadSpec) => WorkloadSpec): Promise<{ resources: Registered[]; outputs: TargetOutputs }> {
  setConfig({ target: 'lambda' });
  registered.length = 0;
  const config = parseConfig({ target: 'lambda' });
  const discovery = new Discovery('discovery', { namespaceName: 'dev.mcp-on-aws.local' });
  const auth = authorization(config);
  const keys = requestState();
  const specs = SERVERS.map((s) => serverSpec(config, s, s === 'cost', discovery.addServer(s, { serviceName: s === 'cost' ? 'mcp-server' : s, primary: s === 'cost' }), auth, keys));
  const outputs = deployOn(lambdaTarget, {
    config,
    opts: {},
    discovery,
    specs: [...specs, agentSpec(config, discovery, auth)].map(edit),
    stack: 'dev',
    project: 'mcp-on-aws',
  });
  await valueOf(pulumi.all([outputs.mcpUrl, outputs.agentUrl, outputs.servers]));
  await waitForRPCs();
  return { resources: [...registered], outputs };
}

describe('Lambda target (under mocks)', function () {
  this.timeout(60_000);

  describe('defaults', () => {
    let d: Deployed;
    before(async () => {
      d = await deployWith({ target: 'lambda' });
    });

    it('builds one platform (one HTTP API and stage) and a workload per server plus the agent', () => {
      const components = (type: string) => d.resources.filter((r) => r.type === type).map((r) => r.name);
      assert.deepEqual(components('mcp-on-aws:index:LambdaPlatform'), ['lambda']);
      assert.deepEqual(components('mcp-on-aws:index:LambdaWorkload').sort(), ['agent', 'lambda-cost', 'lambda-text']);
      assert.deepEqual(d.all('aws:apigatewayv2/api:Api').map((a) => a.name), ['lambda-api']);
      assert.deepEqual(d.all('aws:apigatewayv2/stage:Stage').map((s) => s.name), ['lambda-stage']);
      assert.deepEqual(
        d.all('aws:lambda/function:Function').map((f) => f.name).sort(),
        SERVERS.map((s) => `lambda-${s}-fn`),
      );
    });

    it('runs the bundle on Node 22, arm64, with memory and timeout from config', () => {
      for (const s of SERVERS) {
        const fn = d.one('aws:lambda/function:Function', `lambda-${s}-fn`).inputs;
        assert.equal(fn.runtime, 'nodejs22.x');
        assert.deepEqual(fn.architectures, ['arm64']);
        assert.equal(fn.handler, 'index.handler');
        assert.equal(fn.memorySize, 512);
        assert.equal(fn.timeout, 29);
        assert.equal(fn.environment.variables.MCP_RESPONSE_MODE, 'json');
        assert.equal(fn.environment.variables.NODE_ENV, 'production');
      }
    });

    it('tells each server’s function which server it serves (MCP_SERVER)', () => {
      for (const s of SERVERS) {
        assert.equal(d.one('aws:lambda/function:Function', `lambda-${s}-fn`).inputs.environment.variables.MCP_SERVER, s);
      }
    });

    it('fronts them with an HTTP API using payload format 2.0 and a 30 s integration timeout, an integration per server', () => {
      assert.equal(d.one('aws:apigatewayv2/api:Api').inputs.protocolType, 'HTTP');
      for (const s of SERVERS) {
        const integration = d.one('aws:apigatewayv2/integration:Integration', `lambda-${s}-integration`).inputs;
        assert.equal(integration.apiId, 'lambda-api-id');
        assert.equal(integration.integrationType, 'AWS_PROXY');
        assert.equal(integration.payloadFormatVersion, '2.0');
        assert.equal(integration.timeoutMilliseconds, 30_000);
        assert.match(integration.integrationUri, new RegExp(`function:lambda-${s}-fn-2b7c9e1/invocations$`));
      }
    });

    it('routes /<server>/mcp (every method) and GET /<server>/healthz to that server, and /mcp and /healthz to the primary', () => {
      const routes = d.all('aws:apigatewayv2/route:Route');
      assert.deepEqual(routes.map((r) => r.inputs.routeKey).sort(), [
        'ANY /cost/mcp',
        'ANY /mcp',
        'ANY /text/mcp',
        'GET /.well-known/oauth-authorization-server',
        'GET /.well-known/oauth-protected-resource/cost/mcp',
        'GET /.well-known/oauth-protected-resource/mcp',
        'GET /.well-known/oauth-protected-resource/text/mcp',
        'GET /cost/healthz',
        'GET /healthz',
        'GET /text/healthz',
      ]);
      // Each route's target is the integration of the function that serves its path.
      const integrationOf = (routeKey: string) => routes.find((r) => r.inputs.routeKey === routeKey)!.inputs.target;
      for (const key of [
        'ANY /cost/mcp',
        'GET /cost/healthz',
        'ANY /mcp',
        'GET /healthz',
        'GET /.well-known/oauth-protected-resource/cost/mcp',
        'GET /.well-known/oauth-protected-resource/mcp',
        'GET /.well-known/oauth-authorization-server',
      ]) {
        assert.equal(integrationOf(key), 'integrations/lambda-cost-integration-id', key);
      }
      for (const key of ['ANY /text/mcp', 'GET /text/healthz', 'GET /.well-known/oauth-protected-resource/text/mcp']) assert.equal(integrationOf(key), 'integrations/lambda-text-integration-id', key);
      for (const r of routes) {
        assert.equal(r.inputs.apiId, 'lambda-api-id');
        assert.equal(r.inputs.authorizationType, undefined, `${r.name} is public`);
      }
      // The names of the routes a one-server stack had are kept.
      for (const name of [
        'lambda-cost-route-any-cost-mcp',
        'lambda-cost-route-any-mcp',
        'lambda-cost-route-get-cost-healthz',
        'lambda-cost-route-get-healthz',
        'lambda-text-route-any-text-mcp',
        'lambda-text-route-get-text-healthz',
      ]) {
        assert.ok(routes.some((r) => r.name === name), name);
      }
    });

    it('auto-deploys the $default stage with throttling from config and access logs', () => {
      const stage = d.one('aws:apigatewayv2/stage:Stage').inputs;
      assert.equal(stage.apiId, 'lambda-api-id');
      assert.equal(stage.name, '$default');
      assert.equal(stage.autoDeploy, true);
      assert.equal(stage.defaultRouteSettings.throttlingBurstLimit, 100);
      assert.equal(stage.defaultRouteSettings.throttlingRateLimit, 50);
      assert.match(stage.accessLogSettings.destinationArn, /lambda-access-logs/);
      assert.equal(JSON.parse(stage.accessLogSettings.format).status, '$context.status');
    });

    it('lets only this API invoke each function', () => {
      const permissions = d.all('aws:lambda/permission:Permission');
      assert.deepEqual(permissions.map((p) => p.name).sort(), SERVERS.map((s) => `lambda-${s}-invoke`));
      for (const s of SERVERS) {
        const p = d.one('aws:lambda/permission:Permission', `lambda-${s}-invoke`).inputs;
        assert.equal(p.action, 'lambda:InvokeFunction');
        assert.equal(p.function, `lambda-${s}-fn-2b7c9e1`);
        assert.equal(p.principal, 'apigateway.amazonaws.com');
        assert.equal(p.sourceArn, 'arn:aws:execute-api:us-east-1:123456789012:lambda-api-id/*/*');
      }
    });

    it('gives each function a role that may only write its own logs and its traces, and read the request-state secret', () => {
      for (const s of SERVERS) {
        assert.deepEqual(JSON.parse(d.one('aws:iam/role:Role', `lambda-${s}-role`).inputs.assumeRolePolicy), {
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
        });
        const policies = childrenOf(d, `lambda-${s}`, 'aws:iam/rolePolicy:RolePolicy');
        assert.deepEqual(policies.map((p) => p.name).sort(), [`lambda-${s}-logs`, `lambda-${s}-policy`], 'servers call no AWS API: they write their logs and traces, and read their key');
        assert.deepEqual(JSON.parse(policies.find((p) => p.name === `lambda-${s}-policy`)!.inputs.policy).Statement, [REQUEST_STATE_READ, XRAY_WRITE]);
        const policy = policies.find((p) => p.name === `lambda-${s}-logs`)!.inputs;
        assert.equal(policy.role, `lambda-${s}-role-id`);
        assert.deepEqual(JSON.parse(policy.policy), {
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
              Resource: `arn:aws:logs:us-east-1:123456789012:log-group:lambda-${s}-logs-5d8e1f0:*`,
            },
          ],
        });
        assert.equal(d.one('aws:lambda/function:Function', `lambda-${s}-fn`).inputs.role, `arn:aws:iam::123456789012:role/lambda-${s}-role-9c4b7a2`);
      }
      assert.equal(d.all('aws:iam/rolePolicyAttachment:RolePolicyAttachment').length, 0, 'no managed policies');
    });

    it('logs each function to its own log group (by the group’s name), and the stage to another, with the configured retention', () => {
      const groups = d.all('aws:cloudwatch/logGroup:LogGroup');
      assert.deepEqual(groups.map((g) => [g.name, g.inputs.retentionInDays]).sort(), [
        ['lambda-access-logs', 30],
        ['lambda-cost-logs', 30],
        ['lambda-text-logs', 30],
      ]);
      for (const s of SERVERS) {
        assert.equal(d.one('aws:lambda/function:Function', `lambda-${s}-fn`).inputs.loggingConfig.logGroup, `lambda-${s}-logs-5d8e1f0`);
      }
      assert.equal(
        d.one('aws:apigatewayv2/stage:Stage').inputs.accessLogSettings.destinationArn,
        'arn:aws:logs:us-east-1:123456789012:log-group:lambda-access-logs-5d8e1f0',
      );
    });

    it('reserves no concurrency unless asked', () => {
      for (const f of d.all('aws:lambda/function:Function')) assert.equal(f.inputs.reservedConcurrentExecutions, undefined, f.name);
    });

    it('creates no domain, alias, provisioned concurrency or Function URL by default', () => {
      for (const type of [
        'aws:acm/certificate:Certificate',
        'aws:apigatewayv2/domainName:DomainName',
        'aws:route53/record:Record',
        'aws:lambda/alias:Alias',
        'aws:lambda/provisionedConcurrencyConfig:ProvisionedConcurrencyConfig',
        'aws:lambda/functionUrl:FunctionUrl',
      ]) {
        assert.equal(d.resources.filter((r) => r.type === type).length, 0, type);
      }
    });

    it('registers each server in its own Cloud Map service of an HTTP namespace, with its URL and every attribute', async () => {
      assert.equal(d.one('aws:servicediscovery/httpNamespace:HttpNamespace').inputs.name, 'dev.mcp-on-aws.local');
      const service = d.one('aws:servicediscovery/service:Service', 'discovery-cost').inputs;
      assert.equal(service.name, 'mcp-server');
      assert.equal(service.dnsConfig, undefined);
      assert.equal(d.one('aws:servicediscovery/service:Service', 'discovery-text').inputs.name, 'text');
      const instances = d.all('aws:servicediscovery/instance:Instance');
      assert.deepEqual(instances.map((i) => i.name).sort(), SERVERS.map((s) => `discovery-${s}-lambda-endpoint`));
      for (const s of SERVERS) {
        const instance = d.one('aws:servicediscovery/instance:Instance', `discovery-${s}-lambda-endpoint`).inputs;
        assert.equal(instance.serviceId, `discovery-${s}-id`);
        // One instance per target, so that a stack moving between targets replaces its own registration.
        assert.equal(instance.instanceId, 'lambda-endpoint');
        assert.deepEqual(instance.attributes, {
          mcp_server: s,
          mcp_primary: String(s === 'cost'),
          mcp_url: `${API}/${s}/mcp`,
          mcp_transport: 'streamable-http',
          mcp_target: 'lambda',
          app_version: '0.1.0',
          mcp_auth: 'cognito',
          mcp_auth_scope: `mcp-on-aws-dev/${s}`,
        });
      }
    });

    it('registers a server only once its routes and the stage exist, so that its URL answers', () => {
      for (const s of SERVERS) {
        const waits = dependenciesOf('aws:servicediscovery/instance:Instance', `discovery-${s}-lambda-endpoint`).all;
        assert.ok(waits.includes('aws:apigatewayv2/stage:Stage lambda-stage'), `${s}: ${waits.join(', ')}`);
        for (const r of childrenOf(d, `lambda-${s}`, 'aws:apigatewayv2/route:Route')) {
          assert.ok(waits.includes(`aws:apigatewayv2/route:Route ${r.name}`), `${s}: ${waits.join(', ')}`);
        }
      }
    });

    it('outputs the target, the MCP and health URLs, every server and the discovery names', async () => {
      assert.equal(d.outputs.target, 'lambda');
      assert.equal(await valueOf(d.outputs.mcpUrl), `${API}/mcp`);
      assert.equal(await valueOf(d.outputs.healthUrl), `${API}/healthz`);
      assert.deepEqual(await valueOf(d.outputs.servers), {
        cost: { mcpUrl: `${API}/cost/mcp`, healthUrl: `${API}/cost/healthz`, discoveryService: 'mcp-server', primary: true },
        text: { mcpUrl: `${API}/text/mcp`, healthUrl: `${API}/text/healthz`, discoveryService: 'text', primary: false },
      });
      assert.deepEqual(await valueOf(d.outputs.discovery), {
        namespaceName: 'dev.mcp-on-aws.local',
        namespaceId: 'discovery-ns-id',
        serviceName: 'mcp-server',
        serviceId: 'discovery-cost-id',
      });
      assert.equal(d.outputs.functionUrl, undefined);
      assert.match(d.outputs.warnings.join(' '), /No custom domain: mcpUrl is the API Gateway URL/);
    });

    it('tags every resource through the provider, with the stack and target', () => {
      const provider = d.one('pulumi:providers:aws').inputs;
      const tags = JSON.parse(provider.defaultTags).tags;
      assert.equal(tags['mcp-on-aws:stack'], 'dev');
      assert.equal(tags['mcp-on-aws:target'], 'lambda');
    });
  });

  describe('a setting that differs for one server', () => {
    it('reaches only that server’s function', async () => {
      const d = await deploySpecs((spec) =>
        spec.name === 'text' ? { ...spec, settings: { ...spec.settings, lambdaMemoryMb: 1024, lambdaReservedConcurrency: 3 } } : spec,
      );
      const fn = (name: string) => named(d, 'aws:lambda/function:Function', name).inputs;
      assert.equal(fn('lambda-text-fn').memorySize, 1024);
      assert.equal(fn('lambda-text-fn').reservedConcurrentExecutions, 3);
      for (const other of ['lambda-cost-fn', 'agent-fn']) {
        assert.notEqual(fn(other).memorySize, 1024, other);
        assert.equal(fn(other).reservedConcurrentExecutions, undefined, other);
      }
    });

    it('gives a streaming Function URL only to the server that asks for one, and outputs it for that server', async () => {
      const d = await deploySpecs((spec) => (spec.name === 'text' ? { ...spec, settings: { ...spec.settings, lambdaFunctionUrl: true } } : spec));
      assert.deepEqual(d.resources.filter((r) => r.type === 'aws:lambda/functionUrl:FunctionUrl').map((r) => r.name), ['lambda-text-url']);
      assert.equal(named(d, 'aws:lambda/functionUrl:FunctionUrl', 'lambda-text-url').inputs.functionName, 'lambda-text-stream-fn-2b7c9e1');
      const servers = await valueOf(d.outputs.servers);
      assert.equal(servers.text!.functionUrl, 'https://x7k2mq4vbn3lpq5rs6tuv7wxyz0abcde.lambda-url.us-east-1.on.aws/mcp');
      assert.equal(servers.cost!.functionUrl, undefined);
      assert.equal(d.outputs.functionUrl, undefined, 'the stack’s functionUrl is the primary’s');
    });
  });

  describe('the agent', () => {
    let d: Deployed;
    before(async () => {
      d = await deployWith({ target: 'lambda', agentModelId: MODEL });
    });

    it('runs the agent bundle on its own function, discovering through the stack’s namespace', () => {
      const fn = named(d, 'aws:lambda/function:Function', 'agent-fn').inputs;
      assert.equal(fn.runtime, 'nodejs22.x');
      assert.equal(fn.handler, 'index.handler');
      assert.deepEqual(fn.architectures, ['arm64']);
      assert.equal(fn.memorySize, 512);
      assert.equal(fn.timeout, 30);
      const env = fn.environment.variables;
      assert.equal(env.CLOUD_MAP_NAMESPACE, 'dev.mcp-on-aws.local');
      assert.equal(env.CLOUD_MAP_NAMESPACE_ID, 'discovery-ns-id');
      // It lists every service of the namespace, not one.
      assert.equal(env.CLOUD_MAP_SERVICE, undefined);
      assert.equal(env.BEDROCK_MODEL_ID, MODEL);
      // Each call to a server ends well within the HTTP API's 30 s.
      assert.equal(env.CALL_TIMEOUT_MS, '10000');
      assert.equal(env.NODE_ENV, 'production');
      // Behind API Gateway the Host is the API's domain: any Host, the Origin check stays.
      assert.equal(env.ALLOWED_HOSTS, '*');
      assert.equal(env.ALLOWED_ORIGINS, undefined);
      assert.equal(env.MCP_RESPONSE_MODE, undefined);
      assert.equal(env.MCP_SERVER, undefined);
    });

    it('gives the function a role with exactly its own log group and the agent’s permissions', () => {
      const byName = Object.fromEntries(d.agent('aws:iam/rolePolicy:RolePolicy').map((p) => [p.name, p.inputs] as [string, any]));
      assert.deepEqual(Object.keys(byName).sort(), ['agent-logs', 'agent-policy']);
      assert.equal(byName['agent-logs'].role, 'agent-role-id');
      assert.equal(byName['agent-policy'].role, 'agent-role-id');
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
      // ListServices has no resource-level permissions; everything that returns endpoints stays in the namespace.
      assert.deepEqual(JSON.parse(byName['agent-policy'].policy), agentPolicyDocument(true));
      const fn = named(d, 'aws:lambda/function:Function', 'agent-fn').inputs;
      assert.equal(fn.role, 'arn:aws:iam::123456789012:role/agent-role-9c4b7a2');
      assert.equal(fn.loggingConfig.logGroup, 'agent-logs-5d8e1f0');
      assert.deepEqual(d.agent('aws:iam/rolePolicyAttachment:RolePolicyAttachment'), []);
    });

    it('lets only its own API invoke it', () => {
      assert.deepEqual(d.agent('aws:lambda/permission:Permission').map((p) => p.inputs), [
        {
          action: 'lambda:InvokeFunction',
          function: 'agent-fn-2b7c9e1',
          principal: 'apigateway.amazonaws.com',
          sourceArn: 'arn:aws:execute-api:us-east-1:123456789012:agent-api-id/*/*',
        },
      ]);
    });

    it('serves it on its own HTTP API, behind IAM authorization, and outputs its URL', async () => {
      assert.deepEqual(d.agent('aws:apigatewayv2/api:Api').map((a) => a.name), ['agent-api']);
      const [route] = d.agent('aws:apigatewayv2/route:Route');
      assert.deepEqual(d.agent('aws:apigatewayv2/route:Route').length, 1);
      assert.equal(route!.inputs.routeKey, '$default');
      assert.equal(route!.inputs.authorizationType, 'AWS_IAM');
      assert.equal(route!.inputs.apiId, 'agent-api-id');
      // The route goes to the agent's integration, which invokes the agent's function.
      const integration = named(d, 'aws:apigatewayv2/integration:Integration', 'agent-integration').inputs;
      assert.equal(route!.inputs.target, 'integrations/agent-integration-id');
      assert.equal(integration.apiId, 'agent-api-id');
      assert.equal(integration.payloadFormatVersion, '2.0');
      assert.match(integration.integrationUri, /function:agent-fn-2b7c9e1\/invocations$/);
      const stage = named(d, 'aws:apigatewayv2/stage:Stage', 'agent-stage').inputs;
      assert.equal(stage.apiId, 'agent-api-id');
      assert.equal(stage.name, '$default');
      assert.equal(stage.autoDeploy, true);
      assert.equal(await valueOf(d.outputs.agentUrl), 'https://agent-api-id.execute-api.us-east-1.amazonaws.com');
    });

    it('is not on the front door, and not in Cloud Map', () => {
      const frontDoor = d.resources.filter((r) => r.type === 'aws:apigatewayv2/route:Route' && r.inputs.apiId === 'lambda-api-id');
      assert.equal(frontDoor.length, 10);
      for (const r of frontDoor) assert.doesNotMatch(r.inputs.target, /agent/, r.name);
      assert.ok(!d.resources.some((r) => r.type === 'aws:servicediscovery/instance:Instance' && /agent/.test(r.name)));
    });
  });

  describe('with reserved concurrency and no Function URL', () => {
    it('reserves all of it for each server’s one function, and none for the agent', async () => {
      const d = await deployWith({ target: 'lambda', lambdaReservedConcurrency: 7, lambdaProvisionedConcurrency: 7 });
      for (const s of SERVERS) {
        assert.equal(d.one('aws:lambda/function:Function', `lambda-${s}-fn`).inputs.reservedConcurrentExecutions, 7);
        assert.equal(
          d.one('aws:lambda/provisionedConcurrencyConfig:ProvisionedConcurrencyConfig', `lambda-${s}-warm`).inputs.provisionedConcurrentExecutions,
          7,
        );
      }
      assert.equal(named(d, 'aws:lambda/function:Function', 'agent-fn').inputs.reservedConcurrentExecutions, undefined);
      assert.deepEqual(d.agent('aws:lambda/provisionedConcurrencyConfig:ProvisionedConcurrencyConfig'), []);
    });

    it('refuses more warm instances than reserved, naming both settings, before creating anything', async () => {
      await assert.rejects(
        deployWith({ target: 'lambda', lambdaReservedConcurrency: 2, lambdaProvisionedConcurrency: 3 }),
        /lambdaProvisionedConcurrency: must not exceed lambdaReservedConcurrency \(2\)/,
      );
    });
  });

  describe('with a custom domain, Function URL, provisioned concurrency, CORS and tags', () => {
    let d: Deployed;
    before(async () => {
      d = await deployWith({
        target: 'lambda',
        domainName: 'mcp.example.com',
        hostedZoneId: 'Z0123456789ABCDEFGHIJ',
        lambdaFunctionUrl: true,
        lambdaTimeoutSeconds: 300,
        lambdaMemoryMb: 1024,
        lambdaProvisionedConcurrency: 2,
        lambdaReservedConcurrency: 5,
        allowedOrigins: ['https://app.example.com', 'http://localhost:5173'],
        logRetentionDays: 90,
        tags: ['team=platform', 'cost-center=42'],
      });
    });

    const fnOf = (s: string, handler: string) =>
      childrenOf(d, `lambda-${s}`, 'aws:lambda/function:Function').find((f) => f.inputs.handler === handler)!.inputs;

    it('validates an ACM certificate through Route53 and serves the domain with TLS 1.2 from it', () => {
      const cert = d.one('aws:acm/certificate:Certificate').inputs;
      assert.equal(cert.domainName, 'mcp.example.com');
      assert.equal(cert.validationMethod, 'DNS');
      const validation = d.one('aws:acm/certificateValidation:CertificateValidation').inputs;
      assert.equal(validation.certificateArn, 'arn:aws:acm:us-east-1:123456789012:certificate/domain-cert-requested');
      assert.deepEqual(validation.validationRecordFqdns, ['_a79865eb4cd1a6ab990a45779b4e0b96.mcp.example.com']);
      const record = d.all('aws:route53/record:Record').find((r) => r.name === 'domain-cert-validation')!.inputs;
      assert.deepEqual(record, {
        zoneId: 'Z0123456789ABCDEFGHIJ',
        name: '_a79865eb4cd1a6ab990a45779b4e0b96.mcp.example.com.',
        type: 'CNAME',
        records: ['_424c7224e9b0146f9a8808af955727d0.acm-validations.aws.'],
        ttl: 60,
        allowOverwrite: true,
      });
      const domain = d.one('aws:apigatewayv2/domainName:DomainName').inputs;
      assert.equal(domain.domainName, 'mcp.example.com');
      assert.equal(domain.domainNameConfiguration.endpointType, 'REGIONAL');
      assert.equal(domain.domainNameConfiguration.securityPolicy, 'TLS_1_2');
      // The validated certificate's ARN (from CertificateValidation), so the domain waits for validation.
      assert.equal(domain.domainNameConfiguration.certificateArn, 'arn:aws:acm:us-east-1:123456789012:certificate/domain-cert');
      const mapping = d.one('aws:apigatewayv2/apiMapping:ApiMapping').inputs;
      assert.equal(mapping.apiId, 'lambda-api-id');
      assert.equal(mapping.stage, 'lambda-stage-id');
    });

    it('points an alias A record of the domain at the API domain', () => {
      const records = d.all('aws:route53/record:Record').filter((r) => r.inputs.type === 'A');
      assert.equal(records.length, 1);
      assert.equal(records[0]!.inputs.name, 'mcp.example.com');
      assert.equal(records[0]!.inputs.zoneId, 'Z0123456789ABCDEFGHIJ');
      assert.deepEqual(records[0]!.inputs.aliases, [
        { name: 'd-abc123.execute-api.us-east-1.amazonaws.com', zoneId: 'Z1UJRXOUMOOFQ8', evaluateTargetHealth: true },
      ]);
    });

    it('uses the domain for mcpUrl, each server’s URLs and its Cloud Map registration', async () => {
      assert.equal(await valueOf(d.outputs.mcpUrl), 'https://mcp.example.com/mcp');
      assert.equal(await valueOf(d.outputs.healthUrl), 'https://mcp.example.com/healthz');
      const servers = await valueOf(d.outputs.servers);
      for (const s of SERVERS) {
        assert.equal(servers[s]!.mcpUrl, `https://mcp.example.com/${s}/mcp`);
        assert.equal(servers[s]!.healthUrl, `https://mcp.example.com/${s}/healthz`);
        assert.equal(d.one('aws:servicediscovery/instance:Instance', `discovery-${s}-lambda-endpoint`).inputs.attributes.mcp_url, `https://mcp.example.com/${s}/mcp`);
      }
      assert.equal(d.outputs.warnings.length, 0);
    });

    it('adds a streaming Function URL per server on its own function with the long timeout; the API function stays at 30 s', async () => {
      for (const s of SERVERS) {
        const api = fnOf(s, 'index.handler');
        const stream = fnOf(s, 'index.streamHandler');
        assert.equal(api.timeout, 30);
        assert.equal(stream.timeout, 300);
        assert.equal(stream.memorySize, 1024);
        assert.equal(stream.environment.variables.MCP_SERVER, s);
        const url = d.one('aws:lambda/functionUrl:FunctionUrl', `lambda-${s}-url`).inputs;
        assert.equal(url.invokeMode, 'RESPONSE_STREAM');
        assert.equal(url.functionName, `lambda-${s}-stream-fn-2b7c9e1`);
        assert.equal(url.authorizationType, 'NONE');
        assert.deepEqual(url.cors.allowOrigins, ['https://app.example.com', 'http://localhost:5173']);
        for (const name of ['mcp-protocol-version', 'mcp-method', 'mcp-name']) {
          assert.ok(url.cors.allowHeaders.includes(name), `${name} allowed`);
          assert.ok(url.cors.exposeHeaders.includes(name), `${name} exposed`);
        }
      }
      assert.equal(await valueOf(d.outputs.functionUrl), 'https://x7k2mq4vbn3lpq5rs6tuv7wxyz0abcde.lambda-url.us-east-1.on.aws/mcp');
      const servers = await valueOf(d.outputs.servers);
      for (const s of SERVERS) assert.equal(servers[s]!.functionUrl, 'https://x7k2mq4vbn3lpq5rs6tuv7wxyz0abcde.lambda-url.us-east-1.on.aws/mcp');
      assert.deepEqual(d.agent('aws:lambda/functionUrl:FunctionUrl'), [], 'the agent has no public URL');
    });

    it('lets anyone call the Function URL (auth type NONE) and nothing else, with both permissions a public URL needs', () => {
      const byName = Object.fromEntries(d.all('aws:lambda/permission:Permission').map((p) => [p.name, p.inputs]));
      for (const s of SERVERS) {
        assert.deepEqual(byName[`lambda-${s}-url-invoke`], {
          action: 'lambda:InvokeFunctionUrl',
          function: `lambda-${s}-stream-fn-2b7c9e1`,
          principal: '*',
          functionUrlAuthType: 'NONE',
        });
        assert.deepEqual(byName[`lambda-${s}-url-invoke-function`], {
          action: 'lambda:InvokeFunction',
          function: `lambda-${s}-stream-fn-2b7c9e1`,
          principal: '*',
          invokedViaFunctionUrl: true,
        });
        assert.deepEqual(byName[`lambda-${s}-invoke`], {
          action: 'lambda:InvokeFunction',
          function: `lambda-${s}-fn-2b7c9e1`,
          principal: 'apigateway.amazonaws.com',
          sourceArn: 'arn:aws:execute-api:us-east-1:123456789012:lambda-api-id/*/*',
          qualifier: 'live',
        });
      }
    });

    it('splits lambdaReservedConcurrency between each server’s two functions: together they run at most 5', () => {
      for (const s of SERVERS) {
        const api = fnOf(s, 'index.handler');
        const stream = fnOf(s, 'index.streamHandler');
        assert.equal(api.reservedConcurrentExecutions, 3);
        assert.equal(stream.reservedConcurrentExecutions, 2);
        assert.ok(api.reservedConcurrentExecutions >= 2, 'the warm instances fit in the API function’s part');
      }
    });

    it('keeps instances warm on a published alias, and routes the API and its permission to that alias', () => {
      for (const s of SERVERS) {
        const alias = d.one('aws:lambda/alias:Alias', `lambda-${s}-live`).inputs;
        assert.equal(alias.name, 'live');
        assert.equal(alias.functionVersion, '3');
        assert.equal(alias.functionName, `lambda-${s}-fn-2b7c9e1`);
        const pc = d.one('aws:lambda/provisionedConcurrencyConfig:ProvisionedConcurrencyConfig', `lambda-${s}-warm`).inputs;
        assert.equal(pc.qualifier, 'live');
        assert.equal(pc.functionName, `lambda-${s}-fn-2b7c9e1`);
        assert.equal(pc.provisionedConcurrentExecutions, 2);
        assert.match(
          d.one('aws:apigatewayv2/integration:Integration', `lambda-${s}-integration`).inputs.integrationUri,
          new RegExp(`function:lambda-${s}-fn-2b7c9e1:live/invocations$`),
        );
        assert.equal(d.one('aws:lambda/permission:Permission', `lambda-${s}-invoke`).inputs.qualifier, 'live');
      }
    });

    it('configures CORS for MCP headers on the API, and passes the origins to the servers', () => {
      const cors = d.one('aws:apigatewayv2/api:Api').inputs.corsConfiguration;
      assert.deepEqual(cors.allowOrigins, ['https://app.example.com', 'http://localhost:5173']);
      for (const name of ['mcp-protocol-version', 'mcp-method', 'mcp-name']) {
        assert.ok(cors.allowHeaders.includes(name), `${name} allowed`);
        assert.ok(cors.exposeHeaders.includes(name), `${name} exposed`);
      }
      assert.ok(cors.exposeHeaders.includes('mcp-session-id'));
      for (const f of d.all('aws:lambda/function:Function')) {
        assert.equal(f.inputs.environment.variables.ALLOWED_ORIGINS, 'https://app.example.com,http://localhost:5173');
      }
    });

    it('applies the retention and the tags from config', () => {
      for (const g of d.resources.filter((r) => r.type === 'aws:cloudwatch/logGroup:LogGroup')) assert.equal(g.inputs.retentionInDays, 90, g.name);
      const tags = JSON.parse(d.one('pulumi:providers:aws').inputs.defaultTags).tags;
      assert.equal(tags.team, 'platform');
      assert.equal(tags['cost-center'], '42');
    });
  });
});
