import { defineServer } from '../../tools/define';
import { analyzeText } from '../../tools/analyzeText';

export default defineServer({
  title: 'Text',
  instructions: 'Tools to measure text.',
  tools: [analyzeText],
});
