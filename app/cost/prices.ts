/**
 * AWS list prices used by the cost model: us-east-1 (N. Virginia), on-demand, USD.
 * Each entry names the AWS pricing page it comes from. Update `asOf` when any figure changes.
 */
export const PRICES = {
  region: 'us-east-1',
  currency: 'USD',
  asOf: '2026-11-01',
  lambda: {
    source: 'https://aws.amazon.com/lambda/pricing/',
    requestPerMillion: '0.20',
    /** arm64 (Graviton), first 7.5 billion GB-seconds a month; the Lambda target deploys arm64. */
    gbSecondArm64: '0.0000133334',
    freeTierRequests: 1_000_000,
    freeTierGbSeconds: 400_000,
  },
  httpApi: {
    source: 'https://aws.amazon.com/api-gateway/pricing/',
    /** Requests are metered in 512 KB increments. */
    meteringIncrementKb: 512,
    tiers: [
      { upToMillions: 300, perMillion: '1.00' },
      { upToMillions: null, perMillion: '0.90' },
    ],
    /** 12-month free tier for new accounts. */
    freeTierRequests: 1_000_000,
  },
  fargate: {
    source: 'https://aws.amazon.com/fargate/pricing/',
    /** Linux/ARM; the Fargate target runs arm64 tasks. */
    vcpuHourArm64: '0.03238',
    gbHourArm64: '0.00356',
  },
  alb: {
    source: 'https://aws.amazon.com/elasticloadbalancing/pricing/',
    hour: '0.0225',
    lcuHour: '0.008',
    /** One LCU: 25 new connections a second, 3,000 active connections a minute, 1 GB processed an hour (EC2/IP targets). */
    lcuNewConnectionsPerSecond: 25,
    lcuActiveConnectionsPerMinute: 3000,
    lcuProcessedGbPerHour: 1,
    /** An internet-facing ALB holds a public IPv4 address in each of its Availability Zones. */
    publicIpv4Addresses: 2,
  },
  eks: {
    source: 'https://aws.amazon.com/eks/pricing/',
    clusterHour: '0.10',
    /** EKS Auto Mode management fee, as a share of the instance's on-demand price (about 12 % on general-purpose types). */
    autoModeFeeShare: '0.12',
  },
  ec2: {
    source: 'https://aws.amazon.com/ec2/pricing/on-demand/',
    /** Linux on-demand hourly prices of the Graviton types offered for EKS nodes. */
    instanceHour: {
      'c7g.large': '0.0725',
      'm7g.large': '0.0816',
      'm7g.xlarge': '0.1632',
      'r7g.large': '0.1071',
    },
  },
  natGateway: {
    source: 'https://aws.amazon.com/vpc/pricing/',
    hour: '0.045',
    processedGb: '0.045',
  },
  publicIpv4: {
    source: 'https://aws.amazon.com/vpc/pricing/',
    hour: '0.005',
  },
  dataTransferOut: {
    source: 'https://aws.amazon.com/ec2/pricing/on-demand/#Data_Transfer',
    /** To the internet, per GB, by monthly volume. */
    tiers: [
      { upToGb: 10_240, perGb: '0.09' },
      { upToGb: 51_200, perGb: '0.085' },
      { upToGb: 153_600, perGb: '0.07' },
      { upToGb: null, perGb: '0.05' },
    ],
    /** Always-free allowance, aggregated across services. */
    freeTierGb: 100,
  },
} as const;

export type EksInstanceType = keyof typeof PRICES.ec2.instanceHour;
export const EKS_INSTANCE_TYPES = Object.keys(PRICES.ec2.instanceHour) as [EksInstanceType, ...EksInstanceType[]];
