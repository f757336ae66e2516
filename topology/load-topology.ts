// Reads a topology file, validates it and hands back a frozen value. A bad file throws one
// TopologyError naming every problem with its key path and line, so the process can print it and exit.
import { readFileSync } from 'node:fs';
import { isMap, isNode, isScalar, isSeq, LineCounter, parseDocument } from 'yaml';
import type { Document, YAMLError } from 'yaml';
import { formatPath } from './read-fields.ts';
import type { Issues, RawIssue } from './read-fields.ts';
import { TopologyError } from './topology-error.ts';
import type { TopologyIssue } from './topology-error.ts';
import type { Topology } from './topology-types.ts';
import { validateTopology } from './validate-topology.ts';

export { TopologyError } from './topology-error.ts';
export type { TopologyIssue } from './topology-error.ts';
export { topologyWarnings } from './topology-warnings.ts';

export function loadTopology(file: string): Topology {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new TopologyError(file, [{ path: '', message: `cannot read the topology file: ${reason}` }]);
  }
  return parseTopology(text, file);
}

/** `source` names the text in messages, usually the file path. */
export function parseTopology(text: string, source: string): Topology {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  // Warnings too: an unresolved tag silently turns a value into a string, and topology must be unambiguous.
  const yamlProblems = [...doc.errors, ...doc.warnings];
  if (yamlProblems.length > 0) throw new TopologyError(source, yamlProblems.map((e) => yamlIssue(e, lineCounter)));
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 100 });
  } catch (error) {
    throw new TopologyError(source, [{ path: '', message: `YAML: ${error instanceof Error ? error.message : String(error)}` }]);
  }
  const issues: Issues = [];
  const topology = validateTopology(issues, value);
  if (topology === undefined) {
    // In file order, so the operator can fix top to bottom; issues without a line (missing sections) first.
    const located = issues.map((issue) => locate(issue, doc, lineCounter));
    throw new TopologyError(source, located.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0)));
  }
  return deepFreeze(topology);
}

function yamlIssue(error: YAMLError, lineCounter: LineCounter): TopologyIssue {
  const { line, col } = lineCounter.linePos(error.pos[0]);
  return { path: '', message: `YAML: ${error.message}`, line, column: col };
}

/** Points at the deepest key of the issue's path that exists in the source (the parent of a missing key). */
function locate(issue: RawIssue, doc: Document, lineCounter: LineCounter): TopologyIssue {
  let node: unknown = doc.contents;
  let offset: number | undefined;
  for (const part of issue.at) {
    if (isMap(node)) {
      const pair = node.items.find((item) => isScalar(item.key) && String(item.key.value) === String(part));
      if (pair === undefined || !isNode(pair.key)) break;
      offset = pair.key.range?.[0];
      node = pair.value;
    } else if (isSeq(node) && typeof part === 'number') {
      const item: unknown = node.items[part];
      if (!isNode(item)) break;
      offset = item.range?.[0];
      node = item;
    } else {
      break;
    }
  }
  const path = formatPath(issue.at);
  if (offset === undefined) return { path, message: issue.message };
  const { line, col } = lineCounter.linePos(offset);
  return { path, message: issue.message, line, column: col };
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
