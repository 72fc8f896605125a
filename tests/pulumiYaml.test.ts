import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { CONFIG_KEYS, parseConfig } from '../config';
import { configTable, declaredConfig } from '../scripts/configDocs';

const root = path.resolve(__dirname, '..');

describe('Pulumi.yaml and the README', () => {
  const declared = declaredConfig();

  it('declares exactly the settings the program reads', () => {
    assert.deepEqual(Object.keys(declared).sort(), [...CONFIG_KEYS].sort());
  });

  it('declares the defaults the program applies', () => {
    const defaults = parseConfig({}) as Record<string, unknown>;
    for (const [key, d] of Object.entries(declared)) {
      assert.deepEqual(d.default, defaults[key], key);
      assert.ok(['string', 'integer', 'boolean', 'array'].includes(d.type), `${key} has a Pulumi config type`);
      assert.ok(d.description.length > 10, `${key} has a description`);
    }
  });

  it('the README lists every setting as Pulumi.yaml declares it (npx tsx scripts/configDocs.ts)', () => {
    const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
    const section = /<!-- config:start -->\n([\s\S]*?)\n<!-- config:end -->/.exec(readme);
    assert.ok(section, 'README has a config section');
    assert.equal(section[1], configTable());
  });

  for (const stack of ['dev', 'prod']) {
    it(`Pulumi.${stack}.yaml is a valid configuration`, () => {
      const values = parse(readFileSync(path.join(root, `Pulumi.${stack}.yaml`), 'utf8')).config as Record<string, unknown>;
      const raw: Record<string, string> = {};
      for (const [k, v] of Object.entries(values)) {
        if (k.startsWith('mcp-on-aws:')) raw[k.slice('mcp-on-aws:'.length)] = typeof v === 'string' ? v : JSON.stringify(v);
      }
      const config = parseConfig(raw);
      assert.equal(config.target, stack === 'dev' ? 'lambda' : 'fargate');
    });
  }
});
