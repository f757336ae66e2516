// Misuse is refused the same way by every engine, with an IndexModelError whose message names the table
// and column at fault, before anything is written.
import type { ExecutionContext } from 'ava';
import { IndexModelError } from '../../lib/index-model/index-model-error.ts';
import type { IndexModelErrorCode } from '../../lib/index-model/index-model-error.ts';
import type { Row } from '../../lib/index-model/table-model.ts';
import type { ContractContext } from './index-engine-contract.ts';
import { uniqueId } from './contract-schema.ts';

async function refuses(t: ExecutionContext, promise: Promise<unknown>, code: IndexModelErrorCode, message: RegExp): Promise<void> {
  const error = await t.throwsAsync(promise, { instanceOf: IndexModelError, message });
  t.is(error?.code, code);
}

export function registerErrorCases({ it }: ContractContext): void {
  it('errors: an unknown table is named', async (t, engine) => {
    const message = /unknown table "no_such_table"/;
    await refuses(t, engine.get('no_such_table', { k: 'x' }), 'UNKNOWN_TABLE', message);
    await refuses(t, engine.write([{ kind: 'put', table: 'no_such_table', row: { k: 'x' } }]), 'UNKNOWN_TABLE', message);
    await refuses(t, engine.scan('no_such_table', { k: 'x' }), 'UNKNOWN_TABLE', message);
    await refuses(t, engine.insertIfNotExists('no_such_table', { k: 'x' }), 'UNKNOWN_TABLE', message);
  });

  it('errors: an unknown column is named with its table', async (t, engine) => {
    const message = /"contract_kv".*unknown column "colour"/;
    await refuses(t, engine.write([{ kind: 'put', table: 'contract_kv', row: { k: 'x', colour: 'red' } }]), 'UNKNOWN_COLUMN', message);
    await refuses(t, engine.get('contract_kv', { k: 'x', colour: 'red' }), 'UNKNOWN_COLUMN', message);
    await refuses(t, engine.scan('contract_kv', { colour: 'red' }), 'UNKNOWN_COLUMN', message);
  });

  it('errors: a missing key column is named with its table', async (t, engine) => {
    const site = uniqueId('errors');
    await refuses(t, engine.write([{ kind: 'put', table: 'contract_events', row: { site, day: 'd', seq: 1 } }]),
      'MISSING_KEY_COLUMN', /"contract_events".*missing key column "at"/);
    await refuses(t, engine.get('contract_events', { site, day: 'd', at: new Date() }),
      'MISSING_KEY_COLUMN', /"contract_events".*missing key column "seq"/);
    await refuses(t, engine.scan('contract_events', { site }), 'MISSING_KEY_COLUMN', /missing key column "day"/);
    await refuses(t, engine.write([{ kind: 'delete', table: 'contract_events', key: { site, day: 'd', seq: 1 } }]),
      'MISSING_KEY_COLUMN', /missing key column "at"/);
    t.is(await engine.get('contract_events', { site, day: 'd', at: new Date(0), seq: 1 }), undefined);
  });

  it('errors: a value of the wrong JS type is named by table and column', async (t, engine) => {
    const key = { site: uniqueId('types'), day: 'd', at: new Date(0), seq: 1 };
    const put = (row: Record<string, unknown>) =>
      engine.write([{ kind: 'put', table: 'contract_events', row: { ...key, ...row } as unknown as Row }]);
    await refuses(t, put({ hits: '12' }), 'INVALID_VALUE', /"contract_events" column "hits" \(int\)/);
    await refuses(t, put({ hits: 2 ** 31 }), 'INVALID_VALUE', /column "hits"/);
    await refuses(t, put({ title: 'UID 1.2.3\u0000' }), 'INVALID_VALUE', /column "title" \(text\).*U\+0000/);
    await refuses(t, put({ title: 'half \uD83D pair' }), 'INVALID_VALUE', /column "title" \(text\).*surrogate/);
    await refuses(t, put({ size: 2 ** 53 }), 'INVALID_VALUE', /column "size" \(bigint\)/);
    await refuses(t, put({ score: Number.NaN }), 'INVALID_VALUE', /column "score" \(double\)/);
    await refuses(t, put({ flag: 1 }), 'INVALID_VALUE', /column "flag" \(boolean\)/);
    await refuses(t, put({ at: 1_700_000_000_000 }), 'INVALID_VALUE', /column "at" \(timestamp\)/);
    await refuses(t, put({ at: new Date(Number.NaN) }), 'INVALID_VALUE', /column "at" \(timestamp\)/);
    await refuses(t, put({ payload: [1, 2] }), 'INVALID_VALUE', /column "payload" \(blob\)/);
    await refuses(t, put({ seq: null }), 'INVALID_VALUE', /column "seq"/);
    await refuses(t, put({ site: '' }), 'INVALID_VALUE', /partition key column "site" may not be empty/);
    t.is(await engine.get('contract_events', key), undefined);
  });

  it('errors: scan, limit, ttl, batch size and page state misuse is refused', async (t, engine) => {
    const part = { site: uniqueId('misuse'), day: 'd' };
    await refuses(t, engine.scan('contract_events', part, { limit: 0 }), 'INVALID_REQUEST', /limit/);
    await refuses(t, engine.scan('contract_events', part, { limit: 10_001 }), 'INVALID_REQUEST', /limit/);
    await refuses(t, engine.scan('contract_events', part, { prefix: [new Date(0), 1, 2] }), 'INVALID_REQUEST', /prefix/);
    await refuses(t, engine.scan('contract_kv', { k: 'x' }, { range: { from: { value: 'a', inclusive: true } } }),
      'INVALID_REQUEST', /"contract_kv".*range/);
    await refuses(t, engine.scan('contract_events', part, { prefix: ['2024'] }), 'INVALID_VALUE', /column "at"/);
    await refuses(t, engine.scan('contract_events', part, { pageState: 'not-a-page-state' }), 'INVALID_PAGE_STATE', /contract_events/);
    await refuses(t, engine.write([{ kind: 'put', table: 'contract_kv', row: { k: 'x', v: 'y' }, ttlSeconds: 5 }]),
      'INVALID_REQUEST', /"contract_kv".*every column.*"n"/);
    await refuses(t, engine.write([{ kind: 'put', table: 'contract_expiring', row: { k: 'x', i: 1 } }]),
      'INVALID_REQUEST', /"contract_expiring".*missing "v"/);
    await refuses(t, engine.write([{ kind: 'put', table: 'contract_kv', row: { k: 'x', v: null, n: null }, ttlSeconds: -1 }]),
      'INVALID_REQUEST', /ttlSeconds/);
    const many = Array.from({ length: 101 }, (_, i) => ({ kind: 'put' as const, table: 'contract_kv', row: { k: `x${String(i)}` } }));
    await refuses(t, engine.write(many), 'INVALID_REQUEST', /at most 100/);
    t.is(await engine.get('contract_kv', { k: 'x0' }), undefined);
  });
}
