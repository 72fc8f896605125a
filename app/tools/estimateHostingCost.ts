import { z } from 'zod';
import { estimateHostingCost as estimate, TARGETS } from '../cost/model';
import { FARGATE_SIZES } from '../cost/fargate';
import { EKS_INSTANCE_TYPES, PRICES } from '../cost/prices';
import { defineTool } from './define';

const estimateSchema = z.object({
  target: z.enum(TARGETS),
  monthlyUsd: z.number().describe('Total for the month, USD'),
  lineItems: z.array(
    z.object({ item: z.string(), quantity: z.number(), unit: z.string(), usd: z.number() }),
  ),
  notes: z.array(z.string()),
});

export const estimateHostingCost = defineTool({
  name: 'estimate_hosting_cost',
  title: 'Estimate AWS hosting cost',
  description:
    'Estimates the monthly AWS cost (us-east-1 list prices, USD) of serving a workload on each target: ' +
    'Lambda + API Gateway HTTP API, ECS Fargate + ALB, and EKS (Auto Mode) + ALB, including NAT gateways, ' +
    'public IPv4 addresses and data transfer where they apply. Returns line items per target and the cheapest target.',
  inputSchema: {
    requestsPerMonth: z.number().int().min(0).max(1e12).describe('MCP requests a month'),
    avgDurationMs: z.number().positive().max(900_000).describe('Average time to answer one request, milliseconds'),
    memoryMb: z
      .number()
      .int()
      .min(128)
      .max(10_240)
      .default(512)
      .describe('Memory of the Lambda function, and the least memory of a Fargate task, MiB'),
    payloadKb: z.number().min(0).max(10_240).default(4).describe('Average response size, KiB'),
    alwaysOnHours: z
      .number()
      .min(0)
      .max(744)
      .default(730)
      .describe('Hours a month the container targets run (730 is a whole month)'),
    includeFreeTier: z.boolean().default(false).describe('Subtract the AWS free tier allowances'),
    tasks: z.number().int().min(1).max(1000).default(2).describe('Fargate tasks kept running'),
    fargateCpu: z
      .union(FARGATE_SIZES.map((s) => z.literal(s.cpu)) as unknown as [z.ZodLiteral<number>, z.ZodLiteral<number>])
      .optional()
      .describe('Fargate task CPU units (1024 = 1 vCPU); the smallest size with enough memory when omitted'),
    nodes: z.number().int().min(1).max(1000).default(2).describe('EKS nodes kept running'),
    eksInstanceType: z.enum(EKS_INSTANCE_TYPES).default('m7g.large').describe('EC2 instance type of the EKS nodes'),
    natGateways: z.number().int().min(0).max(6).default(1).describe('NAT gateways in the VPC of the container targets'),
    egressGbPerMonth: z
      .number()
      .min(0)
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
  run({ targets, ...workload }) {
    // A memory size the chosen CPU size cannot have is the caller's error: it reaches them as a tool error.
    const estimates = estimate(workload, targets ? [...new Set(targets)] : undefined);
    const cheapest = estimates.reduce((a, b) => (b.monthlyUsd < a.monthlyUsd ? b : a));
    return { region: PRICES.region, currency: 'USD' as const, pricesAsOf: PRICES.asOf, estimates, cheapest: cheapest.target };
  },
});
