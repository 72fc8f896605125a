import { defineServer } from '../../tools/define';
import { estimateHostingCost } from '../../tools/estimateHostingCost';

export default defineServer({
  title: 'AWS hosting cost',
  instructions: 'Tools to estimate what hosting an MCP server on AWS costs.',
  tools: [estimateHostingCost],
  primary: true,
});
