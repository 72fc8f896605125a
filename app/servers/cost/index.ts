import { defineServer } from '../../mcp/define';
import { chooseTarget } from './prompts/chooseTarget';
import { prices } from './resources/prices';
import { estimateHostingCost } from './tools/estimateHostingCost';

export default defineServer({
  title: 'AWS hosting cost',
  instructions: 'Tools to estimate what hosting an MCP server on AWS costs.',
  tools: [estimateHostingCost],
  resources: [prices],
  prompts: [chooseTarget],
  primary: true,
});
