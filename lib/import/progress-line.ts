// Progress of an import: a bar redrawn in place on a terminal, one plain line per file otherwise (so a
// log or CI output stays readable).
export interface ProgressState {
  readonly done: number;
  /** Unknown while the tree is still being walked. */
  readonly total?: number;
  readonly stored: number;
  readonly duplicates: number;
  readonly rejected: number;
}

const BAR_WIDTH = 30;

export function progressBar(state: ProgressState, columns: number): string {
  const counts = `存 ${state.stored} 重 ${state.duplicates} 拒 ${state.rejected}`;
  if (state.total === undefined || state.total === 0) return `${state.done} ${counts}`.slice(0, columns - 1);
  const ratio = Math.min(1, state.done / state.total);
  const filled = Math.round(ratio * BAR_WIDTH);
  const bar = `[${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}]`;
  return `${bar} ${state.done}/${state.total} ${(ratio * 100).toFixed(0)}% ${counts}`.slice(0, columns - 1);
}

export function plainLine(file: string, status: string, reason?: string): string {
  return reason === undefined ? `${status} ${file}` : `${status} ${file}: ${reason}`;
}
