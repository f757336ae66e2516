// Migrations and health: concurrent migrators, idempotency, upgrading a store that holds rows, and
// older code running against a store that newer code migrated.
import { IndexModelError } from '../../lib/index-model/index-model-error.ts';
import type { ContractContext } from './index-engine-contract.ts';
import { CONTRACT_SCHEMA, CONTRACT_SCHEMA_V1, CONTRACT_VERSIONS, eventRow, uniqueId } from './contract-schema.ts';

export function registerMigrationCases({ it, initialReports, openFresh, target }: ContractContext): void {
  it('migrate: concurrent migrators apply each version exactly once; running again applies nothing', async (t, engine) => {
    const reports = initialReports();
    t.is(reports.length, 2);
    t.deepEqual(reports.flatMap((r) => r.applied).sort((a, b) => a - b), CONTRACT_VERSIONS);
    t.deepEqual(reports.map((r) => r.current), [3, 3]);
    t.deepEqual(await engine.migrate(), { applied: [], current: 3 });
    t.deepEqual(await engine.migrate(), { applied: [], current: 3 });
  });

  it('migrate: upgrades a store from version 1 and keeps its rows', async (t) => {
    const { store, engine: v1 } = await openFresh(t, CONTRACT_SCHEMA_V1);
    t.deepEqual(await v1.migrate(), { applied: [1], current: 1 });
    const key = { site: uniqueId('upgrade'), day: '2024-01-01', at: new Date(1_700_000_000_000), seq: 1 };
    await v1.write([{ kind: 'put', table: 'contract_events', row: { ...key, title: 'before' } }]);

    const latest = await target.open(store, CONTRACT_SCHEMA);
    t.teardown(() => latest.close());
    t.deepEqual(await latest.migrate(), { applied: [2, 3], current: 3 });
    t.deepEqual(await latest.get('contract_events', key), eventRow(key.site, key.day, key.at, key.seq, { title: 'before' }));
    await latest.write([{ kind: 'put', table: 'contract_events', row: { ...key, note: '补充说明' } }]);
    t.deepEqual(await latest.get('contract_events', key), eventRow(key.site, key.day, key.at, key.seq, { title: 'before', note: '补充说明' }));
    await t.throwsAsync(latest.get('contract_scratch', { k: 'x' }), { instanceOf: IndexModelError, message: /contract_scratch/ });

    // Older code on a store migrated by newer code: nothing to apply, its tables still work.
    t.deepEqual(await v1.migrate(), { applied: [], current: 3 });
    const v1Row = Object.fromEntries(
      Object.entries(eventRow(key.site, key.day, key.at, key.seq, { title: 'before' })).filter(([column]) => column !== 'note'));
    t.deepEqual(await v1.get('contract_events', key), v1Row);
  });

  it('health: ok, names the engine and its version, measures latency', async (t, engine) => {
    const health = await engine.health();
    t.true(health.ok, health.error);
    t.is(health.engine, target.name);
    t.is(engine.kind, target.name);
    t.regex(health.version ?? '', /^\d+\.\d+/);
    t.true(health.latencySeconds >= 0 && health.latencySeconds < 10);
    t.is(health.error, undefined);
  });
}
