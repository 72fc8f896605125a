import { z } from 'zod';
import { definePrompt } from '../../../mcp/define';

/** Asks the model to pick a target for a workload, with estimate_hosting_cost. */
export const chooseTarget = definePrompt({
  name: 'choose_target',
  title: 'Choose an AWS target',
  description: 'Asks the model to pick Lambda, Fargate or EKS for a described workload, using estimate_hosting_cost.',
  args: {
    workload: z.string().describe('The workload: traffic, request duration, payloads, latency and team constraints'),
    budgetUsd: z.string().optional().describe('Monthly budget in USD, if any'),
  },
  messages: ({ workload, budgetUsd }) => [
    {
      role: 'user',
      content: {
        type: 'text',
        text: [
          'Choose where to host an MCP server on AWS: "lambda" (Lambda + API Gateway HTTP API),',
          '"fargate" (ECS Fargate behind an HTTPS load balancer) or "eks" (EKS Auto Mode).',
          '',
          `Workload: ${workload}`,
          ...(budgetUsd ? [`Monthly budget: ${budgetUsd} USD`] : []),
          '',
          'Call the estimate_hosting_cost tool with figures that match the workload, then answer with:',
          '1. the target you recommend, 2. its monthly cost and the cost of the others,',
          '3. the limits that matter (HTTP API caps a request at 30 s; Lambda cold starts; the fixed cost of',
          'a load balancer, NAT gateway and EKS control plane), and 4. what would change your choice.',
        ].join('\n'),
      },
    },
  ],
});
