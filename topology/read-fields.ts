// Typed reads over the plain JS value of the YAML document. Every reader records an issue and
// returns undefined instead of throwing, so one pass reports every problem. Callers may substitute
// a fallback for an undefined value to keep validating the rest: a topology is only returned when
// no issue was recorded, so a fallback never reaches a caller.

/** Keys and list indexes from the document root, e.g. ['nodes', 2, 'roles', 1]. */
export type IssuePath = readonly (string | number)[];

export interface RawIssue {
  readonly at: IssuePath;
  readonly message: string;
}

export type Issues = RawIssue[];

const ID_PATTERN = /^[a-z][a-z0-9-]{0,62}$/;

export function formatPath(at: IssuePath): string {
  return at.map((part, i) => (typeof part === 'number' ? `[${part}]` : i === 0 ? part : `.${part}`)).join('');
}

/** Plain objects only: YAML tags such as !!binary or !!set turn into Buffers and Sets, which are not mappings here. */
export function isMapping(value: unknown): value is Readonly<Record<string, unknown>> {
  if (typeof value !== 'object' || value === null) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/** How a value looks in a message: strings quoted, containers by kind. */
export function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return 'a list';
  if (value === null || value === undefined) return 'nothing';
  if (isMapping(value)) return 'a mapping';
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return `a ${typeof value}`;
}

export function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

export function checkText(issues: Issues, value: unknown, at: IssuePath): string | undefined {
  if (typeof value !== 'string') {
    issues.push({ at, message: `expected a string, got ${describe(value)}` });
    return undefined;
  }
  if (value.trim() === '') {
    issues.push({ at, message: 'must not be empty' });
    return undefined;
  }
  return value;
}

/** Returns a malformed id anyway: it still names something, and references to it should not cascade. */
export function checkId(issues: Issues, value: unknown, at: IssuePath): string | undefined {
  const id = checkText(issues, value, at);
  if (id !== undefined && !ID_PATTERN.test(id)) {
    issues.push({ at, message: `"${id}" is not a valid id (a lowercase letter, then up to 62 lowercase letters, digits or '-')` });
  }
  return id;
}

export function checkInteger(issues: Issues, value: unknown, at: IssuePath, min: number, max: number): number | undefined {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    const range = max === Infinity ? `>= ${min}` : `from ${min} to ${max}`;
    issues.push({ at, message: `expected an integer ${range}, got ${describe(value)}` });
    return undefined;
  }
  return value;
}

export function checkChoice<T extends string>(
  issues: Issues, value: unknown, at: IssuePath, choices: readonly T[], noun: string,
): T | undefined {
  const text = checkText(issues, value, at);
  if (text === undefined) return undefined;
  const choice = choices.find((c) => c === text);
  if (choice === undefined) issues.push({ at, message: `unknown ${noun} "${text}" (expected one of ${choices.join(', ')})` });
  return choice;
}

/** A host name or address, optionally with `:port`; no scheme, no path. */
export function checkHost(issues: Issues, value: unknown, at: IssuePath): string | undefined {
  const host = checkText(issues, value, at);
  if (host === undefined || /^[^\s/]+$/.test(host)) return host;
  issues.push({ at, message: `"${host}" is not a host name or address` });
  return undefined;
}

/** A URL whose scheme is one of `protocols`, e.g. ['nats:', 'tls:']. */
export function checkUrl(issues: Issues, value: unknown, at: IssuePath, protocols: readonly string[]): string | undefined {
  const text = checkText(issues, value, at);
  if (text === undefined) return undefined;
  const url = URL.parse(text);
  if (url === null || !protocols.includes(url.protocol) || url.hostname === '') {
    const schemes = protocols.map((p) => `${p}//`).join(' or ');
    issues.push({ at, message: `"${text}" is not a ${schemes} URL with a host` });
    return undefined;
  }
  return text;
}

function unknownKeyMessage(key: string, allowed: readonly string[]): string {
  const close = allowed.find((candidate) => editDistance(key, candidate) <= 2);
  return close === undefined
    ? `unknown key (expected one of ${allowed.join(', ')})`
    : `unknown key (did you mean "${close}"?)`;
}

/** Levenshtein distance; keys are short, so the quadratic table is fine. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min(substitution, (previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/** A mapping at a known path whose keys are checked against the allowed set on opening. */
export class Fields {
  readonly at: IssuePath;
  readonly issues: Issues;
  readonly #values: Readonly<Record<string, unknown>>;

  private constructor(issues: Issues, values: Readonly<Record<string, unknown>>, at: IssuePath) {
    this.issues = issues;
    this.#values = values;
    this.at = at;
  }

  static open(issues: Issues, value: unknown, at: IssuePath, keys: readonly string[]): Fields | undefined {
    if (!isMapping(value)) {
      issues.push({ at, message: `expected a mapping, got ${describe(value)}` });
      return undefined;
    }
    for (const key of Object.keys(value)) {
      if (!keys.includes(key)) issues.push({ at: [...at, key], message: unknownKeyMessage(key, keys) });
    }
    return new Fields(issues, value, at);
  }

  path(key: string): IssuePath {
    return [...this.at, key];
  }

  /** An empty value (`key:` with nothing after it) counts as absent. */
  has(key: string): boolean {
    return this.#values[key] !== undefined && this.#values[key] !== null;
  }

  report(key: string, message: string): void {
    this.issues.push({ at: this.path(key), message });
  }

  /** The value of a required key; records `required` when it is absent. */
  required(key: string): unknown {
    if (!this.has(key)) {
      this.report(key, 'required');
      return undefined;
    }
    return this.#values[key];
  }

  text(key: string): string | undefined {
    return this.has(key) ? checkText(this.issues, this.#values[key], this.path(key)) : this.#missing(key);
  }

  id(key: string): string | undefined {
    return this.has(key) ? checkId(this.issues, this.#values[key], this.path(key)) : this.#missing(key);
  }

  integer(key: string, min: number, max: number): number | undefined {
    return this.has(key) ? checkInteger(this.issues, this.#values[key], this.path(key), min, max) : this.#missing(key);
  }

  choice<T extends string>(key: string, choices: readonly T[], noun: string): T | undefined {
    return this.has(key) ? checkChoice(this.issues, this.#values[key], this.path(key), choices, noun) : this.#missing(key);
  }

  url(key: string, protocols: readonly string[]): string | undefined {
    return this.has(key) ? checkUrl(this.issues, this.#values[key], this.path(key), protocols) : this.#missing(key);
  }

  flag(key: string): boolean | undefined {
    const value = this.required(key);
    if (value === undefined || typeof value === 'boolean') return value;
    this.report(key, `expected true or false, got ${describe(value)}`);
    return undefined;
  }

  /** A list; `nonEmpty` names what it must hold at least one of. */
  list(key: string, nonEmpty?: string): readonly unknown[] | undefined {
    const value = this.required(key);
    if (value === undefined) return undefined;
    if (!Array.isArray(value)) {
      this.report(key, `expected a list, got ${describe(value)}`);
      return undefined;
    }
    if (nonEmpty !== undefined && value.length === 0) this.report(key, `must list at least one ${nonEmpty}`);
    return value as readonly unknown[];
  }

  nested(key: string, keys: readonly string[]): Fields | undefined {
    const value = this.required(key);
    return value === undefined ? undefined : Fields.open(this.issues, value, this.path(key), keys);
  }

  #missing(key: string): undefined {
    this.report(key, 'required');
    return undefined;
  }
}

/** Reports every repeated id, pointing at the later occurrence and naming the first. */
export function checkUniqueIds(issues: Issues, items: readonly ({ readonly id: string } | undefined)[], listAt: IssuePath): void {
  const first = new Map<string, number>();
  items.forEach((item, i) => {
    if (item === undefined || item.id === '') return;
    const earlier = first.get(item.id);
    if (earlier === undefined) first.set(item.id, i);
    else issues.push({ at: [...listAt, i, 'id'], message: `duplicate id "${item.id}" (also ${formatPath([...listAt, earlier])})` });
  });
}
