import { strict as assert } from 'node:assert';
import { analyze } from '../../../app/tools/analyzeText';

describe('analyze_text', () => {
  it('counts words, sentences, paragraphs and characters', () => {
    const r = analyze('Hello, world! How are you?\n\nFine. Thanks a lot.');
    assert.equal(r.words, 9);
    assert.equal(r.sentences, 4);
    assert.equal(r.paragraphs, 2);
    assert.equal(r.characters, 47);
    assert.equal(r.charactersNoSpaces, 38);
    assert.equal(r.averageWordsPerSentence, 2.3);
  });

  it('counts an emoji with modifiers as one character and contractions as one word', () => {
    const r = analyze("Don't 👍🏽");
    assert.equal(r.words, 1);
    assert.equal(r.characters, 7);
  });

  it('estimates reading time at 238 words a minute, rounded up to the second', () => {
    assert.equal(analyze(Array(238).fill('word').join(' ')).readingTimeSeconds, 60);
    assert.equal(analyze('one two three').readingTimeSeconds, 1);
  });

  it('answers zeros for empty text', () => {
    assert.deepEqual(analyze(''), {
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
