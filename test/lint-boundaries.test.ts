// The dependency direction of ARCHITECTURE.md is enforced by the lint, and the rule can fail.
import test from 'ava';
import { join } from 'node:path';
import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';

const root = join(import.meta.dirname, '..');
// Type information is not needed for import rules; it would need the files to exist on disk.
const eslint = new ESLint({ cwd: root, overrideConfig: [tseslint.configs.disableTypeChecked] });

async function restricted(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: join(root, file) });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

for (const module of ['moleculer', 'fastify', '@fastify/static', 'cassandra-driver', 'nats', 'prom-client']) {
  test(`lib/ may not import ${module}`, async (t) => {
    const messages = await restricted('lib/cluster/probe.ts', `import x from '${module}';\nexport const y = x;\n`);
    t.is(messages.length, 1);
    t.regex(messages[0] ?? '', /framework-free/);
  });
}

test('topology/ may not import a driver, lib/ may not import services', async (t) => {
  t.is((await restricted('topology/probe.ts', `import c from 'cassandra-driver';\nexport const y = c;\n`)).length, 1);
  t.regex((await restricted('lib/probe.ts', `import { startNode } from '../services/start-node.ts';\nexport const y = startNode;\n`))[0] ?? '', /layers built on it/);
});

test('a service may not reach into another service, but may use lib/ and the broker machinery', async (t) => {
  t.regex((await restricted('services/api/probe.ts', `import { createNodeService } from '../node/node.service.ts';\nexport const y = createNodeService;\n`))[0] ?? '', /another service/);
  t.deepEqual(await restricted('services/api/probe.ts', `import { healthStatus } from '../../lib/cluster/node-health.ts';\nimport { PreciseDiscoverer } from '../broker/precise-discoverer.ts';\nexport const y = [healthStatus, PreciseDiscoverer];\n`), []);
});

test('lib/ may use node: built-ins and its own modules', async (t) => {
  t.deepEqual(await restricted('lib/cluster/probe.ts', `import { join } from 'node:path';\nimport { healthStatus } from './node-health.ts';\nexport const y = [join, healthStatus];\n`), []);
});

test('no CQL in the code uses ALLOW FILTERING (every read names its partition)', async (t) => {
  const { readdir, readFile } = await import('node:fs/promises');
  const offenders: string[] = [];
  for (const dir of ['adapters', 'lib', 'services', 'storage-nodes', 'monitoring', 'topology']) {
    for (const entry of await readdir(join(root, dir), { recursive: true })) {
      if (!entry.endsWith('.ts')) continue;
      const code = (await readFile(join(root, dir, entry), 'utf8')).replace(/\/\/.*$|\/\*[\s\S]*?\*\//gm, '');
      if (/ALLOW\s+FILTERING/i.test(code)) offenders.push(`${dir}/${entry}`);
    }
  }
  t.deepEqual(offenders, []);
});
