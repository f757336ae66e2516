// `npm test`: type-check, lint, start NATS and Cassandra if they are not running (and stop them
// afterwards), run every ava test, and close with the line CI reads: "tests: N passed, N failed, N skipped".
// Under CI=true a skipped or todo test fails the run: a test that needs a service must not skip.
import { spawn, spawnSync } from 'node:child_process';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { connect } from 'node:net';

const root = join(import.meta.dirname, '..');
const bin = (name: string) => join(root, 'node_modules', '.bin', name);
const ci = process.env.CI === 'true';

function run(title: string, command: string, args: string[]): void {
  console.log(`\n== ${title}`);
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) {
    console.log(`\n${title} failed\ntests: 0 passed, 1 failed`);
    process.exit(1);
  }
}

const listening = (port: number) => new Promise<boolean>((resolve) => {
  const socket = connect({ host: '127.0.0.1', port }, () => { socket.end(); resolve(true); });
  socket.on('error', () => resolve(false));
});

async function runAva(extraArgs: string[]): Promise<{ passed: number; failed: number; skipped: number; code: number }> {
  const child = spawn(bin('ava'), ['--tap', ...extraArgs], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
  const counts = { passed: 0, failed: 0, skipped: 0 };
  for await (const line of createInterface({ input: child.stdout })) {
    console.log(line);
    if (/^not ok \d+/.test(line)) counts.failed++;
    else if (/^ok \d+ .*# (SKIP|TODO)/i.test(line)) counts.skipped++;
    else if (/^ok \d+/.test(line)) counts.passed++;
  }
  const code = await new Promise<number>((resolve) => child.on('close', (c) => resolve(c ?? 1)));
  return { ...counts, code };
}

const avaArgs = process.argv.slice(2);
if (avaArgs.length === 0) {
  run('type-check (tsc)', bin('tsc'), ['-p', '.']);
  run('lint (eslint)', bin('eslint'), ['.']);
}
const servicesWereUp = (await listening(4222)) && (await listening(9042));
if (!servicesWereUp) run('services up', 'bash', [join(root, 'scripts', 'services.sh'), 'up']);
let result;
try {
  console.log('\n== tests (ava)');
  result = await runAva(avaArgs);
} finally {
  if (!servicesWereUp) spawnSync('bash', [join(root, 'scripts', 'services.sh'), 'down'], { cwd: root, stdio: 'inherit' });
}
const skippedFail = ci && result.skipped > 0;
if (skippedFail) console.log(`\n${result.skipped} test(s) skipped under CI=true: a skipped test is a failure here`);
const failed = result.failed + (result.code !== 0 && result.failed === 0 ? 1 : 0) + (skippedFail ? result.skipped : 0);
console.log(`\ntests: ${result.passed} passed, ${failed} failed, ${result.skipped} skipped`);
process.exit(failed > 0 ? 1 : 0);
