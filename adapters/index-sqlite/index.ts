export { createSqliteEngine } from './sqlite-engine.ts';
export type { SqliteEngineOptions } from './sqlite-engine.ts';
