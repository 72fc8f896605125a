import { defineServer } from '../../mcp/define';
import { analyzeText, MAX_TEXT_CALL_BYTES } from './tools/analyzeText';

export default defineServer({
  title: 'Text',
  instructions: 'Tools to measure text.',
  tools: [analyzeText],
  // The longest analyze_text call the schema allows must not meet 413.
  minBodyBytes: MAX_TEXT_CALL_BYTES,
});
