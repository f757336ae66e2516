// TTL: rows written with a TTL or into a table with a default TTL disappear; ttlSeconds 0 means never;
// an expired row neither blocks a conditional insert nor lends its columns to a later upsert.
import { setTimeout as sleep } from 'node:timers/promises';
import type { ContractContext } from './index-engine-contract.ts';
import { drain, uniqueId } from './contract-schema.ts';

// Cassandra expires on whole seconds: a TTL of n s lasts between n - 1 and n s. Rows whose presence is
// asserted right after the write therefore get 2 s, and every wait leaves 1.5 s of margin.
const SHORT_TTL = 2;
const EXPIRY_WAIT_MS = 3_500;

export function registerTtlCases({ it }: ContractContext): void {
  it('ttl: a row written with ttlSeconds 1 is gone after 2.5 s (ttlSeconds 2: after 3.5 s); one without stays', async (t, engine) => {
    const [one, two, lasting] = [uniqueId('ttl-1'), uniqueId('ttl-2'), uniqueId('ttl-none')];
    await engine.write([
      { kind: 'put', table: 'contract_kv', row: { k: one, v: 'one', n: 1 }, ttlSeconds: 1 },
      { kind: 'put', table: 'contract_kv', row: { k: two, v: 'two', n: 2 }, ttlSeconds: SHORT_TTL },
      { kind: 'put', table: 'contract_kv', row: { k: lasting, v: 'lasting', n: 3 } },
    ]);
    t.deepEqual(await engine.get('contract_kv', { k: two }), { k: two, v: 'two', n: 2 });
    await sleep(2_500);
    t.is(await engine.get('contract_kv', { k: one }), undefined);
    t.deepEqual(await engine.scan('contract_kv', { k: one }), { rows: [] });
    await sleep(EXPIRY_WAIT_MS - 2_500);
    t.is(await engine.get('contract_kv', { k: two }), undefined);
    t.deepEqual(await engine.get('contract_kv', { k: lasting }), { k: lasting, v: 'lasting', n: 3 });
  });

  it('ttl: the table default applies, and ttlSeconds 0 overrides it', async (t, engine) => {
    const k = uniqueId('default-ttl');
    await engine.write([
      { kind: 'put', table: 'contract_expiring', row: { k, i: 1, v: 'default' } },
      { kind: 'put', table: 'contract_expiring', row: { k, i: 2, v: 'forever' }, ttlSeconds: 0 },
    ]);
    t.is((await drain(engine, 'contract_expiring', { k })).rows.length, 2);
    await sleep(EXPIRY_WAIT_MS);
    t.deepEqual((await drain(engine, 'contract_expiring', { k })).rows, [{ k, i: 2, v: 'forever' }]);
    t.is(await engine.get('contract_expiring', { k, i: 1 }), undefined);
  });

  it('ttl: an expired row neither blocks insertIfNotExists nor lends columns to an upsert', async (t, engine) => {
    const [lwt, upsert] = [uniqueId('ttl-lwt'), uniqueId('ttl-upsert')];
    t.deepEqual(await engine.insertIfNotExists('contract_kv', { k: lwt, v: 'old', n: 1 }, SHORT_TTL), { applied: true });
    await engine.write([{ kind: 'put', table: 'contract_kv', row: { k: upsert, v: 'old', n: 5 }, ttlSeconds: SHORT_TTL }]);
    t.is((await engine.insertIfNotExists('contract_kv', { k: lwt, v: 'early', n: 2 })).applied, false);
    await sleep(EXPIRY_WAIT_MS);
    t.deepEqual(await engine.insertIfNotExists('contract_kv', { k: lwt, v: 'new', n: 3 }), { applied: true });
    t.deepEqual(await engine.get('contract_kv', { k: lwt }), { k: lwt, v: 'new', n: 3 });
    await engine.write([{ kind: 'put', table: 'contract_kv', row: { k: upsert, v: 'fresh' } }]);
    t.deepEqual(await engine.get('contract_kv', { k: upsert }), { k: upsert, v: 'fresh', n: null });
  });
}
