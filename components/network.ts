import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';

export type NatStrategy = 'single' | 'onePerAz';

/**
 * Zones (by zone id, the same in every account) where EKS does not create clusters. Names such as
 * us-east-1a map to different zone ids in each account, so the first names may land in one of these.
 */
export const EKS_UNSUPPORTED_ZONE_IDS = ['use1-az3', 'usw1-az2', 'cac1-az3'] as const;

/**
 * The first `count` zones of the region that EKS supports, chosen by zone id, as their names (in the
 * order the region lists them). Fails, naming the zones, when there are too few.
 */
export function chooseZones(zones: { names: string[]; zoneIds: string[] }, count: number): string[] {
  const excluded: readonly string[] = EKS_UNSUPPORTED_ZONE_IDS;
  const usable = zones.zoneIds.map((id, i) => ({ id, name: zones.names[i]! })).filter((z) => !excluded.includes(z.id));
  if (usable.length < count) {
    throw new Error(
      `the region has ${usable.length} usable Availability Zones (${usable.map((z) => `${z.name}/${z.id}`).join(', ') || 'none'}; ` +
        `${EKS_UNSUPPORTED_ZONE_IDS.join(', ')} are left out, as EKS does not support them); ${count} are needed`,
    );
  }
  return usable.slice(0, count).map((z) => z.name);
}

export interface NetworkArgs {
  /** `single`: one NAT gateway shared by every private subnet (cheaper); `onePerAz`: one per zone (no cross-zone dependency). */
  natGateways: NatStrategy;
  /** Availability Zones to span; at least two, as load balancers require. */
  zoneCount?: number;
  cidrBlock?: string;
}

/**
 * A VPC with a public and a private subnet in each of two (or more) Availability Zones, the region's
 * first ones (by zone id) that EKS supports. Load balancers
 * live in the public subnets, tasks and pods in the private ones, which reach out through NAT.
 * Subnets carry the tags the AWS load balancer controllers look for.
 */
export class Network extends pulumi.ComponentResource {
  readonly vpcId: pulumi.Output<string>;
  readonly cidrBlock: string;
  readonly publicSubnetIds: pulumi.Output<string>[];
  readonly privateSubnetIds: pulumi.Output<string>[];
  readonly natGatewayCount: number;

  constructor(name: string, args: NetworkArgs, opts?: pulumi.ComponentResourceOptions) {
    super('mcp-on-aws:index:Network', name, {}, opts);
    const parent = this;
    const zoneCount = args.zoneCount ?? 2;
    if (zoneCount < 2 || zoneCount > 4) throw new Error(`zoneCount must be from 2 to 4, got ${zoneCount}`);
    this.cidrBlock = args.cidrBlock ?? '10.0.0.0/16';
    const [a, b] = this.cidrBlock.split('.').map(Number) as [number, number];
    const subnetCidr = (index: number) => `${a}.${b}.${index * 16}.0/20`;

    // Availability Zones proper (not Local or Wavelength Zones), chosen by zone id: the same subnets suit Fargate and EKS.
    const zones = aws
      .getAvailabilityZonesOutput({ state: 'available', filters: [{ name: 'opt-in-status', values: ['opt-in-not-required'] }] }, { parent })
      .apply((z) => chooseZones(z, zoneCount));
    const vpc = new aws.ec2.Vpc(`${name}-vpc`, { cidrBlock: this.cidrBlock, enableDnsHostnames: true, enableDnsSupport: true, tags: { Name: name } }, { parent });
    const igw = new aws.ec2.InternetGateway(`${name}-igw`, { vpcId: vpc.id, tags: { Name: name } }, { parent });
    const publicRoutes = new aws.ec2.RouteTable(
      `${name}-public`,
      { vpcId: vpc.id, routes: [{ cidrBlock: '0.0.0.0/0', gatewayId: igw.id }], tags: { Name: `${name}-public` } },
      { parent },
    );

    const publicSubnets: aws.ec2.Subnet[] = [];
    const privateSubnets: aws.ec2.Subnet[] = [];
    const natGateways: aws.ec2.NatGateway[] = [];
    this.natGatewayCount = args.natGateways === 'onePerAz' ? zoneCount : 1;
    for (let i = 0; i < zoneCount; i++) {
      const az = zones.apply((names) => names[i]!);
      const pub = new aws.ec2.Subnet(
        `${name}-public-${i}`,
        {
          vpcId: vpc.id,
          availabilityZone: az,
          cidrBlock: subnetCidr(i),
          mapPublicIpOnLaunch: false,
          tags: { Name: `${name}-public-${i}`, 'kubernetes.io/role/elb': '1' },
        },
        { parent },
      );
      new aws.ec2.RouteTableAssociation(`${name}-public-${i}`, { subnetId: pub.id, routeTableId: publicRoutes.id }, { parent });
      publicSubnets.push(pub);
      if (i < this.natGatewayCount) {
        const eip = new aws.ec2.Eip(`${name}-nat-${i}`, { domain: 'vpc', tags: { Name: `${name}-nat-${i}` } }, { parent });
        natGateways.push(
          new aws.ec2.NatGateway(
            `${name}-nat-${i}`,
            { subnetId: pub.id, allocationId: eip.id, tags: { Name: `${name}-nat-${i}` } },
            { parent, dependsOn: [igw] },
          ),
        );
      }
    }
    for (let i = 0; i < zoneCount; i++) {
      const priv = new aws.ec2.Subnet(
        `${name}-private-${i}`,
        {
          vpcId: vpc.id,
          availabilityZone: publicSubnets[i]!.availabilityZone,
          cidrBlock: subnetCidr(8 + i),
          tags: { Name: `${name}-private-${i}`, 'kubernetes.io/role/internal-elb': '1' },
        },
        { parent },
      );
      // Each private subnet leaves through the NAT gateway of its own zone, or the one shared gateway.
      const nat = natGateways[Math.min(i, natGateways.length - 1)]!;
      const routes = new aws.ec2.RouteTable(
        `${name}-private-${i}`,
        { vpcId: vpc.id, routes: [{ cidrBlock: '0.0.0.0/0', natGatewayId: nat.id }], tags: { Name: `${name}-private-${i}` } },
        { parent },
      );
      new aws.ec2.RouteTableAssociation(`${name}-private-${i}`, { subnetId: priv.id, routeTableId: routes.id }, { parent });
      privateSubnets.push(priv);
    }

    this.vpcId = vpc.id;
    this.publicSubnetIds = publicSubnets.map((s) => s.id);
    this.privateSubnetIds = privateSubnets.map((s) => s.id);
    this.registerOutputs({ vpcId: this.vpcId, publicSubnetIds: this.publicSubnetIds, privateSubnetIds: this.privateSubnetIds });
  }
}
