import { TARGETS, type Target } from '../contract';
import { Q, ZERO, centsToUsd, max } from './exact';
import { smallestFargateTask } from './fargate';
import { PRICES, type EksInstanceType } from './prices';


/** What a workload needs in a month. Sizes are KiB and MiB; a GB of data is 2^30 bytes. */
export interface Workload {
  requestsPerMonth: number;
  avgDurationMs: number;
  /** Lambda memory, and the least memory a Fargate task gets. */
  memoryMb: number;
  /** Average response size, KiB. */
  payloadKb: number;
  /** Hours a month the container targets (and their load balancer and NAT gateways) run. */
  alwaysOnHours: number;
  includeFreeTier: boolean;
  /** Fargate tasks running at all times. */
  tasks: number;
  /** Fargate task CPU units; the smallest size with enough memory when omitted. */
  fargateCpu?: number;
  /** EKS Auto Mode nodes running at all times. */
  nodes: number;
  eksInstanceType: EksInstanceType;
  /** NAT gateways of the VPC the container targets run in. */
  natGateways: number;
  /** Data the server itself fetches from the internet through NAT, GB a month. */
  egressGbPerMonth: number;
}

export interface LineItem {
  item: string;
  quantity: number;
  unit: string;
  usd: number;
}

export interface Estimate {
  target: Target;
  monthlyUsd: number;
  lineItems: LineItem[];
  notes: string[];
}

const KIB_PER_GB = 1024 * 1024;

interface Item {
  item: string;
  quantity: Q;
  unit: string;
  cost: Q;
}

function estimate(target: Target, items: Item[], notes: string[]): Estimate {
  const lineItems = items.map((i) => ({
    item: i.item,
    quantity: roundTo(i.quantity.toNumber(), 4),
    unit: i.unit,
    cents: i.cost.toCents(),
  }));
  const total = lineItems.reduce((sum, i) => sum + i.cents, 0n);
  return {
    target,
    monthlyUsd: centsToUsd(total),
    lineItems: lineItems.map(({ cents, ...rest }) => ({ ...rest, usd: centsToUsd(cents) })),
    notes,
  };
}

function roundTo(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** Cost of `quantity` under volume tiers, each tier priced per `unitSize` units. */
function tiered(quantity: Q, tiers: ReadonlyArray<{ upTo: number | null; price: string }>, unitSize = 1): Q {
  let cost = ZERO;
  let floor = ZERO;
  for (const tier of tiers) {
    if (quantity.cmp(floor) <= 0) break;
    const ceiling = tier.upTo === null ? quantity : Q.of(tier.upTo);
    const top = quantity.cmp(ceiling) < 0 ? quantity : ceiling;
    cost = cost.add(top.sub(floor).div(unitSize).mul(Q.of(tier.price)));
    floor = ceiling;
  }
  return cost;
}

const positive = (q: Q): Q => max(q, ZERO);

/** Data sent to clients a month, GB. */
function dataOutGb(w: Workload): Q {
  return Q.of(w.requestsPerMonth).mul(Q.of(w.payloadKb)).div(KIB_PER_GB);
}

function dataTransferItem(w: Workload): Item {
  const gb = dataOutGb(w);
  const billable = w.includeFreeTier ? positive(gb.sub(PRICES.dataTransferOut.freeTierGb)) : gb;
  const tiers = PRICES.dataTransferOut.tiers.map((t) => ({ upTo: t.upToGb, price: t.perGb }));
  return { item: 'Data transfer out to the internet', quantity: billable, unit: 'GB', cost: tiered(billable, tiers) };
}

export function lambdaCost(w: Workload): Estimate {
  const p = PRICES.lambda;
  const requests = Q.of(w.requestsPerMonth);
  const billedRequests = w.includeFreeTier ? positive(requests.sub(p.freeTierRequests)) : requests;
  // Lambda bills duration rounded up to the millisecond, memory in GB of 1024 MB.
  const gbSeconds = requests
    .mul(Q.of(w.avgDurationMs).ceil())
    .mul(w.memoryMb)
    .div(1024 * 1000);
  const billedGbSeconds = w.includeFreeTier ? positive(gbSeconds.sub(p.freeTierGbSeconds)) : gbSeconds;

  const api = PRICES.httpApi;
  const increments = Q.of(w.payloadKb).div(api.meteringIncrementKb).ceil();
  const apiRequests = requests.mul(max(increments, Q.of(1)));
  const billedApiRequests = w.includeFreeTier ? positive(apiRequests.sub(api.freeTierRequests)) : apiRequests;
  const apiTiers = api.tiers.map((t) => ({ upTo: t.upToMillions === null ? null : t.upToMillions * 1e6, price: t.perMillion }));

  return estimate(
    'lambda',
    [
      {
        item: 'Lambda requests',
        quantity: billedRequests,
        unit: 'requests',
        cost: billedRequests.div(1e6).mul(Q.of(p.requestPerMillion)),
      },
      { item: 'Lambda compute (arm64)', quantity: billedGbSeconds, unit: 'GB-seconds', cost: billedGbSeconds.mul(Q.of(p.gbSecondArm64)) },
      { item: 'API Gateway HTTP API requests', quantity: billedApiRequests, unit: 'requests', cost: tiered(billedApiRequests, apiTiers, 1e6) },
      dataTransferItem(w),
    ],
    [
      'Scales to zero: no charge for idle hours.',
      'HTTP API meters each request in 512 KB increments.',
      ...(w.includeFreeTier ? ['Free tier applied: Lambda (always free), HTTP API (first 12 months), 100 GB data transfer.'] : []),
    ],
  );
}

/** The ALB, NAT gateways, public IPv4 addresses and data transfer that both container targets pay for. */
function containerNetworkItems(w: Workload): Item[] {
  const hours = Q.of(w.alwaysOnHours);
  const requests = Q.of(w.requestsPerMonth);
  const alb = PRICES.alb;
  // LCU-hours over the month: the larger of the new-connection dimension (every request counted as a
  // new connection, the worst case) and the processed-bytes dimension. Both are independent of how the
  // requests spread over the hours, so no peak factor is needed.
  const lcuByConnections = requests.div(3600 * alb.lcuNewConnectionsPerSecond);
  const lcuByBytes = dataOutGb(w).div(alb.lcuProcessedGbPerHour);
  const lcuHours = w.alwaysOnHours > 0 ? max(lcuByConnections, lcuByBytes) : ZERO;
  const nat = PRICES.natGateway;
  const ipv4 = alb.publicIpv4Addresses + w.natGateways;
  return [
    { item: 'Application Load Balancer', quantity: hours, unit: 'hours', cost: hours.mul(Q.of(alb.hour)) },
    { item: 'Load balancer capacity units', quantity: lcuHours, unit: 'LCU-hours', cost: lcuHours.mul(Q.of(alb.lcuHour)) },
    {
      item: 'NAT gateways',
      quantity: hours.mul(w.natGateways),
      unit: 'gateway-hours',
      cost: hours.mul(w.natGateways).mul(Q.of(nat.hour)),
    },
    {
      item: 'NAT data processed',
      quantity: Q.of(w.egressGbPerMonth),
      unit: 'GB',
      cost: w.natGateways > 0 ? Q.of(w.egressGbPerMonth).mul(Q.of(nat.processedGb)) : ZERO,
    },
    {
      item: 'Public IPv4 addresses (ALB and NAT)',
      quantity: hours.mul(ipv4),
      unit: 'address-hours',
      cost: hours.mul(ipv4).mul(Q.of(PRICES.publicIpv4.hour)),
    },
    dataTransferItem(w),
  ];
}

export function fargateCost(w: Workload): Estimate {
  const task = smallestFargateTask(w.memoryMb, w.fargateCpu);
  const hours = Q.of(w.alwaysOnHours);
  const vcpuHours = hours.mul(w.tasks).mul(task.cpu).div(1024);
  const gbHours = hours.mul(w.tasks).mul(task.memory).div(1024);
  const p = PRICES.fargate;
  return estimate(
    'fargate',
    [
      { item: `Fargate vCPU (arm64, ${task.cpu / 1024} vCPU x ${w.tasks} tasks)`, quantity: vcpuHours, unit: 'vCPU-hours', cost: vcpuHours.mul(Q.of(p.vcpuHourArm64)) },
      { item: `Fargate memory (${task.memory / 1024} GB x ${w.tasks} tasks)`, quantity: gbHours, unit: 'GB-hours', cost: gbHours.mul(Q.of(p.gbHourArm64)) },
      ...containerNetworkItems(w),
    ],
    [
      `Task size: ${task.cpu} CPU units, ${task.memory} MiB (the smallest Fargate size with ${w.memoryMb} MiB${w.fargateCpu ? ` at ${w.fargateCpu} CPU units` : ''}).`,
      'LCUs count every request as a new connection; clients that keep connections open pay less.',
    ],
  );
}

export function eksCost(w: Workload): Estimate {
  const hours = Q.of(w.alwaysOnHours);
  const nodeHours = hours.mul(w.nodes);
  const instanceHour = Q.of(PRICES.ec2.instanceHour[w.eksInstanceType]);
  return estimate(
    'eks',
    [
      // The control plane is billed whether or not anything runs on it: a full month, not the always-on hours.
      { item: 'EKS cluster', quantity: Q.of(730), unit: 'hours', cost: Q.of(730).mul(Q.of(PRICES.eks.clusterHour)) },
      { item: `EC2 nodes (${w.eksInstanceType} x ${w.nodes})`, quantity: nodeHours, unit: 'instance-hours', cost: nodeHours.mul(instanceHour) },
      {
        item: 'EKS Auto Mode management',
        quantity: nodeHours,
        unit: 'instance-hours',
        cost: nodeHours.mul(instanceHour).mul(Q.of(PRICES.eks.autoModeFeeShare)),
      },
      ...containerNetworkItems(w),
    ],
    ['The EKS control plane is billed for all 730 hours of the month.', 'EBS volumes of the nodes are not included.'],
  );
}

const ESTIMATORS: Record<Target, (w: Workload) => Estimate> = { lambda: lambdaCost, fargate: fargateCost, eks: eksCost };

export function estimateHostingCost(w: Workload, targets: readonly Target[] = TARGETS): Estimate[] {
  return targets.map((t) => ESTIMATORS[t](w));
}
