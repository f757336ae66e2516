// Rows: typed round trips, upsert semantics, conditional inserts, atomic writes and deletes.
import type { Row } from '../../lib/index-model/table-model.ts';
import type { ContractContext } from './index-engine-contract.ts';
import { drain, eventRow, uniqueId } from './contract-schema.ts';

const DAY = '2024-05-01';

export function registerRowCases({ it }: ContractContext): void {
  it('put/get round-trips every column type', async (t, engine) => {
    const site = uniqueId('types');
    const full = eventRow(site, DAY, new Date(1_700_000_000_123), 1, {
      title: '胸部CT平扫：双肺纹理清晰 ✓ 𠀋', size: Number.MAX_SAFE_INTEGER, score: -1234.5678e-3, flag: true,
      payload: new Uint8Array([0, 1, 127, 128, 255]), hits: -(2 ** 31), note: 'ß',
    });
    const edge = eventRow(site, DAY, new Date(-1), 2, {
      title: '', size: -Number.MAX_SAFE_INTEGER, score: Infinity, flag: false, payload: new Uint8Array(0), hits: 2 ** 31 - 1,
    });
    const bare = eventRow(site, DAY, new Date(0), 3);
    await engine.write([full, edge, bare].map((row) => ({ kind: 'put' as const, table: 'contract_events', row })));
    for (const row of [full, edge, bare]) {
      const read = await engine.get('contract_events', { site, day: DAY, at: row.at ?? null, seq: row.seq ?? null });
      t.deepEqual(read, row);
    }
    const read = await engine.get('contract_events', { site, day: DAY, at: new Date(-1), seq: 2 });
    t.is(read?.title, '');
    t.true(read?.payload instanceof Uint8Array);
    t.is((read?.at as Date).getTime(), -1);
  });

  it('put upserts: columns not given keep their value, null clears one', async (t, engine) => {
    const k = uniqueId('upsert');
    await engine.write([{ kind: 'put', table: 'contract_kv', row: { k, v: 'first', n: 1 } }]);
    await engine.write([{ kind: 'put', table: 'contract_kv', row: { k, n: 2 } }]);
    t.deepEqual(await engine.get('contract_kv', { k }), { k, v: 'first', n: 2 });
    await engine.write([{ kind: 'put', table: 'contract_kv', row: { k, v: null } }]);
    t.deepEqual(await engine.get('contract_kv', { k }), { k, v: null, n: 2 });
    await engine.write([{ kind: 'put', table: 'contract_kv', row: { k } }]);
    t.deepEqual(await engine.get('contract_kv', { k }), { k, v: null, n: 2 });
    await engine.write([{ kind: 'put', table: 'contract_kv', row: { k, v: 'again', n: undefined } as unknown as Row }]);
    t.deepEqual(await engine.get('contract_kv', { k }), { k, v: 'again', n: 2 });
  });

  it('get of a missing row is undefined; a key-only put creates a row', async (t, engine) => {
    const k = uniqueId('missing');
    t.is(await engine.get('contract_kv', { k }), undefined);
    t.deepEqual(await engine.scan('contract_kv', { k }), { rows: [] });
    await engine.write([{ kind: 'put', table: 'contract_kv', row: { k } }]);
    t.deepEqual(await engine.get('contract_kv', { k }), { k, v: null, n: null });
  });

  it('insertIfNotExists applies once and then reports the existing row', async (t, engine) => {
    const k = uniqueId('lwt');
    t.deepEqual(await engine.insertIfNotExists('contract_kv', { k, v: '首次', n: 7 }), { applied: true });
    const second = await engine.insertIfNotExists('contract_kv', { k, v: 'second', n: 8 });
    t.deepEqual(second, { applied: false, existing: { k, v: '首次', n: 7 } });
    t.deepEqual(await engine.get('contract_kv', { k }), { k, v: '首次', n: 7 });
  });

  it('insertIfNotExists: of 10 concurrent attempts exactly one applies, the rest see its row', async (t, engine) => {
    const k = uniqueId('race');
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => engine.insertIfNotExists('contract_kv', { k, v: `attempt-${String(i)}`, n: i })),
    );
    t.is(results.filter((r) => r.applied).length, 1);
    const winner = await engine.get('contract_kv', { k });
    t.truthy(winner);
    for (const result of results.filter((r) => !r.applied)) t.deepEqual(result.existing, winner);
  });

  it('write applies puts and deletes together, in the order given', async (t, engine) => {
    const [a, b, c, d] = [uniqueId('a'), uniqueId('b'), uniqueId('c'), uniqueId('d')];
    const site = uniqueId('batch');
    const at = new Date(1_700_000_000_000);
    await engine.write([{ kind: 'put', table: 'contract_kv', row: { k: c, v: 'old' } },
      { kind: 'put', table: 'contract_events', row: { site, day: DAY, at, seq: 1, title: 'old' } }]);
    await engine.write([
      { kind: 'put', table: 'contract_kv', row: { k: a, v: 'A' } },
      { kind: 'put', table: 'contract_kv', row: { k: b, v: 'B', n: 2 } },
      { kind: 'delete', table: 'contract_kv', key: { k: c } },
      { kind: 'put', table: 'contract_kv', row: { k: d, v: 'D' } },
      { kind: 'delete', table: 'contract_kv', key: { k: d } },
      { kind: 'delete', table: 'contract_events', key: { site, day: DAY } },
      { kind: 'put', table: 'contract_events', row: { site, day: DAY, at, seq: 2, title: 'new' } },
      { kind: 'put', table: 'contract_kv', row: { k: b, v: 'B2' } },
    ]);
    t.deepEqual(await engine.get('contract_kv', { k: a }), { k: a, v: 'A', n: null });
    t.deepEqual(await engine.get('contract_kv', { k: b }), { k: b, v: 'B2', n: 2 });
    t.is(await engine.get('contract_kv', { k: c }), undefined);
    t.is(await engine.get('contract_kv', { k: d }), undefined);
    const { rows } = await drain(engine, 'contract_events', { site, day: DAY });
    t.deepEqual(rows, [eventRow(site, DAY, at, 2, { title: 'new' })]);
  });

  it('delete by full key, by clustering prefix and by partition', async (t, engine) => {
    const site = uniqueId('delete');
    const [t1, t2] = [new Date(1_700_000_001_000), new Date(1_700_000_002_000)];
    const keys: [Date, number][] = [[t1, 1], [t1, 2], [t1, 3], [t2, 1], [t2, 2]];
    await engine.write(keys.map(([at, seq]) => ({ kind: 'put' as const, table: 'contract_events', row: { site, day: DAY, at, seq } })));
    const remaining = async (): Promise<string[]> =>
      (await drain(engine, 'contract_events', { site, day: DAY })).rows.map(label);

    await engine.write([{ kind: 'delete', table: 'contract_events', key: { site, day: DAY, at: t1, seq: 1 } }]);
    t.deepEqual(await remaining(), ['2@1', '2@2', '1@2', '1@3']);
    await engine.write([{ kind: 'delete', table: 'contract_events', key: { site, day: DAY, at: t2 } }]);
    t.deepEqual(await remaining(), ['1@2', '1@3']);
    await engine.write([{ kind: 'delete', table: 'contract_events', key: { site, day: DAY } }]);
    t.deepEqual(await remaining(), []);

    const k = uniqueId('kv-delete');
    await engine.write([{ kind: 'put', table: 'contract_kv', row: { k, v: 'x' } }]);
    await engine.write([{ kind: 'delete', table: 'contract_kv', key: { k } }]);
    t.is(await engine.get('contract_kv', { k }), undefined);
  });
}

/** "<seconds digit>@<seq>" for the delete test's rows. */
function label(row: Row): string {
  return `${String(((row.at as Date).getTime() / 1000) % 10)}@${String(row.seq)}`;
}
