import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { eksCost, fargateCost, lambdaCost, type Estimate, type Workload } from '../../../app/cost/model';

// The README quotes what the cost model answers at the stacks' defaults; every quoted figure is checked here.
const readme = readFileSync(path.join(__dirname, '../../../README.md'), 'utf8').replace(/\s+/g, ' ');

const defaults: Workload = {
  requestsPerMonth: 1_000_000,
  avgDurationMs: 200,
  memoryMb: 512,
  payloadKb: 4,
  alwaysOnHours: 730,
  includeFreeTier: false,
  tasks: 2,
  nodes: 2,
  eksInstanceType: 'c7g.large',
  natGateways: 1,
  egressGbPerMonth: 0,
};

const $ = (usd: number) => `$${usd.toFixed(2)}`;
/** Sum, in dollars, of the line items whose name starts with one of `prefixes`. */
function sum(e: Estimate, ...prefixes: string[]): number {
  const items = e.lineItems.filter((i) => prefixes.some((p) => i.item.startsWith(p)));
  assert.equal(items.length, prefixes.length, `one line item each for ${prefixes.join(', ')}`);
  return Math.round(items.reduce((s, i) => s + i.usd * 100, 0)) / 100;
}

describe('cost figures quoted in the README', () => {
  const fargate = fargateCost({ ...defaults, memoryMb: 1024, fargateCpu: 512 });
  const fargateOnePerAz = fargateCost({ ...defaults, memoryMb: 1024, fargateCpu: 512, natGateways: 2 });
  const lambda = lambdaCost(defaults);
  const eks = eksCost(defaults);

  const fargateText =
    `**${$(fargate.monthlyUsd)}** — Fargate ${$(sum(fargate, 'Fargate vCPU', 'Fargate memory'))}, ` +
    `ALB ${$(sum(fargate, 'Application Load Balancer', 'Load balancer capacity units'))} (hours and LCUs), ` +
    `NAT gateway ${$(sum(fargate, 'NAT gateways', 'NAT data processed'))}, ` +
    `three public IPv4 addresses ${$(sum(fargate, 'Public IPv4'))}, data transfer ${$(sum(fargate, 'Data transfer'))}. ` +
    `With \`natGateways: onePerAz\` add ${$(Math.round((fargateOnePerAz.monthlyUsd - fargate.monthlyUsd) * 100) / 100)} ` +
    `(a second gateway and its address). Lambda at the same traffic: ${$(lambda.monthlyUsd)}.`;

  const eksText =
    `**${$(eks.monthlyUsd)}** — control plane ${$(sum(eks, 'EKS cluster'))}, nodes ${$(sum(eks, 'EC2 nodes'))}, ` +
    `Auto Mode fee ${$(sum(eks, 'EKS Auto Mode'))}, ALB ${$(sum(eks, 'Application Load Balancer', 'Load balancer capacity units'))}, ` +
    `NAT gateway ${$(sum(eks, 'NAT gateways', 'NAT data processed'))}, public IPv4 ${$(sum(eks, 'Public IPv4'))}, ` +
    `data transfer ${$(sum(eks, 'Data transfer'))}.`;

  it('Fargate at the defaults, with one NAT gateway per zone, and Lambda at the same traffic', () => {
    assert.ok(readme.includes(fargateText), `README should read: ${fargateText}`);
  });

  it('EKS at the defaults with two c7g.large nodes', () => {
    assert.ok(readme.includes(eksText), `README should read: ${eksText}`);
  });

  it('quotes no other dollar figure', () => {
    const quoted = readme.match(/\$\d[\d,]*(\.\d+)?/g) ?? [];
    const checked = `${fargateText} ${eksText}`.match(/\$\d[\d,]*(\.\d+)?/g)!;
    assert.deepEqual(quoted, checked);
  });

  it('the figures are the line items rounded to cents, and totals the sum of the rounded items', () => {
    // At the Fargate defaults the exact items sum to 89.4922..., which would round to 89.49.
    assert.equal(fargate.monthlyUsd, 89.5);
    assert.equal(Math.round(fargate.lineItems.reduce((s, i) => s + i.usd * 100, 0)), fargate.monthlyUsd * 100);
  });
});
