import { strict as assert } from 'node:assert';
import { deployWith, valueOf } from './helpers/pulumi';
import { DEFAULT_ZONES, urns, zones } from './setup';

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

  it('keeps every server’s URLs and Cloud Map service, by URN, and the network and image between the container targets', async () => {
    // The domain's and the discovery's own resources (the Fargate agent's private DNS service is its own).
    const stableUrn = (u: string) =>
      /::mcp-on-aws:index:(CustomDomain|Discovery)\$/.test(u) && STABLE.some((type) => u.split('::')[2]!.split('$').pop() === type);
    const containerBase = (u: string) => /::mcp-on-aws:index:(Network|ContainerImage)(\$|::)/.test(u);
    const seen: Record<string, { servers: unknown; stable: string[]; containerBase: string[] }> = {};
    for (const target of ['lambda', 'fargate', 'eks']) {
      const d = await deployWith({ target, ...domain });
      seen[target] = { servers: await valueOf(d.outputs.servers), stable: urns.filter(stableUrn).sort(), containerBase: urns.filter(containerBase).sort() };
    }
    assert.deepEqual(seen.lambda!.servers, {
      cost: { mcpUrl: 'https://mcp.example.com/cost/mcp', healthUrl: 'https://mcp.example.com/cost/healthz', discoveryService: 'mcp-server', primary: true },
      text: { mcpUrl: 'https://mcp.example.com/text/mcp', healthUrl: 'https://mcp.example.com/text/healthz', discoveryService: 'text', primary: false },
    });
    for (const target of ['fargate', 'eks']) {
      assert.deepEqual(seen[target]!.servers, seen.lambda!.servers, `${target}: the same servers output`);
      assert.deepEqual(seen[target]!.stable, seen.lambda!.stable, `${target}: the same certificate, namespace and services`);
    }
    assert.equal(seen.lambda!.stable.length, STABLE.length + 1, 'two Cloud Map services, one of each other');
    assert.ok(seen.fargate!.containerBase.length > 10, `the network and image: ${seen.fargate!.containerBase.length} resources`);
    assert.deepEqual(seen.eks!.containerBase, seen.fargate!.containerBase);
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
