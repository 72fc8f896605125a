import { PRICES } from '../../../cost/prices';
import { defineResource } from '../../../mcp/define';

export const PRICES_URI = 'mcp-on-aws://prices/us-east-1';
const PRICES_JSON = JSON.stringify(PRICES, null, 2);

/** The price table estimate_hosting_cost uses. */
export const prices = defineResource({
  name: 'aws-prices',
  uri: PRICES_URI,
  title: 'AWS prices used by estimate_hosting_cost',
  description: `us-east-1 list prices (USD) as of ${PRICES.asOf}, with the AWS page each comes from.`,
  mimeType: 'application/json',
  read: () => PRICES_JSON,
});
