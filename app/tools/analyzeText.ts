import { z } from 'zod';
import { defineTool } from './define';

/** Average silent reading rate of adults for non-fiction (Brysbaert, 2019). */
export const WORDS_PER_MINUTE = 238;

const wordSegmenter = new Intl.Segmenter('en', { granularity: 'word' });
const sentenceSegmenter = new Intl.Segmenter('en', { granularity: 'sentence' });
const graphemeSegmenter = new Intl.Segmenter('en', { granularity: 'grapheme' });

function count<T>(items: Iterable<T>, keep: (item: T) => boolean): number {
  let n = 0;
  for (const item of items) if (keep(item)) n++;
  return n;
}

export function analyze(text: string) {
  const words = count(wordSegmenter.segment(text), (s) => s.isWordLike === true);
  const sentences = count(sentenceSegmenter.segment(text), (s) => /[\p{L}\p{N}]/u.test(s.segment));
  const characters = count(graphemeSegmenter.segment(text), () => true);
  const charactersNoSpaces = count(graphemeSegmenter.segment(text), (s) => !/^\s+$/u.test(s.segment));
  const paragraphs = text.split(/\n\s*\n/).filter((p) => p.trim() !== '').length;
  return {
    words,
    sentences,
    paragraphs,
    characters,
    charactersNoSpaces,
    averageWordsPerSentence: sentences === 0 ? 0 : Math.round((words / sentences) * 10) / 10,
    readingTimeSeconds: Math.ceil((words / WORDS_PER_MINUTE) * 60),
  };
}

export const analyzeText = defineTool({
  name: 'analyze_text',
  title: 'Analyze text',
  description:
    'Counts the words, sentences, paragraphs and characters (user-perceived characters, with and without ' +
    `white space) of a text, and estimates its reading time at ${WORDS_PER_MINUTE} words a minute.`,
  inputSchema: {
    text: z.string().max(1_000_000).describe('The text to analyze'),
  },
  outputSchema: {
    words: z.number().int(),
    sentences: z.number().int(),
    paragraphs: z.number().int(),
    characters: z.number().int(),
    charactersNoSpaces: z.number().int(),
    averageWordsPerSentence: z.number(),
    readingTimeSeconds: z.number().int(),
  },
  annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
  run: ({ text }) => analyze(text),
});
