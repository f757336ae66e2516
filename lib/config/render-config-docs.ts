// The configuration reference as a Markdown table, from the schema.
import { CONFIG_KEYS, type KeyKind } from './config-keys.ts';

function describeType(type: KeyKind): string {
  switch (type.kind) {
    case 'string': return type.hint ?? 'text';
    case 'secret': return `secret, ≥ ${type.minLength} chars`;
    case 'path': return 'path';
    case 'port': return 'port';
    case 'host': return 'host / IP';
    case 'number': return `${type.integer ? 'integer' : 'number'} ${type.min}–${type.max}`;
    case 'enum': return type.values.join(' \\| ');
    case 'list': return { url: 'list of nats://host:port', hostPort: 'list of host:port', aePeer: 'list of AET@host:port', aeAllowed: 'list of AET or AET@ip' }[type.item];
  }
}

export function renderConfigTable(): string {
  const rows = Object.values(CONFIG_KEYS).map((spec) => {
    const def = 'default' in spec ? `\`${spec.default}\`` : '—';
    return `| \`${spec.env}\` | ${describeType(spec.type)} | ${def} | ${spec.doc.zh}<br>${spec.doc.en} |`;
  });
  return ['| 变量 Variable | 类型 Type | 默认 Default | 说明 Meaning |', '|---|---|---|---|', ...rows].join('\n');
}
