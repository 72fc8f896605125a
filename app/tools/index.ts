import { analyzeText } from './analyzeText';
import type { AppTool } from './define';
import { estimateHostingCost } from './estimateHostingCost';

/** Every tool the server offers. To add one, write a file beside this one and list it here. */
export const tools: readonly AppTool[] = [estimateHostingCost, analyzeText];
