import { z } from 'zod';
import { defineTool } from '../../../mcp/define';

/** Average silent reading rate of adults for non-fiction (Brysbaert, 2019). */
export const WORDS_PER_MINUTE = 238;

/** Longest text analyze_text accepts, in UTF-16 code units (JavaScript string length). */
export const MAX_TEXT_LENGTH = 400_000;

/**
 * Largest body of an analyze_text call that the schema allows: every code unit of the text at its
 * longest JSON form, `\uXXXX` (6 bytes, for control characters and lone surrogates; any other
 * character takes at most 3 bytes of UTF-8 per code unit), plus 200 KiB for the rest of the
 * JSON-RPC request (id, tool name, `_meta`). The server's body limit may not be lower.
 */
export const MAX_TEXT_CALL_BYTES = MAX_TEXT_LENGTH * 6 + 200 * 1024;

/** Code units segmented at once: Intl.Segmenter is quadratic on Node 20, so pieces are kept short. */
const CHUNK_LENGTH = 512;
/** Code units analyzed between two turns of the event loop, so that /healthz and SIGTERM are served meanwhile. */
const YIELD_EVERY = 4096;
/** Code units past a cut that is not safe looked at to finish the word or sentence that runs across it. */
const CONTEXT = 256;

const wordSegmenter = new Intl.Segmenter('en', { granularity: 'word' });
const sentenceSegmenter = new Intl.Segmenter('en', { granularity: 'sentence' });
const graphemeSegmenter = new Intl.Segmenter('en', { granularity: 'grapheme' });

/**
 * Text made only of code units that never join a neighbour into one grapheme cluster, but for CR
 * before LF (UAX #29: none is Extend, SpacingMark, ZWJ, Prepend, Hangul, a regional indicator or a
 * surrogate): ASCII, Latin-1 and Latin Extended letters, spacing modifiers, CJK symbols and
 * punctuation but for the combining tone marks, kana but for the combining voiced sound marks, CJK
 * ideographs and fullwidth ASCII. Intl.Segmenter's grapheme iterator, the slowest part on Node 20,
 * is then not needed.
 */
export const SINGLE_UNIT_GRAPHEMES = /^[\0-\u02ff\u3000-\u3029\u3030-\u3098\u309b-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uff01-\uff5e]*$/;
/** The white space (`\s`) among those code units. */
const WHITE_SPACE_UNITS = /[\t\n\v\f\r \u00a0\u3000]/g;
const CRLF = /\r\n/g;

function countMatches(text: string, re: RegExp): number {
  re.lastIndex = 0;
  let n = 0;
  while (re.exec(text) !== null) n++;
  return n;
}

/**
 * What a piece must hold to have a word-like segment or a sentence boundary, or to extend a word
 * begun before it (UAX #29): letters, digits, marks, connector punctuation, format characters,
 * sentence terminators or separators. A piece of other characters only (symbols, emoji without
 * selectors or joiners, control characters, lone surrogates) needs no word or sentence segmentation.
 */
const MAY_HOLD_WORDS = /[\p{L}\p{N}\p{M}\p{Pc}\p{Cf}\p{Sentence_Terminal}\n\r\u0085\u2028\u2029]/u;

const hasLetterOrDigit = (s: string) => /[\p{L}\p{N}]/u.test(s);
const WHITE_SPACE = /^\s+$/u;
/** Whether a grapheme is white space; single code units, the usual case, without a regular expression. */
function isWhiteSpace(s: string): boolean {
  if (s.length !== 1) return WHITE_SPACE.test(s);
  const c = s.charCodeAt(0);
  if (c < 0x80) return c === 0x20 || (c >= 0x09 && c <= 0x0d);
  return WHITE_SPACE.test(s);
}

export interface TextAnalysis {
  words: number;
  sentences: number;
  paragraphs: number;
  characters: number;
  charactersNoSpaces: number;
  averageWordsPerSentence: number;
  readingTimeSeconds: number;
}

/** User-perceived characters, and those that are not white space. */
interface CharacterCount {
  characters: number;
  nonSpace: number;
}

function countCharacters(piece: string): CharacterCount {
  if (SINGLE_UNIT_GRAPHEMES.test(piece)) {
    // Every code unit is a user-perceived character of its own, but for CR LF pairs (white space).
    return { characters: piece.length - countMatches(piece, CRLF), nonSpace: piece.length - countMatches(piece, WHITE_SPACE_UNITS) };
  }
  let characters = 0;
  let nonSpace = 0;
  for (const { segment } of graphemeSegmenter.segment(piece)) {
    characters++;
    if (!isWhiteSpace(segment)) nonSpace++;
  }
  return { characters, nonSpace };
}

/**
 * Running totals over consecutive pieces of a text. A piece cut where the whole text may have no word
 * or sentence boundary is segmented with CONTEXT more code units after the cut: a word or sentence
 * that runs across the cut is counted, whole, with this piece, and the next piece skips its first one.
 */
class Tally {
  words = 0;
  sentences = 0;
  characters = 0;
  charactersNoSpaces = 0;
  private skipWord = false;
  private skipSentence = false;

  /** Adds text[start, end); `context`: text[end, context) is looked at to finish a word or sentence open at `end`. */
  add(text: string, start: number, end: number, context = end, characters?: CharacterCount): void {
    const piece = text.slice(start, context);
    const length = end - start;
    const c = characters ?? countCharacters(context === end ? piece : piece.slice(0, length));
    this.characters += c.characters;
    this.charactersNoSpaces += c.nonSpace;
    if (!MAY_HOLD_WORDS.test(piece)) {
      // No word here, and no sentence boundary: the open sentence, if any, goes on.
      this.skipWord = false;
      return;
    }
    let r = countSegments(wordSegmenter.segment(piece), (s) => s.isWordLike === true, length, this.skipWord);
    this.words += r.count;
    this.skipWord = r.open;
    r = countSegments(sentenceSegmenter.segment(piece), (s) => hasLetterOrDigit(s.segment), length, this.skipSentence);
    this.sentences += r.count;
    this.skipSentence = r.open;
  }
}

/**
 * Counts the segments that start before `end` and `keep`, but for the first when `skipFirst` (counted
 * with the previous piece). `open`: the last one runs past `end`.
 */
function countSegments(
  segments: Intl.Segments,
  keep: (s: Intl.SegmentData) => boolean,
  end: number,
  skipFirst: boolean,
): { count: number; open: boolean } {
  let count = 0;
  let first = true;
  for (const s of segments) {
    if (s.index >= end) break;
    if (!(first && skipFirst) && keep(s)) count++;
    first = false;
    if (s.index + s.segment.length > end) return { count, open: true };
  }
  return { count, open: false };
}

function summary(t: Pick<Tally, 'words' | 'sentences' | 'characters' | 'charactersNoSpaces'>, paragraphs: number): TextAnalysis {
  return {
    words: t.words,
    sentences: t.sentences,
    paragraphs,
    characters: t.characters,
    charactersNoSpaces: t.charactersNoSpaces,
    averageWordsPerSentence: t.sentences === 0 ? 0 : Math.round((t.words / t.sentences) * 10) / 10,
    readingTimeSeconds: Math.ceil((t.words / WORDS_PER_MINUTE) * 60),
  };
}

const countParagraphs = (text: string) => text.split(/\n\s*\n/).filter((p) => p.trim() !== '').length;

/**
 * Segments the whole text at once with Intl.Segmenter alone: the reference the chunked analysis is
 * checked against. Its cost grows with the square of the length on Node 20 (100,000 characters: seconds).
 */
export function analyzeWhole(text: string): TextAnalysis {
  const count = <T>(items: Iterable<T>, keep: (item: T) => boolean) => {
    let n = 0;
    for (const item of items) if (keep(item)) n++;
    return n;
  };
  const t = {
    words: count(wordSegmenter.segment(text), (s) => s.isWordLike === true),
    sentences: count(sentenceSegmenter.segment(text), (s) => hasLetterOrDigit(s.segment)),
    characters: count(graphemeSegmenter.segment(text), () => true),
    charactersNoSpaces: count(graphemeSegmenter.segment(text), (s) => !WHITE_SPACE.test(s.segment)),
  };
  return summary(t, countParagraphs(text));
}

const isUpperAscii = (c: number) => c >= 0x41 && c <= 0x5a;
const isCjk = (c: number) => (c >= 0x3040 && c <= 0x30ff) || (c >= 0x3400 && c <= 0x4dbf) || (c >= 0x4e00 && c <= 0x9fff);

/**
 * Whether every segmentation (grapheme, word, sentence) of the whole text breaks between
 * `text[i - 1]` and `text[i]` whatever comes before and after, so pieces cut there segment alike:
 * - after a line or paragraph separator (LF; CR not followed by LF; NEL, U+2028, U+2029): Unicode
 *   text segmentation (UAX #29) breaks there unconditionally and no rule looks across it;
 * - after `.`, `!` or `?` and spaces, before an ASCII capital letter (a new sentence);
 * - after an ideographic full stop, exclamation or question mark, before a CJK character.
 */
function isSafeCut(text: string, i: number): boolean {
  const prev = text.charCodeAt(i - 1);
  const next = text.charCodeAt(i);
  if (prev === 0x0a || prev === 0x85 || prev === 0x2028 || prev === 0x2029) return true;
  if (prev === 0x0d) return next !== 0x0a;
  if (prev === 0x20 && isUpperAscii(next)) {
    let j = i - 1;
    while (j > 0 && text.charCodeAt(j) === 0x20) j--;
    const end = text.charCodeAt(j);
    return end === 0x2e || end === 0x21 || end === 0x3f;
  }
  if ((prev === 0x3002 || prev === 0xff01 || prev === 0xff1f) && isCjk(next)) return true;
  return false;
}

interface Cut {
  at: number;
  /** Whether the cut is safe (see isSafeCut); otherwise words and sentences may run across it. */
  safe: boolean;
  /** The characters of text[start, at), when finding the cut counted them. */
  characters?: CharacterCount;
}

/**
 * Where the piece that starts at `start` ends: the last safe cut within CHUNK_LENGTH code units;
 * failing that, the last grapheme boundary after white space, or the last grapheme boundary. Past
 * such a fallback cut the piece is segmented CONTEXT code units further (see Tally), so a word or
 * sentence that runs across it is counted once. Counts can then differ from whole-text segmentation
 * only where a rule needs more context than that: a run of more than CHUNK_LENGTH CJK characters
 * with no punctuation (the dictionary may split its words differently near the cut), a word or
 * sentence that goes on for more than CONTEXT code units past a cut and is then split by what
 * follows, or a single user-perceived character longer than CHUNK_LENGTH code units (cut inside).
 */
function nextCut(text: string, start: number): Cut {
  const limit = start + CHUNK_LENGTH;
  if (limit >= text.length) return { at: text.length, safe: true };
  for (let i = limit; i > start; i--) if (isSafeCut(text, i)) return { at: i, safe: true };

  const slice = text.slice(start, limit);
  if (SINGLE_UNIT_GRAPHEMES.test(slice)) {
    // Every position is a grapheme boundary but inside CR LF, which isSafeCut would have taken.
    for (let i = slice.length - 1; i > 0; i--) {
      if (isWhiteSpace(slice[i - 1]!) && !isWhiteSpace(slice[i]!)) return { at: start + i, safe: false };
    }
    return { at: limit, safe: false };
  }
  let characters = 0;
  let nonSpace = 0;
  let afterSpace: (CharacterCount & { index: number }) | undefined;
  let last: (CharacterCount & { index: number }) | undefined;
  let prevSpace = false;
  for (const { segment, index } of graphemeSegmenter.segment(slice)) {
    const space = isWhiteSpace(segment);
    if (index > 0) {
      last = { index, characters, nonSpace };
      if (prevSpace && !space) afterSpace = last;
    }
    characters++;
    if (!space) nonSpace++;
    prevSpace = space;
  }
  const cut = afterSpace ?? last;
  if (cut) return { at: start + cut.index, safe: false, characters: { characters: cut.characters, nonSpace: cut.nonSpace } };
  // One user-perceived character longer than the piece: cut inside it, but not inside a surrogate pair.
  return { at: /[\uD800-\uDBFF]/.test(text[limit - 1]!) ? limit + 1 : limit, safe: false };
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Counts the words, sentences, paragraphs and user-perceived characters of `text` with Intl.Segmenter.
 * The text is segmented in pieces of at most CHUNK_LENGTH code units cut where segmentation does not
 * depend on what lies beyond (see `nextCut`), so the cost grows linearly with the length on every Node
 * version, and the event loop gets a turn every YIELD_EVERY code units.
 */
export async function analyze(text: string): Promise<TextAnalysis> {
  const t = new Tally();
  let sinceYield = 0;
  for (let start = 0; start < text.length; ) {
    const cut = nextCut(text, start);
    t.add(text, start, cut.at, cut.safe ? cut.at : Math.min(text.length, cut.at + CONTEXT), cut.characters);
    sinceYield += cut.at - start;
    start = cut.at;
    if (sinceYield >= YIELD_EVERY && start < text.length) {
      sinceYield = 0;
      await nextTurn();
    }
  }
  return summary(t, countParagraphs(text));
}

export const analyzeText = defineTool({
  name: 'analyze_text',
  title: 'Analyze text',
  description:
    'Counts the words, sentences, paragraphs and characters (user-perceived characters, with and without ' +
    `white space) of a text of up to ${MAX_TEXT_LENGTH} UTF-16 code units, and estimates its reading time at ` +
    `${WORDS_PER_MINUTE} words a minute.`,
  inputSchema: {
    text: z
      .string()
      .max(MAX_TEXT_LENGTH, {
        error: (issue) =>
          `text is longer than ${MAX_TEXT_LENGTH} UTF-16 code units, the most analyze_text accepts` +
          (typeof issue.input === 'string' ? ` (it has ${issue.input.length})` : ''),
      })
      .describe(`The text to analyze, at most ${MAX_TEXT_LENGTH} UTF-16 code units`),
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
  probe: { text: 'The synthetic check. It counts two sentences.' },
  run: ({ text }) => analyze(text),
});
