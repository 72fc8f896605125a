import { strict as assert } from 'node:assert';
import { CONFIG_KEYS, ConfigError, parseConfig, primaryLeftOutWarning, workloadSettings, type KnownNames } from '../config';
import { deploy, readStackConfig } from '../program';
import { deployWith, setConfig } from './helpers/pulumi';
import { registered } from './setup';

function problems(raw: Record<string, string>, known?: KnownNames): string[] {
  try {
    parseConfig(raw, known);
  } catch (err) {
    assert.ok(err instanceof ConfigError);
    return err.problems;
  }
  assert.fail(`expected ${JSON.stringify(raw)} to be refused`);
}

const SECRET = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:db';
const KMS_KEY = 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';

describe('stack configuration', () => {
  it('defaults to the Lambda target with documented defaults', () => {
    const c = parseConfig({});
    assert.equal(c.target, 'lambda');
    assert.equal(c.lambdaMemoryMb, 512);
    assert.equal(c.lambdaTimeoutSeconds, 29);
    assert.equal(c.logRetentionDays, 30);
    assert.equal(c.discoveryService, 'mcp-server');
    assert.equal(c.idleTimeoutSeconds, 300);
    assert.deepEqual(c.tags, []);
  });

  it('reads numbers, booleans and lists as Pulumi config stores them (strings)', () => {
    const c = parseConfig({ lambdaMemoryMb: '2048', lambdaFunctionUrl: 'true', lambdaTimeoutSeconds: '120', tags: '["team=ml"]' });
    assert.equal(c.lambdaMemoryMb, 2048);
    assert.equal(c.lambdaFunctionUrl, true);
    assert.equal(c.lambdaTimeoutSeconds, 120);
    assert.deepEqual(c.tags, ['team=ml']);
  });

  const bad: Array<[string, Record<string, string>, RegExp]> = [
    ['an unknown target', { target: 'ec2' }, /^target: must be one of: lambda, fargate, eks \(got "ec2"\)/],
    ['Lambda memory under 128 MB', { lambdaMemoryMb: '64' }, /^lambdaMemoryMb: must be a whole number from 128 to 10240/],
    ['Lambda memory over 10240 MB', { lambdaMemoryMb: '20000' }, /^lambdaMemoryMb: must be a whole number from 128 to 10240/],
    ['a fractional memory size', { lambdaMemoryMb: '512.5' }, /^lambdaMemoryMb: must be a whole number/],
    ['a timeout over HTTP API’s 30 s without a Function URL', { lambdaTimeoutSeconds: '60' }, /^lambdaTimeoutSeconds: must be at most 30 .*lambdaFunctionUrl/],
    ['a timeout over Lambda’s 900 s', { lambdaTimeoutSeconds: '901', lambdaFunctionUrl: 'true' }, /^lambdaTimeoutSeconds: must be a whole number from 1 to 900/],
    ['a boolean that is not one', { lambdaFunctionUrl: 'yes' }, /^lambdaFunctionUrl: must be true or false/],
    ['a domain without its hosted zone', { domainName: 'mcp.example.com' }, /^hostedZoneId: is required when domainName is set/],
    ['a hosted zone without a domain', { hostedZoneId: 'Z0123456789ABCDEFGHIJ' }, /^domainName: is required when hostedZoneId is set/],
    ['a malformed domain', { domainName: 'https://mcp.example.com', hostedZoneId: 'Z0123456789ABCDEFGHIJ' }, /^domainName: must be a fully qualified domain name/],
    ['a retention CloudWatch does not offer', { logRetentionDays: '10' }, /^logRetentionDays: must be one of: 1, 3, 5, 7, 14, 30/],
    ['a tag without a value', { tags: '["team"]' }, /^tags\[0\]: items must look like Key=Value/],
    ['tags that are not a list', { tags: 'team=ml' }, /^tags: must be a list/],
    ['a CPU size Fargate does not have', { fargateCpu: '300' }, /^fargateCpu: must be one of: 256, 512, 1024/],
    ['memory that does not fit the CPU size', { fargateCpu: '256', fargateMemoryMb: '4096' }, /^fargateMemoryMb: with fargateCpu 256 must be one of: 512, 1024, 2048/],
    ['a minimum over the maximum', { minCount: '5', maxCount: '3' }, /^minCount: must not exceed maxCount \(3\)/],
    ['a desired count outside min and max', { desiredCount: '20' }, /^desiredCount: must be from 2 to 10/],
    ['a NAT strategy that does not exist', { natGateways: 'none' }, /^natGateways: must be one of: single, onePerAz/],
    ['an admin that is not an IAM ARN', { eksAdminPrincipals: '["alice"]' }, /^eksAdminPrincipals\[0\]: items must be IAM role or user ARNs/],
    ['a secret that is not a Secrets Manager ARN', { containerSecrets: '["API_KEY=abc"]' }, /^containerSecrets\[0\]: items must look like NAME=arn:aws:secretsmanager/],
    ['a secret with a JSON key on a partial ARN', { containerSecrets: `["DB=${SECRET}:password::"]` }, /^containerSecrets\[0\]: with a JSON key or version, give the secret’s full ARN/],
    ['a secret with a truncated JSON-key suffix', { containerSecrets: `["DB=${SECRET}-AbCdEf:password:"]` }, /^containerSecrets\[0\]: items must look like NAME=arn:aws:secretsmanager/],
    ['a secret with an environment name ECS cannot set', { containerSecrets: `["API-KEY=${SECRET}"]` }, /^containerSecrets\[0\]: items must look like NAME=/],
    ['a KMS key that is not a key ARN', { containerSecrets: `["DB=${SECRET}"]`, containerSecretsKmsKeyArns: '["alias/secrets"]' }, /^containerSecretsKmsKeyArns\[0\]: items must be KMS key ARNs/],
    ['KMS keys without secrets', { containerSecretsKmsKeyArns: `["${KMS_KEY}"]` }, /^containerSecretsKmsKeyArns: is only used to read containerSecrets/],
    ['an auth mode that does not exist', { auth: 'local' }, /^auth: must be one of: cognito, oidc, none/],
    ['oidc without its issuer', { auth: 'oidc', oidcTokenUrl: 'https://id.example.com/token', oidcAgentClientSecretArn: `${SECRET}` }, /^oidcIssuer: is required with auth oidc/],
    ['an http issuer', { auth: 'oidc', oidcIssuer: 'http://id.example.com', oidcTokenUrl: 'https://id.example.com/token', oidcAgentClientSecretArn: `${SECRET}` }, /^oidcIssuer: must be an https URL/],
    ['an oidc setting with cognito', { oidcIssuer: 'https://id.example.com' }, /^oidcIssuer: is only used with auth oidc \(auth is cognito\)/],
    ['a Cognito setting with auth none', { auth: 'none', authRegistration: 'shared' }, /^authRegistration: is only used with auth cognito \(auth is none\)/],
    ['a callback over http off localhost', { authCallbackUrls: '["http://127.0.0.1:3334/cb"]' }, /^authCallbackUrls\[0\]: items must be https URLs, or http:\/\/localhost/],
    ['tokens valid too long', { authAccessTokenMinutes: '2000' }, /^authAccessTokenMinutes: /],
    ['more warm instances than reserved', { lambdaReservedConcurrency: '4', lambdaProvisionedConcurrency: '5' }, /^lambdaProvisionedConcurrency: must not exceed lambdaReservedConcurrency \(4\)/],
    [
      'more warm instances than the HTTP API function’s part of the reservation',
      { lambdaFunctionUrl: 'true', lambdaReservedConcurrency: '5', lambdaProvisionedConcurrency: '4' },
      /^lambdaProvisionedConcurrency: must not exceed 3, the HTTP API function’s part of lambdaReservedConcurrency \(5/,
    ],
    ['a reservation of 1 split between two functions', { lambdaFunctionUrl: 'true', lambdaReservedConcurrency: '1' }, /^lambdaReservedConcurrency: must be at least 2 with lambdaFunctionUrl/],
    ['a desired count under the minimum', { minCount: '3', desiredCount: '2', maxCount: '5' }, /^desiredCount: must be from 3 to 5 \(minCount to maxCount\)/],
    ['an EKS minimum over the EKS maximum', { eksMinReplicas: '5', eksMaxReplicas: '3', eksReplicas: '4' }, /^eksMinReplicas: must not exceed eksMaxReplicas \(3\)/],
    ['EKS replicas under the EKS minimum', { eksMinReplicas: '3', eksReplicas: '2' }, /^eksReplicas: must be from 3 to 10 \(eksMinReplicas to eksMaxReplicas\)/],
    ['EKS replicas over the EKS maximum', { eksMaxReplicas: '4', eksReplicas: '5' }, /^eksReplicas: must be from 2 to 4/],
    ['a malformed hosted zone id', { domainName: 'mcp.example.com', hostedZoneId: 'example.com' }, /^hostedZoneId: must be a Route53 hosted zone id/],
    ['an origin with a path', { allowedOrigins: '["https://app.example.com", "https://b.example.com/app"]' }, /^allowedOrigins\[1\]: items must be origins/],
    ['an origin without a scheme', { allowedOrigins: '["app.example.com"]' }, /^allowedOrigins\[0\]: items must be origins/],
    ['a service name that is not a DNS label', { discoveryService: 'MCP_server' }, /^discoveryService: must be a DNS label/],
    ['a service name starting with a hyphen', { discoveryService: '-mcp' }, /^discoveryService: must be a DNS label/],
    ['a namespace that is not a DNS name', { discoveryNamespace: 'dev mcp' }, /^discoveryNamespace: must be a DNS name/],
    ['an idle timeout over the ALB’s 4000 s', { idleTimeoutSeconds: '4001' }, /^idleTimeoutSeconds: must be a whole number from 1 to 4000/],
    ['a misspelt key', { lambdaMemory: '1024' }, /^lambdaMemory: is not a setting of this program/],
    ['a throttle rate that is not a number', { throttleRateLimit: 'fast' }, /^throttleRateLimit: must be a whole number from 1 to 10000/],
  ];
  for (const [what, raw, expected] of bad) {
    it(`refuses ${what}, naming the key and what it allows`, () => {
      const found = problems(raw);
      assert.equal(found.length, 1, found.join('\n'));
      assert.match(found[0]!, expected);
    });
  }

  const good: Array<[string, Record<string, string>, Partial<Record<string, unknown>>]> = [
    ['cognito by default', {}, { auth: 'cognito', authRegistration: 'off', authAccessTokenMinutes: 60 }],
    [
      'oidc with its issuer, token endpoint and the agent\'s secret',
      { auth: 'oidc', oidcIssuer: 'https://id.example.com/t1', oidcTokenUrl: 'https://id.example.com/t1/token', oidcAgentClientSecretArn: SECRET },
      { auth: 'oidc', oidcIssuer: 'https://id.example.com/t1', oidcAgentClientSecretArn: SECRET },
    ],
    ['min = desired = max tasks', { minCount: '3', desiredCount: '3', maxCount: '3' }, { minCount: 3, desiredCount: 3, maxCount: 3 }],
    ['min = replicas = max pods', { eksMinReplicas: '4', eksReplicas: '4', eksMaxReplicas: '4' }, { eksMinReplicas: 4, eksReplicas: 4, eksMaxReplicas: 4 }],
    ['as many warm instances as reserved', { lambdaReservedConcurrency: '4', lambdaProvisionedConcurrency: '4' }, { lambdaReservedConcurrency: 4, lambdaProvisionedConcurrency: 4 }],
    [
      'warm instances up to the HTTP API function’s part',
      { lambdaFunctionUrl: 'true', lambdaReservedConcurrency: '5', lambdaProvisionedConcurrency: '3' },
      { lambdaReservedConcurrency: 5, lambdaProvisionedConcurrency: 3 },
    ],
    ['the longest idle timeout', { idleTimeoutSeconds: '4000' }, { idleTimeoutSeconds: 4000 }],
    [
      'secrets by full ARN with a JSON key, by partial ARN, and their KMS key',
      { containerSecrets: `["DB=${SECRET}-AbCdEf:password::", "TOKEN=${SECRET}/token"]`, containerSecretsKmsKeyArns: `["${KMS_KEY}"]` },
      { containerSecrets: [`DB=${SECRET}-AbCdEf:password::`, `TOKEN=${SECRET}/token`], containerSecretsKmsKeyArns: [KMS_KEY] },
    ],
    [
      'several origins',
      { allowedOrigins: '["https://app.example.com", "http://localhost:5173"]' },
      { allowedOrigins: ['https://app.example.com', 'http://localhost:5173'] },
    ],
  ];
  for (const [what, raw, expected] of good) {
    it(`accepts ${what}`, () => {
      const c = parseConfig(raw) as Record<string, unknown>;
      for (const [key, value] of Object.entries(expected)) assert.deepEqual(c[key], value, key);
    });
  }

  it('lists every problem in one message', () => {
    try {
      parseConfig({ target: 'ec2', lambdaMemoryMb: '64', domainName: 'mcp.example.com', logRetentionDays: '10', bogus: '1' });
      assert.fail('expected a ConfigError');
    } catch (err) {
      assert.ok(err instanceof ConfigError);
      assert.equal(err.problems.length, 5);
      for (const key of ['target', 'lambdaMemoryMb', 'hostedZoneId', 'logRetentionDays', 'bogus']) {
        assert.match(err.message, new RegExp(`- ${key}: `));
      }
      assert.match(err.message, /^Invalid stack configuration \(5 problems\)/);
    }
  });

  it('fails before any resource is registered', async () => {
    setConfig({ target: 'lambda', lambdaMemoryMb: '1', domainName: 'mcp.example.com' });
    registered.length = 0;
    assert.throws(() => deploy(readStackConfig()), ConfigError);
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(registered.length, 0);
  });

  it('reads only this project’s keys from the stack', () => {
    setConfig({ target: 'fargate' });
    assert.equal(readStackConfig().target, 'fargate');
    assert.ok(CONFIG_KEYS.includes('target'));
  });
});

describe('servers and serverOverrides', () => {
  /** Folders passed in, so that the checks read the list they are given, not the disk. */
  const folders: KnownNames = { servers: ['cost', 'text', 'web'] };
  const only = (raw: Record<string, string>, known?: KnownNames): string => {
    const found = problems(raw, known);
    assert.equal(found.length, 1, found.join('\n'));
    return found[0]!;
  };

  it('deploys every folder when servers is unset, and the listed ones when set', () => {
    assert.equal(parseConfig({}, folders).servers, undefined);
    assert.deepEqual(parseConfig({ servers: '["web", "cost"]' }, folders).servers, ['web', 'cost']);
  });

  it('checks servers against the folders of app/servers/ by default', () => {
    assert.match(only({ servers: '["web"]' }), /^servers\[0\]: "web" is not a server folder \(app\/servers\/: cost, text\)/);
  });

  const bad: Array<[string, Record<string, string>, RegExp]> = [
    ['a server that is not a folder', { servers: '["cost", "txt"]' }, /^servers\[1\]: "txt" is not a server folder \(app\/servers\/: cost, text, web\)/],
    ['a server listed twice', { servers: '["text", "cost", "text"]' }, /^servers\[2\]: text is listed twice \(also servers\[0\]\); list each server once/],
    ['an empty server list', { servers: '[]' }, /^servers: must list at least one server \(folders: cost, text, web\); leave it unset to deploy every folder/],
    ['servers that are not a list', { servers: 'cost' }, /^servers: must be a list/],
    [
      'an override of an unknown workload',
      { serverOverrides: '["db.lambdaMemoryMb=1024"]' },
      /^serverOverrides\[0\]: db: is neither a server nor the agent \(workloads: cost, text, web, agent\)/,
    ],
    [
      'an override of a server that is not deployed',
      { servers: '["cost"]', serverOverrides: '["text.lambdaMemoryMb=1024"]' },
      /^serverOverrides\[0\]: text: is not deployed \(servers: cost\); add it to servers or remove this item/,
    ],
    [
      'an override of an unknown setting',
      { serverOverrides: '["text.lambdaMemory=1024"]' },
      /^serverOverrides\[0\]: text\.lambdaMemory: is not a setting a workload may override; settings: lambdaMemoryMb, lambdaTimeoutSeconds, .*eksMemoryMb$/,
    ],
    [
      'an override of a stack-wide setting',
      { serverOverrides: '["text.target=fargate"]' },
      /^serverOverrides\[0\]: text\.target: is not a setting a workload may override \(it is set for the whole stack\); settings: lambdaMemoryMb/,
    ],
    [
      'an override whose value the setting refuses',
      { serverOverrides: '["cost.lambdaMemoryMb=1024", "text.lambdaMemoryMb=64"]' },
      /^serverOverrides\[1\]: text\.lambdaMemoryMb: must be a whole number from 128 to 10240 \(got "64"\)$/,
    ],
    ['an override that is not a boolean', { serverOverrides: '["text.lambdaFunctionUrl=yes"]' }, /^serverOverrides\[0\]: text\.lambdaFunctionUrl: must be true or false \(got "yes"\)/],
    ['a Fargate CPU size that does not exist', { serverOverrides: '["web.fargateCpu=300"]' }, /^serverOverrides\[0\]: web\.fargateCpu: must be one of: 256, 512, 1024/],
    [
      'an override without a workload',
      { serverOverrides: '["text.maxCount=20", "lambdaMemoryMb=1024"]' },
      /^serverOverrides\[1\]: items must look like <workload>.<setting>=<value>, e.g. text.lambdaMemoryMb=1024 \(got "lambdaMemoryMb=1024"\)$/,
    ],
    ['a setting overridden twice', { serverOverrides: '["text.maxCount=20", "text.maxCount=30"]' }, /^serverOverrides\[1\]: text\.maxCount: is already set by serverOverrides\[0\]; set it once/],
    [
      'a server size that breaks a rule with the stack’s sizes',
      { fargateCpu: '1024', fargateMemoryMb: '4096', serverOverrides: '["cost.maxCount=20", "text.fargateCpu=256", "text.lambdaMemoryMb=1024"]' },
      /^serverOverrides\[1\]: text\.fargateMemoryMb: with fargateCpu 256 must be one of: 512, 1024, 2048/,
    ],
    [
      'counts that break a rule once the later item applies',
      { serverOverrides: '["web.maxCount=3", "web.minCount=5"]' },
      /^serverOverrides\[1\]: web\.minCount: must not exceed maxCount \(3\)/,
    ],
    [
      'a reservation too small for a server’s own Function URL',
      { lambdaReservedConcurrency: '1', serverOverrides: '["text.lambdaFunctionUrl=true"]' },
      /^serverOverrides\[0\]: text\.lambdaReservedConcurrency: must be at least 2 with lambdaFunctionUrl/,
    ],
    [
      'a Function URL for the agent',
      { serverOverrides: '["agent.lambdaFunctionUrl=true"]' },
      /^serverOverrides\[0\]: agent\.lambdaFunctionUrl: may not be overridden: the agent has no Function URL.*\(the agent's settings: lambdaMemoryMb, lambdaTimeoutSeconds, lambdaReservedConcurrency, fargateCpu, fargateMemoryMb, desiredCount, eksReplicas, eksCpuMillicores, eksMemoryMb\)/,
    ],
    ['warm instances for the agent', { serverOverrides: '["agent.lambdaProvisionedConcurrency=1"]' }, /^serverOverrides\[0\]: agent\.lambdaProvisionedConcurrency: may not be overridden/],
    ['autoscaling for the agent', { serverOverrides: '["agent.maxCount=3"]' }, /^serverOverrides\[0\]: agent\.maxCount: may not be overridden: the agent does not autoscale: it runs agent\.desiredCount tasks/],
    [
      'an agent timeout over HTTP API’s 30 s, without advice the agent cannot take',
      { serverOverrides: '["agent.lambdaTimeoutSeconds=60"]' },
      /^serverOverrides\[0\]: agent\.lambdaTimeoutSeconds: must be at most 30 \(API Gateway HTTP API's limit\)$/,
    ],
    [
      'a server timeout over HTTP API’s 30 s, pointing to its Function URL',
      { serverOverrides: '["text.lambdaTimeoutSeconds=60"]' },
      /^serverOverrides\[0\]: text\.lambdaTimeoutSeconds: must be at most 30 \(API Gateway HTTP API's limit\); set lambdaFunctionUrl to true/,
    ],
    [
      'an agent size that breaks a rule with the agent’s own sizes',
      { serverOverrides: '["agent.fargateCpu=1024"]' },
      /^serverOverrides\[0\]: agent\.fargateMemoryMb: with fargateCpu 1024 must be one of: 2048/,
    ],
  ];
  for (const [what, raw, expected] of bad) {
    it(`refuses ${what}, naming the item and what it allows`, () => {
      assert.match(only(raw, folders), expected);
    });
  }

  it('reports what the stack’s own sizes break once, under the stack’s key, not again for each override', () => {
    assert.match(
      only({ fargateCpu: '256', fargateMemoryMb: '4096', serverOverrides: '["text.lambdaMemoryMb=1024", "agent.lambdaMemoryMb=256"]' }, folders),
      /^fargateMemoryMb: with fargateCpu 256 must be one of/,
    );
  });

  it('checks overrides against every folder when servers is bad, so that one typo is one problem', () => {
    assert.match(only({ servers: '["cots"]', serverOverrides: '["cost.maxCount=20"]' }, folders), /^servers\[0\]: "cots" is not a server folder/);
  });

  it('gives an override to its workload only', () => {
    const c = parseConfig({ serverOverrides: '["text.lambdaMemoryMb=1024", "text.fargateCpu=1024", "text.fargateMemoryMb=4096", "cost.maxCount=20"]' }, folders);
    const text = workloadSettings(c, 'text');
    assert.deepEqual([text.lambdaMemoryMb, text.fargateCpu, text.fargateMemoryMb, text.maxCount], [1024, 1024, 4096, 10]);
    const cost = workloadSettings(c, 'cost');
    assert.deepEqual([cost.lambdaMemoryMb, cost.fargateCpu, cost.fargateMemoryMb, cost.maxCount], [512, 512, 1024, 20]);
    const web = workloadSettings(c, 'web');
    assert.deepEqual([web.lambdaMemoryMb, web.fargateCpu, web.fargateMemoryMb, web.maxCount], [512, 512, 1024, 10]);
    const agent = workloadSettings(c, 'agent');
    assert.deepEqual([agent.lambdaMemoryMb, agent.fargateCpu, agent.fargateMemoryMb, agent.maxCount], [512, 256, 512, 1]);
  });

  it('gives the agent its own sizes, whatever the stack’s, and not the servers’ reservation', () => {
    const c = parseConfig(
      { lambdaMemoryMb: '2048', lambdaReservedConcurrency: '10', fargateCpu: '1024', fargateMemoryMb: '2048', minCount: '3', desiredCount: '4', maxCount: '20', eksCpuMillicores: '500' },
      folders,
    );
    assert.deepEqual(workloadSettings(c, 'agent'), {
      lambdaMemoryMb: 512,
      lambdaTimeoutSeconds: 30,
      lambdaFunctionUrl: false,
      lambdaProvisionedConcurrency: 0,
      lambdaReservedConcurrency: undefined,
      fargateCpu: 256,
      fargateMemoryMb: 512,
      desiredCount: 1,
      minCount: 1,
      maxCount: 1,
      cpuTargetPercent: 60,
      requestsPerTarget: 1000,
      eksReplicas: 1,
      eksMinReplicas: 1,
      eksMaxReplicas: 1,
      eksCpuMillicores: 100,
      eksMemoryMb: 384,
    });
    const server = workloadSettings(c, 'cost');
    assert.deepEqual([server.lambdaMemoryMb, server.lambdaReservedConcurrency, server.fargateCpu, server.desiredCount, server.eksCpuMillicores], [2048, 10, 1024, 4, 500]);
  });

  it('gives the agent its overrides, its count fixed at the one it is given', () => {
    const c = parseConfig({ serverOverrides: '["agent.fargateCpu=512", "agent.fargateMemoryMb=2048", "agent.desiredCount=2", "agent.eksReplicas=3", "agent.lambdaReservedConcurrency=5"]' }, folders);
    const agent = workloadSettings(c, 'agent');
    assert.deepEqual(
      [agent.fargateCpu, agent.fargateMemoryMb, agent.desiredCount, agent.minCount, agent.maxCount, agent.eksReplicas, agent.eksMinReplicas, agent.eksMaxReplicas, agent.lambdaReservedConcurrency],
      [512, 2048, 2, 2, 2, 3, 3, 3, 5],
    );
    const text = workloadSettings(c, 'text');
    assert.deepEqual([text.fargateCpu, text.desiredCount, text.lambdaReservedConcurrency], [512, 2, undefined]);
  });

  it('refuses, from a configuration that was not checked, a bad override of the workload asked for only', () => {
    const c = { ...parseConfig({}, folders), serverOverrides: ['text.lambdaMemoryMb=64'] };
    assert.throws(() => workloadSettings(c, 'text'), (err: unknown) => err instanceof ConfigError && /^serverOverrides\[0\]: text\.lambdaMemoryMb: must be a whole number/.test(err.problems[0]!));
    assert.equal(workloadSettings(c, 'cost').lambdaMemoryMb, 512);
  });

  describe('the warning when servers leaves out the primary server', () => {
    it('says which server /mcp serves instead', () => {
      assert.equal(primaryLeftOutWarning('cost', ['text', 'web'], 'text'), "servers leaves out cost, the primary server: /mcp now serves text, and text's Cloud Map service takes the discoveryService name (the service is replaced)");
    });
    it('says nothing when the primary server is deployed, or when no folder says primary', () => {
      assert.equal(primaryLeftOutWarning('cost', ['cost', 'text'], 'cost'), undefined);
      assert.equal(primaryLeftOutWarning(undefined, ['text'], 'text'), undefined);
    });
  });

  describe('under mocks', function () {
    this.timeout(60_000);
    const services = (d: Awaited<ReturnType<typeof deployWith>>) =>
      d.all('aws:servicediscovery/service:Service').map((s) => `${s.name} ${s.inputs.name}`);

    it('registers only the listed servers in Cloud Map, and warns that /mcp moved', async () => {
      const d = await deployWith({ servers: ['text'] });
      assert.deepEqual(services(d), ['discovery-text mcp-server']);
      assert.ok(
        d.outputs.warnings.includes(
          "servers leaves out cost, the primary server: /mcp now serves text, and text's Cloud Map service takes the discoveryService name (the service is replaced)",
        ),
        d.outputs.warnings.join('\n'),
      );
    });

    it('refuses a discoveryService that another server’s Cloud Map service has, before creating anything', async () => {
      await assert.rejects(deployWith({ discoveryService: 'text' }), /discoveryService: "text" is server text's Cloud Map service; the primary server \(cost\) needs a name/);
      assert.deepEqual(registered, []);
      const d = await deployWith({ discoveryService: 'cost' });
      assert.deepEqual(services(d).sort(), ['discovery-cost cost', 'discovery-text text']);
    });

    it('keeps the primary server’s service and says nothing when it is listed', async () => {
      const d = await deployWith({ servers: ['cost'] });
      assert.deepEqual(services(d), ['discovery-cost mcp-server']);
      assert.ok(!d.outputs.warnings.some((w) => w.startsWith('servers leaves out')), d.outputs.warnings.join('\n'));
    });
  });
});
