import { strict as assert } from 'node:assert';
import { deployWith, valueOf } from './helpers/pulumi';

const domain = { domainName: 'mcp.example.com', hostedZoneId: 'Z0123456789ABCDEFGHIJ' };

/** Resources that must keep their identity (type and name, hence URN) when a stack changes target. */
const STABLE = [
  'aws:acm/certificate:Certificate',
  'aws:acm/certificateValidation:CertificateValidation',
  'aws:servicediscovery/httpNamespace:HttpNamespace',
  'aws:servicediscovery/service:Service',
];

describe('one stack, three targets (under mocks)', function () {
  this.timeout(60_000);

  it('keeps the URL, the certificate, the alias record and the discovery names when the target changes', async () => {
    const seen: { target: string; mcpUrl: string; stable: string[]; alias: { name: string; aliases: unknown }; discovery: unknown }[] = [];
    for (const target of ['lambda', 'fargate', 'eks']) {
      const d = await deployWith({ target, ...domain });
      const alias = d.all('aws:route53/record:Record').find((r) => r.inputs.type === 'A')!;
      seen.push({
        target,
        mcpUrl: await valueOf(d.outputs.mcpUrl),
        stable: STABLE.flatMap((type) => d.all(type).map((r) => `${type}::${r.name}`)).sort(),
        alias: { name: alias.name, aliases: alias.inputs.aliases },
        discovery: await valueOf(d.outputs.discovery),
      });
    }
    const [lambda, fargate, eks] = seen;
    for (const other of [fargate!, eks!]) {
      assert.equal(other.mcpUrl, lambda!.mcpUrl);
      assert.deepEqual(other.stable, lambda!.stable, `${other.target} keeps the same resources`);
      // The same record resource, updated in place to point at the new target: DNS never loses the name.
      assert.equal(other.alias.name, lambda!.alias.name);
      assert.notDeepEqual(other.alias.aliases, lambda!.alias.aliases);
      assert.deepEqual(other.discovery, lambda!.discovery);
    }
    assert.equal(lambda!.stable.length, STABLE.length);
    assert.equal(lambda!.mcpUrl, 'https://mcp.example.com/mcp');
  });
});
