import { strict as assert } from 'node:assert';
import { deployWith, valueOf, type Deployed } from '../helpers/pulumi';

describe('Lambda target (under mocks)', function () {
  this.timeout(60_000);

  describe('defaults', () => {
    let d: Deployed;
    before(async () => {
      d = await deployWith({ target: 'lambda' });
    });

    it('runs the bundle on Node 22, arm64, with memory and timeout from config', () => {
      const fn = d.one('aws:lambda/function:Function').inputs;
      assert.equal(fn.runtime, 'nodejs22.x');
      assert.deepEqual(fn.architectures, ['arm64']);
      assert.equal(fn.handler, 'index.handler');
      assert.equal(fn.memorySize, 512);
      assert.equal(fn.timeout, 29);
      assert.equal(fn.environment.variables.MCP_RESPONSE_MODE, 'json');
    });

    it('fronts it with an HTTP API using payload format 2.0 and a 30 s integration timeout', () => {
      assert.equal(d.one('aws:apigatewayv2/api:Api').inputs.protocolType, 'HTTP');
      const integration = d.one('aws:apigatewayv2/integration:Integration').inputs;
      assert.equal(integration.integrationType, 'AWS_PROXY');
      assert.equal(integration.payloadFormatVersion, '2.0');
      assert.equal(integration.timeoutMilliseconds, 30_000);
      assert.match(integration.integrationUri, /function:lambda-fn-2b7c9e1\/invocations$/);
    });

    it('routes /mcp (every method) and GET /healthz to the function', () => {
      const routes = d.all('aws:apigatewayv2/route:Route').map((r) => r.inputs.routeKey).sort();
      assert.deepEqual(routes, ['ANY /mcp', 'GET /healthz']);
      for (const r of d.all('aws:apigatewayv2/route:Route')) assert.equal(r.inputs.target, 'integrations/lambda-integration-id');
    });

    it('auto-deploys the $default stage with throttling from config and access logs', () => {
      const stage = d.one('aws:apigatewayv2/stage:Stage').inputs;
      assert.equal(stage.name, '$default');
      assert.equal(stage.autoDeploy, true);
      assert.equal(stage.defaultRouteSettings.throttlingBurstLimit, 100);
      assert.equal(stage.defaultRouteSettings.throttlingRateLimit, 50);
      assert.match(stage.accessLogSettings.destinationArn, /lambda-access-logs/);
    });

    it('lets only this API invoke the function', () => {
      const p = d.one('aws:lambda/permission:Permission').inputs;
      assert.equal(p.action, 'lambda:InvokeFunction');
      assert.equal(p.principal, 'apigateway.amazonaws.com');
      assert.equal(p.sourceArn, 'arn:aws:execute-api:us-east-1:123456789012:lambda-api-id/*/*');
    });

    it('gives the function a role that may only write its own logs', () => {
      assert.deepEqual(JSON.parse(d.one('aws:iam/role:Role').inputs.assumeRolePolicy), {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
      });
      const policy = d.one('aws:iam/rolePolicy:RolePolicy').inputs;
      assert.equal(policy.role, 'lambda-role-id');
      assert.deepEqual(JSON.parse(policy.policy), {
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
            Resource: 'arn:aws:logs:us-east-1:123456789012:log-group:lambda-logs-5d8e1f0:*',
          },
        ],
      });
      assert.equal(d.one('aws:lambda/function:Function').inputs.role, 'arn:aws:iam::123456789012:role/lambda-role-9c4b7a2');
      assert.equal(d.all('aws:iam/rolePolicyAttachment:RolePolicyAttachment').length, 0, 'no managed policies');
    });

    it('logs to its own log group (by the group’s name), and the stage to another, with the configured retention', () => {
      const groups = d.all('aws:cloudwatch/logGroup:LogGroup');
      assert.deepEqual(groups.map((g) => [g.name, g.inputs.retentionInDays]), [
        ['lambda-logs', 30],
        ['lambda-access-logs', 30],
      ]);
      const fn = d.one('aws:lambda/function:Function');
      assert.equal(fn.inputs.loggingConfig.logGroup, 'lambda-logs-5d8e1f0');
      assert.equal(
        d.one('aws:apigatewayv2/stage:Stage').inputs.accessLogSettings.destinationArn,
        'arn:aws:logs:us-east-1:123456789012:log-group:lambda-access-logs-5d8e1f0',
      );
    });

    it('reserves no concurrency unless asked', () => {
      assert.equal(d.one('aws:lambda/function:Function').inputs.reservedConcurrentExecutions, undefined);
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
        assert.equal(d.all(type).length, 0, type);
      }
    });

    it('registers the endpoint in an HTTP namespace of Cloud Map with its URL and how to reach it', async () => {
      assert.equal(d.one('aws:servicediscovery/httpNamespace:HttpNamespace').inputs.name, 'dev.mcp-on-aws.local');
      const service = d.one('aws:servicediscovery/service:Service', 'discovery-cost').inputs;
      assert.equal(service.name, 'mcp-server');
      assert.equal(service.dnsConfig, undefined);
      const instance = d.one('aws:servicediscovery/instance:Instance').inputs;
      assert.equal(instance.serviceId, 'discovery-cost-id');
      // One instance per target, so that a stack moving between targets replaces its own registration.
      assert.equal(instance.instanceId, 'lambda-endpoint');
      assert.deepEqual(instance.attributes, {
        mcp_server: 'cost',
        mcp_primary: 'true',
        mcp_url: 'https://lambda-api-id.execute-api.us-east-1.amazonaws.com/mcp',
        mcp_transport: 'streamable-http',
        mcp_target: 'lambda',
        app_version: '0.1.0',
      });
    });

    it('outputs the target, the MCP and health URLs and the discovery names', async () => {
      assert.equal(d.outputs.target, 'lambda');
      assert.equal(await valueOf(d.outputs.mcpUrl), 'https://lambda-api-id.execute-api.us-east-1.amazonaws.com/mcp');
      assert.equal(await valueOf(d.outputs.healthUrl), 'https://lambda-api-id.execute-api.us-east-1.amazonaws.com/healthz');
      assert.deepEqual(await valueOf(d.outputs.discovery), {
        namespaceName: 'dev.mcp-on-aws.local',
        namespaceId: 'discovery-ns-id',
        serviceName: 'mcp-server',
        serviceId: 'discovery-cost-id',
      });
      assert.equal(d.outputs.functionUrl, undefined);
      assert.match(d.outputs.warnings.join(' '), /No custom domain/);
    });

    it('tags every resource through the provider, with the stack and target', () => {
      const provider = d.one('pulumi:providers:aws').inputs;
      const tags = JSON.parse(provider.defaultTags).tags;
      assert.equal(tags['mcp-on-aws:stack'], 'dev');
      assert.equal(tags['mcp-on-aws:target'], 'lambda');
    });
  });

  describe('with reserved concurrency and no Function URL', () => {
    it('reserves all of it for the one function', async () => {
      const d = await deployWith({ target: 'lambda', lambdaReservedConcurrency: 7, lambdaProvisionedConcurrency: 7 });
      assert.equal(d.one('aws:lambda/function:Function').inputs.reservedConcurrentExecutions, 7);
      assert.equal(d.one('aws:lambda/provisionedConcurrencyConfig:ProvisionedConcurrencyConfig').inputs.provisionedConcurrentExecutions, 7);
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

    it('uses the domain for mcpUrl and the Cloud Map registration', async () => {
      assert.equal(await valueOf(d.outputs.mcpUrl), 'https://mcp.example.com/mcp');
      assert.equal(d.one('aws:servicediscovery/instance:Instance').inputs.attributes.mcp_url, 'https://mcp.example.com/mcp');
      assert.equal(d.outputs.warnings.length, 0);
    });

    it('adds a streaming Function URL on its own function with the long timeout; the API function stays at 30 s', async () => {
      const fns = d.all('aws:lambda/function:Function');
      const api = fns.find((f) => f.inputs.handler === 'index.handler')!.inputs;
      const stream = fns.find((f) => f.inputs.handler === 'index.streamHandler')!.inputs;
      assert.equal(api.timeout, 30);
      assert.equal(stream.timeout, 300);
      assert.equal(stream.memorySize, 1024);
      const url = d.one('aws:lambda/functionUrl:FunctionUrl').inputs;
      assert.equal(url.invokeMode, 'RESPONSE_STREAM');
      assert.equal(url.functionName, 'lambda-stream-fn-2b7c9e1');
      assert.equal(url.authorizationType, 'NONE');
      assert.deepEqual(url.cors.allowOrigins, ['https://app.example.com', 'http://localhost:5173']);
      assert.equal(await valueOf(d.outputs.functionUrl), 'https://x7k2mq4vbn3lpq5rs6tuv7wxyz0abcde.lambda-url.us-east-1.on.aws/mcp');
    });

    it('lets anyone call the Function URL (auth type NONE) and nothing else, with both permissions a public URL needs', () => {
      const byName = Object.fromEntries(d.all('aws:lambda/permission:Permission').map((p) => [p.name, p.inputs]));
      assert.deepEqual(byName['lambda-url-invoke'], {
        action: 'lambda:InvokeFunctionUrl',
        function: 'lambda-stream-fn-2b7c9e1',
        principal: '*',
        functionUrlAuthType: 'NONE',
      });
      assert.deepEqual(byName['lambda-url-invoke-function'], {
        action: 'lambda:InvokeFunction',
        function: 'lambda-stream-fn-2b7c9e1',
        principal: '*',
        invokedViaFunctionUrl: true,
      });
      assert.deepEqual(byName['lambda-invoke'], {
        action: 'lambda:InvokeFunction',
        function: 'lambda-fn-2b7c9e1',
        principal: 'apigateway.amazonaws.com',
        sourceArn: 'arn:aws:execute-api:us-east-1:123456789012:lambda-api-id/*/*',
        qualifier: 'live',
      });
    });

    it('splits lambdaReservedConcurrency between the two functions: together they run at most 5', () => {
      const fns = d.all('aws:lambda/function:Function');
      const api = fns.find((f) => f.inputs.handler === 'index.handler')!.inputs;
      const stream = fns.find((f) => f.inputs.handler === 'index.streamHandler')!.inputs;
      assert.equal(api.reservedConcurrentExecutions, 3);
      assert.equal(stream.reservedConcurrentExecutions, 2);
      assert.ok(api.reservedConcurrentExecutions >= 2, 'the warm instances fit in the API function’s part');
    });

    it('keeps instances warm on a published alias, and routes the API and its permission to that alias', () => {
      const alias = d.one('aws:lambda/alias:Alias').inputs;
      assert.equal(alias.name, 'live');
      assert.equal(alias.functionVersion, '3');
      assert.equal(alias.functionName, 'lambda-fn-2b7c9e1');
      const pc = d.one('aws:lambda/provisionedConcurrencyConfig:ProvisionedConcurrencyConfig').inputs;
      assert.equal(pc.qualifier, 'live');
      assert.equal(pc.functionName, 'lambda-fn-2b7c9e1');
      assert.equal(pc.provisionedConcurrentExecutions, 2);
      assert.match(d.one('aws:apigatewayv2/integration:Integration').inputs.integrationUri, /function:lambda-fn-2b7c9e1:live\/invocations$/);
      const apiPermission = d.all('aws:lambda/permission:Permission').find((p) => p.inputs.principal === 'apigateway.amazonaws.com')!;
      assert.equal(apiPermission.inputs.qualifier, 'live');
    });

    it('configures CORS for MCP headers on the API, and passes the origins to the app', () => {
      const cors = d.one('aws:apigatewayv2/api:Api').inputs.corsConfiguration;
      assert.deepEqual(cors.allowOrigins, ['https://app.example.com', 'http://localhost:5173']);
      assert.ok(cors.allowHeaders.includes('mcp-protocol-version'));
      assert.ok(cors.exposeHeaders.includes('mcp-session-id'));
      for (const f of d.all('aws:lambda/function:Function')) {
        assert.equal(f.inputs.environment.variables.ALLOWED_ORIGINS, 'https://app.example.com,http://localhost:5173');
      }
    });

    it('applies the retention and the tags from config', () => {
      for (const g of d.all('aws:cloudwatch/logGroup:LogGroup')) assert.equal(g.inputs.retentionInDays, 90);
      const tags = JSON.parse(d.one('pulumi:providers:aws').inputs.defaultTags).tags;
      assert.equal(tags.team, 'platform');
      assert.equal(tags['cost-center'], '42');
    });
  });
});
