import { strict as assert } from 'node:assert';
import { CONFIG_KEYS, ConfigError, parseConfig } from '../config';
import { deploy, readStackConfig } from '../program';
import { setConfig } from './helpers/pulumi';
import { registered } from './setup';

function problems(raw: Record<string, string>): string[] {
  try {
    parseConfig(raw);
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
