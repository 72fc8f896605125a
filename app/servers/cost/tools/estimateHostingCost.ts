import { z } from 'zod';
import { TARGETS } from '../../../contract';
import { estimateHostingCost as estimate } from '../../../cost/model';
import { FARGATE_SIZES } from '../../../cost/fargate';
import { EKS_INSTANCE_TYPES, PRICES } from '../../../cost/prices';
import { defineTool } from '../../../mcp/define';

const estimateSchema = z.object({
  target: z.enum(TARGETS),
  monthlyUsd: z.number().describe('Total for the month, USD'),
  lineItems: z.array(
    z.object({ item: z.string(), quantity: z.number(), unit: z.string(), usd: z.number() }),
  ),
  notes: z.array(z.string()),
});

/** The smallest positive fraction a numeric argument may have: finer values mean nothing to a monthly estimate. */
export const SMALLEST_FRACTION = 0.001;

/**
 * A numeric argument from `min` to `max`. A fractional one is 0 or at least SMALLEST_FRACTION, so
 * that no argument is a tiny positive number such as 1e-21. Whatever is refused (not a number, out
 * of range, too fine, not whole) gets one message naming the argument and its range.
 */
function number(name: string, r: { min: number; max: number; whole?: boolean; unit?: string }) {
  const from = !r.whole && r.min === 0 ? `0, or from ${SMALLEST_FRACTION} to ${r.max}` : `from ${r.min} to ${r.max}`;
  const error = `${name} must be ${r.whole ? 'a whole number' : 'a number'} ${from}${r.unit ? ` (${r.unit})` : ''}`;
  // `abort`: one message, not one per failed check.
  const n = z.number({ error }).min(r.min, { error, abort: true }).max(r.max, { error, abort: true });
  return r.whole ? n.int({ error, abort: true }) : n.refine((v) => v === 0 || v >= SMALLEST_FRACTION, { error, abort: true });
}

export const estimateHostingCost = defineTool({
  name: 'estimate_hosting_cost',
  title: 'Estimate AWS hosting cost',
  description:
    'Estimates the monthly AWS cost (us-east-1 list prices, USD) of serving a workload on each target: ' +
    'Lambda + API Gateway HTTP API, ECS Fargate + ALB, and EKS (Auto Mode) + ALB, including NAT gateways, ' +
    'public IPv4 addresses and data transfer where they apply. Returns line items per target and the cheapest target.',
  inputSchema: {
    requestsPerMonth: number('requestsPerMonth', { min: 0, max: 1e12, whole: true }).describe('MCP requests a month'),
    avgDurationMs: number('avgDurationMs', { min: SMALLEST_FRACTION, max: 900_000, unit: 'milliseconds' }).describe(
      'Average time to answer one request, milliseconds',
    ),
    memoryMb: number('memoryMb', { min: 128, max: 10_240, whole: true, unit: 'MiB' })
      .default(512)
      .describe('Memory of the Lambda function, and the least memory of a Fargate task, MiB'),
    payloadKb: number('payloadKb', { min: 0, max: 10_240, unit: 'KiB' }).default(4).describe('Average response size, KiB'),
    alwaysOnHours: number('alwaysOnHours', { min: 0, max: 744, unit: 'hours' })
      .default(730)
      .describe('Hours a month the container targets run (730 is a whole month)'),
    includeFreeTier: z.boolean().default(false).describe('Subtract the AWS free tier allowances'),
    tasks: number('tasks', { min: 1, max: 1000, whole: true }).default(2).describe('Fargate tasks kept running'),
    fargateCpu: z
      .union(FARGATE_SIZES.map((s) => z.literal(s.cpu)) as unknown as [z.ZodLiteral<number>, z.ZodLiteral<number>], {
        error: `fargateCpu must be one of ${FARGATE_SIZES.map((s) => s.cpu).join(', ')} (CPU units)`,
      })
      .optional()
      .describe('Fargate task CPU units (1024 = 1 vCPU); the smallest size with enough memory when omitted'),
    nodes: number('nodes', { min: 1, max: 1000, whole: true }).default(2).describe('EKS nodes kept running'),
    eksInstanceType: z.enum(EKS_INSTANCE_TYPES).default('m7g.large').describe('EC2 instance type of the EKS nodes'),
    natGateways: number('natGateways', { min: 0, max: 6, whole: true }).default(1).describe('NAT gateways in the VPC of the container targets'),
    egressGbPerMonth: number('egressGbPerMonth', { min: 0, max: 10_000_000, unit: 'GB' })
      .default(0)
      .describe('Data the server fetches from the internet through NAT, GB a month'),
    targets: z.array(z.enum(TARGETS)).min(1).optional().describe('Targets to estimate; all when omitted'),
  },
  outputSchema: {
    region: z.string(),
    currency: z.literal('USD'),
    pricesAsOf: z.string(),
    estimates: z.array(estimateSchema),
    cheapest: z.enum(TARGETS),
  },
  annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
  probe: { requestsPerMonth: 1_000_000, avgDurationMs: 100 },
  run({ targets, ...workload }) {
    // A memory size the chosen CPU size cannot have is the caller's error: it reaches them as a tool error.
    const estimates = estimate(workload, targets ? [...new Set(targets)] : undefined);
    const cheapest = estimates.reduce((a, b) => (b.monthlyUsd < a.monthlyUsd ? b : a));
    return { region: PRICES.region, currency: 'USD' as const, pricesAsOf: PRICES.asOf, estimates, cheapest: cheapest.target };
  },
});
