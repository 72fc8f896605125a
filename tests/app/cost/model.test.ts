import { strict as assert } from 'node:assert';
import { eksCost, estimateHostingCost, fargateCost, lambdaCost, type Workload } from '../../../app/cost/model';

const base: Workload = {
  requestsPerMonth: 1_000_000,
  avgDurationMs: 200,
  memoryMb: 512,
  payloadKb: 4,
  alwaysOnHours: 730,
  includeFreeTier: false,
  tasks: 2,
  nodes: 2,
  eksInstanceType: 'm7g.large',
  natGateways: 1,
  egressGbPerMonth: 0,
};

const usd = (e: { lineItems: { item: string; usd: number }[] }) =>
  Object.fromEntries(e.lineItems.map((i) => [i.item, i.usd]));

// Every expected figure below was worked out by hand from the prices in app/cost/prices.ts.
describe('cost model', () => {
  it('Lambda: 1M requests of 200 ms at 512 MB, 4 KiB responses', () => {
    const e = lambdaCost(base);
    // 1M x 0.20/M; 100,000 GB-s x 0.0000133334 = 1.33334; 1M x 1.00/M; 3.8147 GB x 0.09 = 0.3433
    assert.deepEqual(usd(e), {
      'Lambda requests': 0.2,
      'Lambda compute (arm64)': 1.33,
      'API Gateway HTTP API requests': 1,
      'Data transfer out to the internet': 0.34,
    });
    assert.equal(e.monthlyUsd, 2.87);
    // Quantities are rounded to 4 decimals: 1M x 4 KiB = 3.814697265625 GB.
    assert.equal(e.lineItems.find((i) => i.item.startsWith('Data transfer'))!.quantity, 3.8147);
  });

  it('Lambda with the free tier, durations rounded up to the ms and 512 KB API metering', () => {
    const e = lambdaCost({ ...base, requestsPerMonth: 3_000_000, avgDurationMs: 120.2, memoryMb: 1024, payloadKb: 600, includeFreeTier: true });
    // requests 2M billable = 0.40; 3M x 121 ms x 1 GB = 363,000 GB-s < 400,000 free = 0;
    // 600 KiB = 2 increments: 6M - 1M free = 5M x 1.00 = 5.00; 1716.61 GB - 100 free = 1616.61 x 0.09 = 145.50
    assert.deepEqual(usd(e), {
      'Lambda requests': 0.4,
      'Lambda compute (arm64)': 0,
      'API Gateway HTTP API requests': 5,
      'Data transfer out to the internet': 145.5,
    });
    assert.equal(e.monthlyUsd, 150.9);
    const compute = e.lineItems.find((i) => i.item === 'Lambda compute (arm64)')!;
    assert.equal(compute.quantity, 0);
  });

  it('HTTP API requests past 300 million are priced at the second tier', () => {
    const e = lambdaCost({ ...base, requestsPerMonth: 400_000_000, avgDurationMs: 10, memoryMb: 128, payloadKb: 1 });
    // 400 x 0.20 = 80; 500,000 GB-s = 6.6667; 300 x 1.00 + 100 x 0.90 = 390; 381.47 GB x 0.09 = 34.33
    assert.deepEqual(usd(e), {
      'Lambda requests': 80,
      'Lambda compute (arm64)': 6.67,
      'API Gateway HTTP API requests': 390,
      'Data transfer out to the internet': 34.33,
    });
    assert.equal(e.monthlyUsd, 511);
  });

  it('data transfer past 10 TB is priced at the second tier', () => {
    // 20,971,520 x 1 MiB = 20,480 GB: 10,240 x 0.09 + 10,240 x 0.085 = 921.60 + 870.40
    const e = lambdaCost({ ...base, requestsPerMonth: 20_971_520, payloadKb: 1024 });
    assert.equal(usd(e)['Data transfer out to the internet'], 1792);
  });

  it('Fargate: 3 tasks of 2 GB, two NAT gateways, 50 GB egress, 10M requests of 8 KiB', () => {
    const e = fargateCost({ ...base, requestsPerMonth: 10_000_000, memoryMb: 2048, tasks: 3, natGateways: 2, egressGbPerMonth: 50, payloadKb: 8 });
    // 0.25 vCPU x 3 x 730 = 547.5 x 0.03238 = 17.728; 2 GB x 3 x 730 = 4380 x 0.00356 = 15.593;
    // ALB 730 x 0.0225 = 16.425; LCU max(10M/90,000 = 111.11, 76.29 GB) x 0.008 = 0.889;
    // NAT 1460 x 0.045 = 65.70; 50 GB x 0.045 = 2.25; IPv4 (2 ALB + 2 NAT) x 730 x 0.005 = 14.60; 76.29 GB x 0.09 = 6.866
    assert.deepEqual(Object.values(usd(e)), [17.73, 15.59, 16.43, 0.89, 65.7, 2.25, 14.6, 6.87]);
    assert.equal(e.monthlyUsd, 140.06);
    assert.match(e.lineItems[0]!.item, /0\.25 vCPU x 3 tasks/);
  });

  it('Fargate at the stack defaults: 2 tasks of 0.5 vCPU and 1 GB, one NAT gateway, 1M requests', () => {
    const e = fargateCost({ ...base, memoryMb: 1024, fargateCpu: 512 });
    // 0.5 x 2 x 730 = 730 vCPU-h x 0.03238 = 23.637; 1 GB x 2 x 730 = 1460 GB-h x 0.00356 = 5.198;
    // 16.425; 1M/90,000 = 11.11 LCU-h x 0.008 = 0.089; 32.85; 0; 2190 x 0.005 = 10.95; 3.8147 GB x 0.09 = 0.343
    assert.deepEqual(Object.values(usd(e)), [23.64, 5.2, 16.43, 0.09, 32.85, 0, 10.95, 0.34]);
    assert.equal(e.monthlyUsd, 89.5);
  });

  it('refuses a Fargate CPU size that cannot hold the memory', () => {
    assert.throws(() => fargateCost({ ...base, memoryMb: 4096, fargateCpu: 256 }), /no Fargate task of 256 CPU units has 4096 MiB of memory \(512, 1024, 2048\)/);
  });

  it('EKS: control plane, two m7g.large nodes with the Auto Mode fee, ALB and one NAT gateway, no traffic', () => {
    const e = eksCost({ ...base, requestsPerMonth: 0 });
    // 730 x 0.10 = 73; 1460 x 0.0816 = 119.136; x 0.12 = 14.296; 16.425; 0; 32.85; 0; 2190 x 0.005 = 10.95; 0
    assert.deepEqual(Object.values(usd(e)), [73, 119.14, 14.3, 16.43, 0, 32.85, 0, 10.95, 0]);
    assert.equal(e.monthlyUsd, 266.67);
  });

  it('container targets that run no hours pay for no load balancer, NAT or addresses', () => {
    const e = fargateCost({ ...base, alwaysOnHours: 0 });
    assert.equal(e.monthlyUsd, usd(e)['Data transfer out to the internet']);
  });

  it('estimates only the targets asked for, in that order', () => {
    assert.deepEqual(
      estimateHostingCost(base, ['eks', 'lambda']).map((e) => e.target),
      ['eks', 'lambda'],
    );
  });
});
