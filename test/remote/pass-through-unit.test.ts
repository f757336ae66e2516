// PassThrough (lib/remote/pass-through.ts) without processes: the order sources are asked in, one fetch
// shared by concurrent requests, "not found" remembered for its TTL, an unreachable source never taken
// for "not found", and a fetch cut short retried by the next request. The sources here are small
// scripted RemoteSource objects beside the real adapters (test/remote/pass-through.test.ts runs those).
import test from 'ava';
import { Readable } from 'node:stream';
import type { IngestContext, IngestResult } from '../../lib/ingest/ingest-types.ts';
import { PassThrough } from '../../lib/remote/pass-through.ts';
import { RemoteUnavailableError, type ReceiveInstance, type RemoteSource } from '../../lib/remote/remote-source.ts';

const QUIET = { info: () => undefined, warn: () => undefined };

interface Script {
  readonly hospitalId: string;
  readonly studies?: Readonly<Record<string, number>>;
  readonly down?: boolean;
  /** Throw after this many instances (a transfer cut short). */
  readonly cutAfter?: number;
}

interface Scripted extends RemoteSource { readonly asked: string[]; readonly retrieved: string[] }

function scripted(script: Script): Scripted {
  const asked: string[] = [];
  const retrieved: string[] = [];
  return {
    hospitalId: script.hospitalId, protocol: 'dicomweb', asked, retrieved,
    async hasStudy(uid) {
      asked.push(uid);
      await new Promise((resolve) => setTimeout(resolve, 5));
      if (script.down === true) throw new RemoteUnavailableError(script.hospitalId, 'ECONNREFUSED');
      return (script.studies?.[uid] ?? 0) > 0;
    },
    async retrieveStudy(uid, receive: ReceiveInstance) {
      retrieved.push(uid);
      const count = script.studies?.[uid] ?? 0;
      for (let i = 0; i < count; i++) {
        if (script.cutAfter !== undefined && i >= script.cutAfter) throw new RemoteUnavailableError(script.hospitalId, 'stalled');
        await receive(Readable.from([Buffer.from(`${uid}/${i}`)]), {});
      }
      return { received: count };
    },
  };
}

function setup(sources: readonly RemoteSource[], now = () => Date.now()) {
  const local = new Set<string>();
  const ingested: Array<{ text: string; context: IngestContext }> = [];
  const passThrough = new PassThrough({
    sources, log: QUIET, notFoundTtlMs: 1000, now,
    hasLocalStudy: (uid) => Promise.resolve(local.has(uid)),
    ingest: async (body, context): Promise<IngestResult> => {
      const chunks: Buffer[] = [];
      for await (const chunk of body) chunks.push(chunk as Buffer);
      const text = Buffer.concat(chunks).toString();
      ingested.push({ text, context });
      local.add(context.expectedStudyInstanceUid ?? '');
      return { status: 'stored', sha256: text, size: text.length, warnings: [], sopClassUid: '', sopInstanceUid: text, studyInstanceUid: context.expectedStudyInstanceUid ?? '', seriesInstanceUid: '' };
    },
  });
  return { passThrough, local, ingested };
}

test('a study in the city is not asked for; one that is not comes from the first source that has it', async (t) => {
  const first = scripted({ hospitalId: 'h1', studies: {} });
  const second = scripted({ hospitalId: 'h2', studies: { '1.2.3': 2 } });
  const { passThrough, local, ingested } = setup([first, second]);
  local.add('9.9');
  t.deepEqual(await passThrough.ensureStudy('9.9'), { kind: 'local' });
  t.deepEqual(first.asked, []);
  t.deepEqual(await passThrough.ensureStudy('1.2.3'), { kind: 'fetched', hospitalId: 'h2', stored: 2, rejected: 0 });
  t.deepEqual(first.asked, ['1.2.3']);
  t.deepEqual(ingested.map((i) => i.text), ['1.2.3/0', '1.2.3/1']);
  t.like(ingested[0]?.context, { source: 'remote', origin: 'h2', expectedStudyInstanceUid: '1.2.3' });
  t.deepEqual(await passThrough.ensureStudy('1.2.3'), { kind: 'local' });
  t.deepEqual(second.retrieved, ['1.2.3']);
});

test('concurrent requests for one study share one fetch', async (t) => {
  const source = scripted({ hospitalId: 'h1', studies: { '1.2.4': 3 } });
  const { passThrough } = setup([source]);
  const results = await Promise.all(Array.from({ length: 8 }, () => passThrough.ensureStudy('1.2.4')));
  t.true(results.every((r) => r.kind === 'fetched'));
  t.deepEqual(source.asked, ['1.2.4']);
  t.deepEqual(source.retrieved, ['1.2.4']);
});

test('"not found anywhere" is remembered for the TTL, then asked again', async (t) => {
  let clock = 0;
  const source = scripted({ hospitalId: 'h1', studies: {} });
  const { passThrough } = setup([source], () => clock);
  t.deepEqual(await passThrough.ensureStudy('1.2.5'), { kind: 'absent' });
  t.deepEqual(await passThrough.ensureStudy('1.2.5'), { kind: 'absent' });
  t.is(source.asked.length, 1);
  clock = 1001;
  t.deepEqual(await passThrough.ensureStudy('1.2.5'), { kind: 'absent' });
  t.is(source.asked.length, 2);
});

test('an unreachable source is never taken for "not found": the error surfaces and is not remembered', async (t) => {
  const down = scripted({ hospitalId: 'h1', down: true });
  const empty = scripted({ hospitalId: 'h2', studies: {} });
  const { passThrough } = setup([down, empty]);
  const error = await t.throwsAsync(passThrough.ensureStudy('1.2.6'), { instanceOf: RemoteUnavailableError });
  t.is(error?.hospitalId, 'h1');
  t.deepEqual(empty.asked, ['1.2.6']);
  await t.throwsAsync(passThrough.ensureStudy('1.2.6'), { instanceOf: RemoteUnavailableError });
  t.is(down.asked.length, 2);
});

test('a source that is down is skipped when the next one has the study', async (t) => {
  const down = scripted({ hospitalId: 'h1', down: true });
  const has = scripted({ hospitalId: 'h2', studies: { '1.2.7': 1 } });
  const { passThrough } = setup([down, has]);
  t.like(await passThrough.ensureStudy('1.2.7'), { kind: 'fetched', hospitalId: 'h2' });
});

test('a transfer cut short fails the request and is resumed by the next one, although the city holds part of it', async (t) => {
  const flaky: { cutAfter?: number } = { cutAfter: 1 };
  const source = scripted({ hospitalId: 'h1', studies: { '1.2.8': 3 }, get cutAfter() { return flaky.cutAfter; } });
  const { passThrough, local, ingested } = setup([source]);
  await t.throwsAsync(passThrough.ensureStudy('1.2.8'), { instanceOf: RemoteUnavailableError, message: /stalled/ });
  t.true(local.has('1.2.8'));
  delete flaky.cutAfter;
  t.like(await passThrough.ensureStudy('1.2.8'), { kind: 'fetched', stored: 3 });
  t.deepEqual(ingested.map((i) => i.text), ['1.2.8/0', '1.2.8/0', '1.2.8/1', '1.2.8/2']);
});

test('a source that announces a study but delivers nothing is an error, not a 404', async (t) => {
  const liar: RemoteSource = { hospitalId: 'h1', protocol: 'dimse', hasStudy: () => Promise.resolve(true), retrieveStudy: () => Promise.resolve({ received: 0 }) };
  const { passThrough } = setup([liar]);
  await t.throwsAsync(passThrough.ensureStudy('1.2.9'), { instanceOf: RemoteUnavailableError, message: /no instances/ });
});
