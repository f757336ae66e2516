// One log entry as one JSON line: the message text, then the fields of any object arguments as
// fields of their own (not flattened into the text), so that log pipelines can filter on them.
// Callers pass UIDs and codes, never patient names, IDs or birth dates.

const RESERVED = new Set(['time', 'level', 'msg']);

function toField(value: unknown): unknown {
  if (value instanceof Error) return { name: value.name, message: value.message, ...(value.stack ? { stack: value.stack } : {}) };
  return value;
}

export function formatLogEntry(level: string, args: readonly unknown[], bindings: Readonly<Record<string, unknown>>, now = new Date()): string {
  const text: string[] = [];
  const fields: Record<string, unknown> = {};
  for (const arg of args) {
    if (arg instanceof Error) fields.error = toField(arg);
    else if (typeof arg === 'object' && arg !== null && !Array.isArray(arg)) {
      for (const [k, v] of Object.entries(arg)) fields[RESERVED.has(k) ? `_${k}` : k] = toField(v);
    } else text.push(typeof arg === 'string' ? arg : JSON.stringify(arg) ?? String(arg));
  }
  return JSON.stringify({ time: now.toISOString(), level, msg: text.join(' '), ...bindings, ...fields });
}
