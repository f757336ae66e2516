import { performance } from 'node:perf_hooks';
import { sqliteTarget } from '../test/archive/archive-fixture.ts';
const t = sqliteTarget();
const e = await t.open(true);
for (let r = 0; r < 3; r++) {
  const a = performance.now();
  for (let i = 0; i < 1000; i++) await e.scan('study_by_date', { study_date: '20240101', bucket: i % 8 });
  console.log('scan empty partition x1000', (performance.now() - a).toFixed(1), 'ms');
  const b = performance.now();
  for (let i = 0; i < 1000; i++) await e.get('study_by_uid', { study_instance_uid: 'x' + i });
  console.log('get x1000', (performance.now() - b).toFixed(1), 'ms');
}
await t.dispose();
