// Scans: clustering order with mixed directions, prefix + range bounds, and paging that returns every
// row exactly once (the last page may come back empty on Cassandra, so tests follow page states).
import type { IndexEngine, Mutation, ScanOptions } from '../../lib/index-model/index-engine.ts';
import type { Row } from '../../lib/index-model/table-model.ts';
import type { ContractContext } from './index-engine-contract.ts';
import { compareUtf8, drain, shuffle, uniqueId } from './contract-schema.ts';

const DAY = '2024-06-01';
const BASE = 1_717_200_000_000;

function at(minute: number): Date {
  return new Date(BASE + minute * 60_000);
}

/** "<minute>/<seq>" of a contract_events row. */
function label(row: Row): string {
  return `${String(((row.at as Date).getTime() - BASE) / 60_000)}/${String(row.seq)}`;
}

async function putEvents(engine: IndexEngine, site: string, minutes: readonly number[], seqs: readonly number[]): Promise<void> {
  const rows = minutes.flatMap((m) => seqs.map((seq) => ({ site, day: DAY, at: at(m), seq, title: `${String(m)}/${String(seq)}` })));
  const puts: Mutation[] = shuffle(rows).map((row) => ({ kind: 'put', table: 'contract_events', row }));
  for (let i = 0; i < puts.length; i += 50) await engine.write(puts.slice(i, i + 50));
}

async function labels(engine: IndexEngine, site: string, options: ScanOptions = {}): Promise<string[]> {
  return (await drain(engine, 'contract_events', { site, day: DAY }, options)).rows.map(label);
}

export function registerScanCases({ it }: ContractContext): void {
  it('scan returns a partition in clustering order (at desc, then seq asc)', async (t, engine) => {
    const site = uniqueId('order');
    await putEvents(engine, site, [3, 1, 2], [2, 0, 1]);
    t.deepEqual(await labels(engine, site), ['3/0', '3/1', '3/2', '2/0', '2/1', '2/2', '1/0', '1/1', '1/2']);
    t.deepEqual(await labels(engine, uniqueId('other')), []);
  });

  it('scan narrows by a clustering prefix and a range, bounds inclusive or exclusive', async (t, engine) => {
    const site = uniqueId('range');
    await putEvents(engine, site, [1, 2, 3, 4, 5], [1, 2, 3, 4]);
    const incl = (value: Date | number) => ({ value, inclusive: true });
    const excl = (value: Date | number) => ({ value, inclusive: false });
    t.deepEqual(await labels(engine, site, { prefix: [at(2)] }), ['2/1', '2/2', '2/3', '2/4']);
    t.deepEqual(await labels(engine, site, { prefix: [at(2)], range: { from: incl(2), to: excl(4) } }), ['2/2', '2/3']);
    t.deepEqual(await labels(engine, site, { prefix: [at(2)], range: { from: excl(2), to: incl(4) } }), ['2/3', '2/4']);
    t.deepEqual(await labels(engine, site, { prefix: [at(2)], range: { from: excl(3) } }), ['2/4']);
    t.deepEqual(await labels(engine, site, { prefix: [at(2)], range: { to: excl(2) } }), ['2/1']);
    t.deepEqual(await labels(engine, site, { prefix: [at(2), 3] }), ['2/3']);
    // A range on a descending column: bounds are values (from = lower), rows still come in clustering order.
    const minutes = async (range: ScanOptions['range']) => [...new Set((await labels(engine, site, { range })).map((l) => l.split('/')[0]))];
    t.deepEqual(await minutes({ from: incl(at(2)), to: incl(at(4)) }), ['4', '3', '2']);
    t.deepEqual(await minutes({ from: excl(at(2)), to: excl(at(4)) }), ['3']);
    t.deepEqual(await minutes({ from: incl(at(4)) }), ['5', '4']);
    t.deepEqual(await minutes({ to: excl(at(2)) }), ['1']);
    t.deepEqual(await minutes({ from: incl(at(4)), to: incl(at(2)) }), []);
  });

  it('paging 250 rows by 100 returns every row exactly once, in order', async (t, engine) => {
    const site = uniqueId('paging');
    const minutes = Array.from({ length: 50 }, (_, i) => i);
    await putEvents(engine, site, minutes, [0, 1, 2, 3, 4]);
    const expected = [...minutes].reverse().flatMap((m) => [0, 1, 2, 3, 4].map((seq) => `${String(m)}/${String(seq)}`));
    const { rows, pages } = await drain(engine, 'contract_events', { site, day: DAY }, { limit: 100 });
    t.deepEqual(rows.map(label), expected);
    t.deepEqual(pages.slice(0, 3), [100, 100, 50]);
    t.true(pages.length <= 4 && (pages[3] ?? 0) === 0, `pages: ${pages.join(',')}`);
    const first = await engine.scan('contract_events', { site, day: DAY }, { limit: 100 });
    t.is(first.rows.length, 100);
    t.is(typeof first.pageState, 'string');
  });

  it('paging over three clustering columns (asc, desc, asc), alone and within prefix + range', async (t, engine) => {
    const g = uniqueId('grid');
    const bs = ['甲', 'b', 'a', '乙', 'ab', 'B', '𠀋', 'ｱ']; // 𠀋 vs ｱ: UTF-8 and UTF-16 orders differ
    const cs = [-5, 0, Number.MAX_SAFE_INTEGER];
    const rows = [1, 2, 3].flatMap((a) => bs.flatMap((b) => cs.map((c) => ({ g, a, b, c, label: `${String(a)}|${b}|${String(c)}` }))));
    const puts: Mutation[] = shuffle(rows).map((row) => ({ kind: 'put', table: 'contract_grid', row }));
    for (let i = 0; i < puts.length; i += 50) await engine.write(puts.slice(i, i + 50));
    const sorted = [...rows].sort((x, y) => x.a - y.a || compareUtf8(y.b, x.b) || x.c - y.c).map((r) => r.label);

    const all = await drain(engine, 'contract_grid', { g }, { limit: 7 });
    t.deepEqual(all.rows.map((r) => r.label), sorted);
    t.true(all.pages.every((size, i) => size === 7 || i >= all.pages.length - 2));

    const range = { from: { value: 'a', inclusive: true }, to: { value: '乙', inclusive: false } };
    const narrowed = await drain(engine, 'contract_grid', { g }, { prefix: [2], range, limit: 2 });
    const expected = rows.filter((r) => r.a === 2 && compareUtf8(r.b, 'a') >= 0 && compareUtf8(r.b, '乙') < 0)
      .sort((x, y) => compareUtf8(y.b, x.b) || x.c - y.c).map((r) => r.label);
    t.deepEqual(narrowed.rows.map((r) => r.label), expected);
    t.true(expected.length > 4);
  });
}
