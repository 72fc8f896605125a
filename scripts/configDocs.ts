import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';

export interface DeclaredKey {
  type: string;
  description: string;
  default?: unknown;
  items?: { type: string };
}

const root = path.resolve(__dirname, '..');

/** The `config:` block of Pulumi.yaml: every setting with its type, description and default. */
export function declaredConfig(): Record<string, DeclaredKey> {
  return parse(readFileSync(path.join(root, 'Pulumi.yaml'), 'utf8')).config;
}

/** The README's table of settings, made from Pulumi.yaml. */
export function configTable(): string {
  const rows = Object.entries(declaredConfig()).map(([key, d]) => {
    const type = d.type === 'array' ? `list of ${d.items?.type ?? 'string'}` : d.type;
    const def = d.default === undefined ? '—' : `\`${JSON.stringify(d.default)}\``;
    return `| \`${key}\` | ${type} | ${def} | ${d.description.replace(/\|/g, '\\|')} |`;
  });
  return ['| key | type | default | what it does |', '|---|---|---|---|', ...rows].join('\n');
}

if (require.main === module) console.log(configTable());
