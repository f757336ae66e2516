// The one contract every index engine passes (Kysely runs one suite per dialect). A test file calls
// registerIndexEngineContract(test, target) once per engine; every test is named "<engine> › ...".
// The store shared by a file is created in test.before by two concurrent migrators; a setup failure
// fails every test of that engine (never skips) with the target's hint, and leaves other engines'
// tests in the same file running.
import type { ExecutionContext, TestFn } from 'ava';
import type { IndexEngine, MigrationReport } from '../../lib/index-model/index-engine.ts';
import type { IndexSchema } from '../../lib/index-model/table-model.ts';
import { registerErrorCases } from './contract-errors.ts';
import { registerMigrationCases } from './contract-migrations.ts';
import { registerRowCases } from './contract-rows.ts';
import { registerScanCases } from './contract-scan.ts';
import { CONTRACT_SCHEMA } from './contract-schema.ts';
import { registerTtlCases } from './contract-ttl.ts';

export interface ContractTarget {
  readonly name: 'sqlite' | 'cassandra';
  /** Cheap engines get a fresh store per test; others share the file's store (tests use unique partitions). */
  readonly storePerTest: boolean;
  /** A new, empty store (SQLite file, Cassandra keyspace); engines opened on one store share data. */
  createStore(): Promise<string>;
  open(store: string, schema: IndexSchema): Promise<IndexEngine>;
  /** After all tests: remove every store createStore made. */
  dispose(): Promise<void>;
  /** Added to the failure message when the engine cannot be set up (how to start it). */
  readonly unavailableHint: string;
}

export type ContractBody = (t: ExecutionContext, engine: IndexEngine) => Promise<void>;

export interface ContractContext {
  readonly target: ContractTarget;
  /** Registers a test that receives a migrated engine over CONTRACT_SCHEMA. */
  readonly it: (title: string, body: ContractBody) => void;
  /** The reports of the two concurrent migrations run on the shared store before the tests. */
  readonly initialReports: () => readonly MigrationReport[];
  /** An engine over `schema` on a new store, closed when the test ends. */
  readonly openFresh: (t: ExecutionContext, schema: IndexSchema) => Promise<{ store: string; engine: IndexEngine }>;
}

interface SharedStore {
  engine?: IndexEngine;
  reports: MigrationReport[];
  failure?: unknown;
}

export function registerIndexEngineContract(test: TestFn, target: ContractTarget): void {
  const shared: SharedStore = { reports: [] };
  test.before(`${target.name} › set up the shared store`, async (t) => {
    t.timeout(120_000);
    try {
      await setUpSharedStore(target, shared);
    } catch (error) {
      shared.failure = error;
    }
  });
  test.after.always(`${target.name} › tear down`, async () => {
    await shared.engine?.close();
    await target.dispose();
  });
  const context = createContext(test, target, shared);
  registerMigrationCases(context);
  registerRowCases(context);
  registerScanCases(context);
  registerTtlCases(context);
  registerErrorCases(context);
}

async function setUpSharedStore(target: ContractTarget, shared: SharedStore): Promise<void> {
  const store = await target.createStore();
  const first = await target.open(store, CONTRACT_SCHEMA);
  shared.engine = first;
  const second = await target.open(store, CONTRACT_SCHEMA);
  try {
    shared.reports = await Promise.all([first.migrate(), second.migrate()]);
  } finally {
    await second.close();
  }
}

function createContext(test: TestFn, target: ContractTarget, shared: SharedStore): ContractContext {
  const openFresh = async (t: ExecutionContext, schema: IndexSchema): Promise<{ store: string; engine: IndexEngine }> => {
    const store = await target.createStore();
    const engine = await target.open(store, schema);
    t.teardown(() => engine.close());
    return { store, engine };
  };
  const engineFor = async (t: ExecutionContext): Promise<IndexEngine> => {
    if (shared.failure !== undefined || shared.engine === undefined) {
      const reason = shared.failure instanceof Error ? shared.failure.message : String(shared.failure);
      throw new Error(`${target.name} index engine is not available: ${reason}\n${target.unavailableHint}`);
    }
    if (!target.storePerTest) return shared.engine;
    const { engine } = await openFresh(t, CONTRACT_SCHEMA);
    await engine.migrate();
    return engine;
  };
  return {
    target,
    initialReports: () => shared.reports,
    openFresh,
    it: (title, body) => {
      test(`${target.name} › ${title}`, async (t) => {
        t.timeout(60_000);
        await body(t, await engineFor(t));
      });
    },
  };
}
