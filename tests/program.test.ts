import { strict as assert } from 'node:assert';
import { deployWith, valueOf } from './helpers/pulumi';
import { DEFAULT_ZONES, zones } from './setup';

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
    assert.deepEqual(
      lambda!.stable.filter((s) => s.startsWith('aws:servicediscovery/service:Service')),
      ['aws:servicediscovery/service:Service::discovery-cost', 'aws:servicediscovery/service:Service::discovery-text'],
    );
    assert.equal(lambda!.mcpUrl, 'https://mcp.example.com/mcp');
  });

  describe('where the first zone name maps to a zone EKS does not support', () => {
    afterEach(() => {
      zones.answer = DEFAULT_ZONES;
    });

    it('puts Fargate and EKS subnets in the same supported zones, so the network survives a move between them', async () => {
      zones.answer = { names: ['us-east-1a', 'us-east-1b', 'us-east-1c'], zoneIds: ['use1-az3', 'use1-az4', 'use1-az5'] };
      const seen: Record<string, Record<string, string>> = {};
      for (const target of ['fargate', 'eks']) {
        const d = await deployWith({ target });
        seen[target] = Object.fromEntries(d.all('aws:ec2/subnet:Subnet').map((s) => [s.name, s.inputs.availabilityZone]));
      }
      assert.deepEqual(seen.fargate, {
        'network-public-0': 'us-east-1b',
        'network-public-1': 'us-east-1c',
        'network-private-0': 'us-east-1b',
        'network-private-1': 'us-east-1c',
      });
      assert.deepEqual(seen.eks, seen.fargate);
    });
  });
});
