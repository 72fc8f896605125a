// defineServer refusing definitions that cannot be served.
import assert from 'node:assert/strict';
import { z } from 'zod';
import { definePrompt, defineResource, defineResourceTemplate, defineServer, DEFAULT_CACHE_HINTS, type CacheHints } from '../../../app/mcp/define';

const base = { title: 'T', instructions: 'T', tools: [] };
const template = (name: string, uriTemplate: string) => defineResourceTemplate({ name, uriTemplate, title: name, mimeType: 'text/plain', read: () => '' });
const prompt = (name: string) => definePrompt({ name, title: name, description: name, messages: () => [] });

describe('defineServer', () => {
  it('refuses two resource templates with one name', () => {
    assert.throws(() => defineServer({ ...base, resources: [template('note', 'a://{id}'), template('note', 'b://{id}')] }), /two resources \(names\) are named note/);
  });

  it('refuses two resources with one URI or URI template', () => {
    assert.throws(() => defineServer({ ...base, resources: [template('a', 'a://{id}'), template('b', 'a://{id}')] }), /named a:\/\/\{id\}/);
  });

  it('refuses two prompts with one name', () => {
    assert.throws(() => defineServer({ ...base, prompts: [prompt('p'), prompt('p')] }), /two prompts are named p/);
  });

  const bad: [string, CacheHints, RegExp][] = [
    ['a negative ttlMs', { 'tools/list': { ttlMs: -1 } }, /cacheHints\["tools\/list"\]: ttlMs must be a whole number/],
    ['a ttlMs over a day', { 'prompts/list': { ttlMs: 86_400_001 } }, /ttlMs must be a whole number of milliseconds from 0 to 86400000/],
    ['a scope that is not one', { 'tools/list': { cacheScope: 'shared' as never } }, /cacheScope must be "public" or "private"/],
    ['a method without cache hints', { 'tools/call': { ttlMs: 1 } } as never, /tools\/call is not one of/],
  ];
  for (const [what, cacheHints, message] of bad) {
    it(`refuses ${what} in cacheHints`, () => assert.throws(() => defineServer({ ...base, cacheHints }), message));
  }

  it('refuses a bad cache hint on a resource, naming it', () => {
    const r = defineResource({ name: 'r', uri: 'r://x', title: 'r', mimeType: 'text/plain', cache: { ttlMs: 1.5 }, read: () => '' });
    assert.throws(() => defineServer({ ...base, resources: [r] }), /resource r: cache: ttlMs must be a whole number/);
  });

  it('fills in the default cache hints under the server’s own', () => {
    const def = defineServer({ ...base, cacheHints: { 'tools/list': { ttlMs: 5 } } });
    assert.deepEqual(def.cacheHints, { ...DEFAULT_CACHE_HINTS, 'tools/list': { ttlMs: 5, cacheScope: 'public' } });
  });

  it('refuses completion of a variable the template does not have, or an argument the prompt does not have', () => {
    assert.throws(
      () => defineResourceTemplate({ name: 'n', uriTemplate: 'n://{id}', title: 'n', mimeType: 'text/plain', complete: { idd: () => [] }, read: () => '' }),
      /complete names idd, not variables of n:\/\/\{id\}/,
    );
    assert.throws(
      () => definePrompt({ name: 'p', title: 'p', description: 'p', args: { a: z.string() }, complete: { b: () => [] } as never, messages: () => [] }),
      /complete names b, not arguments/,
    );
  });
});
