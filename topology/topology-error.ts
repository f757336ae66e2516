// One error for every way a topology can be wrong, so a process that prints `.message` and exits
// tells the operator everything to fix in one pass (Fastify's FST_ERR_INIT_OPTS_INVALID spirit).

export interface TopologyIssue {
  /** Where the problem is, e.g. `nodes[2].roles[1]`; empty for the document as a whole. */
  readonly path: string;
  readonly message: string;
  /** 1-based position in the YAML source, when known. */
  readonly line?: number;
  readonly column?: number;
}

export class TopologyError extends Error {
  readonly source: string;
  readonly issues: readonly TopologyIssue[];

  constructor(source: string, issues: readonly TopologyIssue[]) {
    super(formatIssues(source, issues));
    this.name = 'TopologyError';
    this.source = source;
    this.issues = Object.freeze(issues.map((issue) => Object.freeze({ ...issue })));
  }
}

/** `file:line:col: path: message`, the shape editors and terminals turn into links. */
function formatIssues(source: string, issues: readonly TopologyIssue[]): string {
  const count = issues.length === 1 ? '1 problem' : `${issues.length} problems`;
  const lines = issues.map((issue) => {
    const where = issue.line === undefined ? source : `${source}:${issue.line}:${issue.column ?? 1}`;
    return issue.path === '' ? `${where}: ${issue.message}` : `${where}: ${issue.path}: ${issue.message}`;
  });
  return [`${source}: invalid topology, ${count}:`, ...lines].join('\n');
}
