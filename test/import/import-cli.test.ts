// The import CLI as operators run it (npm run import -- <folder>): a tree with good, duplicate and broken
// files gives the right summary and exit code; importing again finds only duplicates; a running node
// is detected and left alone.
import test from 'ava';
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, freePort, getJson, startYunying, tempDir, waitFor } from '../helpers/processes.ts';

const TEST_FILES = '/usr/lib/python3/dist-packages/pydicom/data/test_files';

function runImport(folder: string, env: Record<string, string>): Promise<{ code: number | null; out: string }> {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('YY_')));
  const child = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', join(ROOT, 'bin', 'yunying-import.ts'), folder], {
    env: { ...clean, ...env }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (c: Buffer) => { out += c.toString(); });
  child.stderr.on('data', (c: Buffer) => { out += c.toString(); });
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, out })));
}

function count(out: string, label: string): number {
  const m = new RegExp(`${label}:\\s+(\\d+)`).exec(out);
  return Number(m?.[1] ?? NaN);
}

test('a folder of good, duplicate and broken files: summary by reason, exit 1; again: duplicates, exit 0', async (t) => {
  const folder = tempDir('import-in');
  mkdirSync(join(folder, 'sub', 'deeper'), { recursive: true });
  copyFileSync(join(TEST_FILES, 'CT_small.dcm'), join(folder, 'ct.dcm'));
  copyFileSync(join(TEST_FILES, 'MR_small.dcm'), join(folder, 'sub', 'mr.dcm'));
  copyFileSync(join(TEST_FILES, 'CT_small.dcm'), join(folder, 'sub', 'deeper', 'ct-copy.dcm'));
  copyFileSync(join(TEST_FILES, 'MR_truncated.dcm'), join(folder, 'sub', 'truncated.dcm'));
  writeFileSync(join(folder, 'readme.txt'), 'not an image\n');
  const env = { YY_DATA_DIR: tempDir('import-data'), YY_HTTP_PORT: String(await freePort()), YY_LOG_LEVEL: 'warn' };

  const first = await runImport(folder, env);
  t.is(first.code, 1, first.out);
  t.is(count(first.out, 'stored'), 2);
  t.is(count(first.out, 'duplicates'), 1);
  t.is(count(first.out, 'rejected'), 2);
  // Grouped by reason, with the files named.
  t.regex(first.out, /Cannot understand the DICOM object \(1\): truncated object[^\n]*\n\s+\S*truncated\.dcm/);
  t.regex(first.out, /Cannot understand the DICOM object \(1\): [^\n]*\n\s+\S*readme\.txt/);
  // The two copies of CT_small: whichever was ingested first is stored, the other is the duplicate.
  t.is((first.out.match(/^stored \S*(ct|ct-copy)\.dcm$/gm) ?? []).length, 1);
  t.is((first.out.match(/^duplicate \S*(ct|ct-copy)\.dcm$/gm) ?? []).length, 1);

  const goodOnly = tempDir('import-again');
  copyFileSync(join(TEST_FILES, 'CT_small.dcm'), join(goodOnly, 'a.dcm'));
  copyFileSync(join(TEST_FILES, 'MR_small.dcm'), join(goodOnly, 'b.dcm'));
  const second = await runImport(goodOnly, env);
  t.is(second.code, 0, second.out);
  t.is(count(second.out, 'stored'), 0);
  t.is(count(second.out, 'duplicates'), 2);
  t.is(count(second.out, 'rejected'), 0);
});

test('the import refuses to open the archive of a running node', async (t) => {
  const dataDir = tempDir('import-running');
  const port = await freePort();
  const node = startYunying([], { YY_DATA_DIR: dataDir, YY_HTTP_PORT: String(port), YY_DICOM_PORT: String(await freePort()) });
  t.teardown(() => node.child.kill('SIGKILL'));
  await waitFor('/health', async () => ((await getJson(`http://127.0.0.1:${port}/health`)).status === 200 ? true : undefined), 30_000);
  const folder = tempDir('import-running-in');
  copyFileSync(join(TEST_FILES, 'CT_small.dcm'), join(folder, 'ct.dcm'));
  const run = await runImport(folder, { YY_DATA_DIR: dataDir, YY_HTTP_PORT: String(port) });
  t.is(run.code, 3, run.out);
  t.regex(run.out, /is running/);
});

test('usage errors exit 2', async (t) => {
  const run = await runImport(join(tempDir('import-none'), 'missing'), { YY_DATA_DIR: tempDir('import-none-data') });
  t.is(run.code, 2);
  t.regex(run.out, /not a folder/);
});
