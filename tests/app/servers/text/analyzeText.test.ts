import { strict as assert } from 'node:assert';
import { readEnv } from '../../../../app/config';
import { createApp, DEFAULT_MAX_BODY_BYTES } from '../../../../app/createApp';
import { analyze, analyzeWhole, MAX_TEXT_CALL_BYTES, MAX_TEXT_LENGTH, SINGLE_UNIT_GRAPHEMES } from '../../../../app/servers/text/tools/analyzeText';
import { listen, post, request, rpcBody, silentLogger, type Running } from '../../../helpers/http';
import { text as textServer } from '../../testServers';

describe('analyze_text', () => {
  it('counts words, sentences, paragraphs and characters', async () => {
    const r = await analyze('Hello, world! How are you?\n\nFine. Thanks a lot.');
    assert.equal(r.words, 9);
    assert.equal(r.sentences, 4);
    assert.equal(r.paragraphs, 2);
    assert.equal(r.characters, 47);
    assert.equal(r.charactersNoSpaces, 38);
    assert.equal(r.averageWordsPerSentence, 2.3);
  });

  it('counts an emoji with modifiers as one character and contractions as one word', async () => {
    const r = await analyze("Don't 👍🏽");
    assert.equal(r.words, 1);
    assert.equal(r.characters, 7);
  });

  it('estimates reading time at 238 words a minute, rounded up to the second', async () => {
    assert.equal((await analyze(Array(238).fill('word').join(' '))).readingTimeSeconds, 60);
    assert.equal((await analyze('one two three')).readingTimeSeconds, 1);
  });

  it('answers zeros for empty text', async () => {
    assert.deepEqual(await analyze(''), {
      words: 0,
      sentences: 0,
      paragraphs: 0,
      characters: 0,
      charactersNoSpaces: 0,
      averageWordsPerSentence: 0,
      readingTimeSeconds: 0,
    });
  });
});

/** `parts` joined, cycling through them until the text is `length` code units long (cut back to a whole part). */
function build(parts: readonly string[], length: number, sep = ''): string {
  let text = '';
  for (let i = 0; text.length < length; i++) text += parts[i % parts.length] + sep;
  return text;
}

const latin = [
  'The quick brown fox jumps over the lazy dog. ',
  'Mr. Smith met Dr. Jones at 3 p.m. on Jan. 5, and they said "Hello!" ',
  'Is it true? It is. ',
  'e.g. this one continues; i.e. no break. ',
  "Don't stop: it's 3.14 or 2,718.28, isn't it? ",
  '(A parenthesis.) [Another one!] ',
  'U.S.A. Next sentence. ',
];
const cjk = ['我们今天去北京大学学习中文。', '他说这个问题很重要！', '日本語の文章も分割できますか？', '東京に行きました。', 'ガ゙ギ゚の濁点。'];
const emoji = ['👩‍👩‍👧‍👦 family ', '👍🏽 ok. ', '🇫🇷🇩🇪 flags ', '🏳️‍🌈 ', 'I ❤️ it. ', '©2026 ', 'Ha! 😀😀 '];
const marks = ['café ', 'cafe\u0301 ', 'Zalgo z\u0335\u0321a\u0337l\u0338g\u0336o. ', 'नमस्ते दुनिया। ', 'क्षत्रिय ', 'Ελληνικά. ', 'Việt Nam. ', '한국어 문장입니다. '];

// Each text is several times the piece length (512 code units), so it is cut many times.
const inputs: Array<[string, string]> = [
  ['Latin prose with paragraphs', build(latin, 20_000, '\n\n')],
  ['Latin prose on one line', build(latin, 20_000)],
  ['CJK without spaces, one line', build(cjk, 12_000)],
  ['CJK in paragraphs', build(cjk, 12_000, '\n')],
  ['emoji ZWJ sequences, modifiers and flags', build(emoji, 12_000)],
  ['emoji with no space or punctuation', '👩‍👩‍👧‍👦🏳️‍🌈👍🏽🇫🇷'.repeat(400)],
  ['combining marks and Indic conjuncts', build(marks, 12_000)],
  ['Latin with combining accents', build(['cafe\u0301 ', 'nai\u0308ve. ', 'Ho\u0302tel ', 'A\u030a. '], 6000)],
  ['CRLF line endings', build(latin, 12_000, '\r\n')],
  ['blank CRLF lines', 'x' + '\r\n'.repeat(3000)],
  ['CR, NEL, line and paragraph separators', build(latin, 12_000, '\r').replace(/\. /g, '.\u2028') + build(latin, 4000, '\u0085') + build(latin, 4000, '\u2029')],
  ['a long line of words with no punctuation', build(['lorem ', 'ipsum ', 'dolor ', 'sit ', 'amet '], 12_000)],
  ['a long line with no space', 'a'.repeat(3000) + ' and ' + 'x1y2'.repeat(1000) + '. End.'],
  ['tabs, no-break and ideographic spaces', build(['one\ttwo\u00a0three\u3000four. ', 'Five  six. '], 8000)],
  ['long runs of symbols, control characters and lone surrogates', build(['Hello ', '😀'.repeat(700), ' world. ', '\u0001'.repeat(600), 'Next ', '\ud800'.repeat(600), ' end. ', '_'.repeat(900), 'x'], 12_000)],
  ['everything mixed', build([...latin, ...cjk, ...emoji, ...marks], 30_000, ' ')],
];

describe('analyze_text on long texts', () => {
  it('counts text of code units that never join a neighbour without the grapheme segmenter: each is one for Intl.Segmenter', function () {
    this.timeout(60_000);
    const graphemes = new Intl.Segmenter('en', { granularity: 'grapheme' });
    const count = (s: string) => [...graphemes.segment(s)].length;
    const joined: string[] = [];
    for (let c = 0; c < 0x10000; c++) {
      const ch = String.fromCharCode(c);
      if (!SINGLE_UNIT_GRAPHEMES.test(ch) || ch === '\r' || ch === '\n') continue;
      // After a letter, before one, doubled, and after a consonant with virama (an Indic conjunct).
      if (count(`a${ch}`) !== 2 || count(`${ch}a`) !== 2 || count(ch + ch) !== 2 || count(`\u0915\u094d${ch}`) !== 2) joined.push(c.toString(16));
    }
    assert.deepEqual(joined, []);
    assert.equal(count('\r\n'), 1);
  });

  for (const [name, text] of inputs) {
    it(`counts as whole-text segmentation does: ${name}`, async () => {
      assert.ok(text.length > 2000);
      assert.deepEqual(await analyze(text), analyzeWhole(text));
    });
  }

  it('gives the event loop turns while it runs, so /healthz answers during the largest call', async function () {
    this.timeout(60_000);
    const running = await listen(createApp(textServer, { responseMode: 'json', logger: silentLogger }));
    const order: string[] = [];
    try {
      // Once the call's body has been received, the tool starts in the same turn of the event loop;
      // the /healthz request sent then can only be read by the server in a later turn.
      let healthz: Promise<void> | undefined;
      running.server.prependListener('request', (req) => {
        if (req.url !== '/mcp') return;
        req.once('end', () => {
          healthz = request(`${running.url}/healthz`).then(async (res) => {
            assert.equal(res.status, 200);
            await res.text();
            order.push('healthz');
          });
        });
      });
      const text = build(latin, MAX_TEXT_LENGTH).slice(0, MAX_TEXT_LENGTH);
      const res = await post(`${running.url}/mcp`, toolCall('analyze_text', { text }));
      order.push('analyze_text');
      const body = await rpcBody(res);
      assert.equal(body.result.isError, undefined);
      assert.ok(body.result.structuredContent.words > 50_000);
      await healthz;
      assert.deepEqual(order, ['healthz', 'analyze_text']);
    } finally {
      await running.close();
    }
  });
});

function toolCall(name: string, args: unknown, id = 1) {
  return { jsonrpc: '2.0', id, method: 'tools/call', params: { name, arguments: args } };
}

describe('analyze_text and the body limit', function () {
  this.timeout(60_000);
  let running: Running;
  before(async () => {
    running = await listen(createApp(textServer, { responseMode: 'json', logger: silentLogger }));
  });
  after(() => running.close());

  // The longest JSON forms of a text of MAX_TEXT_LENGTH code units: 3 bytes of UTF-8 for each CJK
  // character, `\uXXXX` (6 bytes) for each control character, lone surrogate or escaped surrogate half.
  const n = MAX_TEXT_LENGTH;
  const escapeAll = (json: string) => json.replace(/[\ud800-\udfff]/g, (c) => `\\u${c.charCodeAt(0).toString(16)}`);
  const worst: Array<[string, string, (text: string) => string]> = [
    ['CJK characters', '中'.repeat(n), (t) => JSON.stringify(toolCall('analyze_text', { text: t }))],
    ['control characters', '\u0001'.repeat(n), (t) => JSON.stringify(toolCall('analyze_text', { text: t }))],
    ['astral characters sent as escapes', '😀'.repeat(n / 2), (t) => escapeAll(JSON.stringify(toolCall('analyze_text', { text: t })))],
    ['lone surrogates', '\ud800'.repeat(n), (t) => JSON.stringify(toolCall('analyze_text', { text: t }))],
  ];

  for (const [name, text, encode] of worst) {
    it(`answers the longest text of ${name}, not 413`, async () => {
      assert.equal(text.length, MAX_TEXT_LENGTH);
      const body = encode(text);
      const res = await post(`${running.url}/mcp`, body);
      assert.equal(res.status, 200);
      const rpc = await rpcBody(res);
      assert.equal(rpc.result.isError, undefined, rpc.result.content?.[0]?.text);
      assert.equal(rpc.result.structuredContent.characters, name.startsWith('astral') ? n / 2 : n);
    });
  }

  it('the largest of those bodies fits the default limit with room for the rest of the request', () => {
    const largest = Buffer.byteLength(JSON.stringify(toolCall('analyze_text', { text: '\u0001'.repeat(n) })));
    assert.equal(largest, 6 * n + Buffer.byteLength(JSON.stringify(toolCall('analyze_text', { text: '' }))));
    assert.ok(MAX_TEXT_CALL_BYTES >= largest + 100 * 1024);
    assert.ok(DEFAULT_MAX_BODY_BYTES >= MAX_TEXT_CALL_BYTES);
  });

  it('the default limit fits a Lambda invocation even when every body byte is escaped again in the event', () => {
    // Lambda's synchronous payload quota is 6 MB; the rest of an API Gateway event (headers up to
    // 10 KiB, escaped, and the request context) takes well under 64 KiB.
    assert.ok(2 * DEFAULT_MAX_BODY_BYTES + 64 * 1024 <= 6_000_000);
  });

  it('refuses a text one code unit over the maximum with a tool error naming the limit', async () => {
    const res = await post(`${running.url}/mcp`, toolCall('analyze_text', { text: 'a'.repeat(n + 1) }));
    assert.equal(res.status, 200);
    const rpc = await rpcBody(res);
    assert.equal(rpc.result.isError, true);
    assert.match(rpc.result.content[0].text, new RegExp(`longer than ${n} UTF-16 code units.*\\(it has ${n + 1}\\)`));
  });

  it('a MAX_BODY_BYTES below what the longest call needs is refused where text is served', () => {
    assert.equal(textServer.definition.minBodyBytes, MAX_TEXT_CALL_BYTES);
    assert.throws(() => readEnv({ MAX_BODY_BYTES: String(MAX_TEXT_CALL_BYTES - 1) }), /MAX_BODY_BYTES: must be at least 2604800, what server text needs/);
    assert.throws(() => readEnv({ MAX_BODY_BYTES: String(MAX_TEXT_CALL_BYTES - 1), MCP_SERVER: 'text' }), /server text needs/);
    assert.throws(() => createApp(textServer, { maxBodyBytes: MAX_TEXT_CALL_BYTES - 1 }), /server text needs at least 2604800/);
    // A process serving cost alone may take less.
    assert.equal(readEnv({ MAX_BODY_BYTES: '65536', MCP_SERVER: 'cost' }).MAX_BODY_BYTES, 65536);
    assert.equal(readEnv({ MAX_BODY_BYTES: String(MAX_TEXT_CALL_BYTES) }).MAX_BODY_BYTES, MAX_TEXT_CALL_BYTES);
    assert.equal(readEnv({}).MAX_BODY_BYTES, DEFAULT_MAX_BODY_BYTES);
  });
});
