import test from 'ava';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../lib/config/load-config.ts';
import { CONFIG_KEYS } from '../lib/config/config-keys.ts';
import { isAuthorized } from '../lib/security/admin-token.ts';
import { pickLanguage } from '../lib/i18n/messages.ts';
import { formatLogEntry } from '../lib/logging/format-log-entry.ts';

test('defaults apply and the result is frozen', (t) => {
  const config = loadConfig({});
  t.is(config.dataDir, './data');
  t.is(config.requestTimeoutSeconds, 10);
  t.is(config.heartbeatTimeoutSeconds, 15);
  t.is(config.logFormat, 'json');
  t.deepEqual(config.dicomPeers, []);
  t.true(Object.isFrozen(config));
});

test('values are parsed to their types', (t) => {
  const config = loadConfig({
    YY_HTTP_PORT: '9000', YY_NATS_URL: 'nats://a:4222, nats://b:4222', YY_HEARTBEAT_INTERVAL_SECONDS: '0.5',
    YY_DICOM_PEERS: 'VIEWER@10.1.2.3:104,PACS@pacs.local:11112', YY_CASSANDRA_CONTACT_POINTS: '127.0.0.1:9042',
  });
  t.is(config.httpPort, 9000);
  t.deepEqual(config.natsUrl, ['nats://a:4222', 'nats://b:4222']);
  t.is(config.heartbeatIntervalSeconds, 0.5);
  t.deepEqual(config.dicomPeers, [{ aeTitle: 'VIEWER', host: '10.1.2.3', port: 104 }, { aeTitle: 'PACS', host: 'pacs.local', port: 11112 }]);
});

test('every problem is reported, each naming its variable, and a secret is never echoed', (t) => {
  const error = t.throws(() => loadConfig({
    YY_HTTP_PORT: '70000', YY_NATS_URL: 'http://x', YY_ADMIN_TOKEN: 'short', YY_RETRY_ATTEMPTS: '1.5', YY_DICOM_PEERS: 'NOPORT@host',
  }), { instanceOf: ConfigError });
  const issues = error?.issues ?? [];
  t.is(issues.length, 5);
  t.true(issues.some((i) => i.startsWith('YY_HTTP_PORT: "70000" is not a port')));
  t.true(issues.some((i) => i.startsWith('YY_NATS_URL:')));
  t.true(issues.some((i) => i.startsWith('YY_RETRY_ATTEMPTS:') && i.includes('whole number')));
  t.true(issues.some((i) => i.startsWith('YY_DICOM_PEERS:') && i.includes('NOPORT@host')));
  t.false(error?.message.includes('short'));
});

test('unknown YY_ variables are errors (typos must not pass silently)', (t) => {
  const error = t.throws(() => loadConfig({ YY_DATADIR: '/tmp' }), { instanceOf: ConfigError });
  t.deepEqual(error?.issues, ['YY_DATADIR: unknown setting (see docs/configuration.md)']);
});

test('every key has a YY_ variable and both languages', (t) => {
  for (const spec of Object.values(CONFIG_KEYS)) {
    t.regex(spec.env, /^YY_[A-Z0-9_]+$/);
    t.true(spec.doc.zh.length > 0 && spec.doc.en.length > 0, spec.env);
  }
});

test('docs/configuration.md and the README reference are generated from the schema', (t) => {
  const root = join(import.meta.dirname, '..');
  const result = spawnSync(process.execPath, ['--disable-warning=ExperimentalWarning', join(root, 'scripts', 'gen-config-docs.ts'), '--check'], { encoding: 'utf8' });
  t.is(result.status, 0, result.stderr);
});

test('bearer tokens are compared exactly', (t) => {
  t.true(isAuthorized('Bearer abcdefghijklmnop', 'abcdefghijklmnop'));
  t.true(isAuthorized('bearer abcdefghijklmnop', 'abcdefghijklmnop'));
  t.false(isAuthorized('Bearer abcdefghijklmnoq', 'abcdefghijklmnop'));
  t.false(isAuthorized('Basic abcdefghijklmnop', 'abcdefghijklmnop'));
  t.false(isAuthorized(undefined, 'abcdefghijklmnop'));
});

test('Chinese unless the client prefers English', (t) => {
  t.is(pickLanguage(undefined), 'zh');
  t.is(pickLanguage('en'), 'en');
  t.is(pickLanguage('zh-CN,zh;q=0.9,en;q=0.8'), 'zh');
  t.is(pickLanguage('en-US,en;q=0.9,zh;q=0.5'), 'en');
  t.is(pickLanguage('fr'), 'zh');
});

test('log entries are one JSON line with object arguments as fields', (t) => {
  const line = formatLogEntry('info', ['index ready', { engine: 'sqlite', msg: 'x' }, new Error('boom')], { nodeID: 'n1', mod: 'index' }, new Date(Date.UTC(2026, 0, 1)));
  const entry = JSON.parse(line) as Record<string, unknown>;
  t.like(entry, { time: '2026-01-01T00:00:00.000Z', level: 'info', msg: 'index ready', nodeID: 'n1', mod: 'index', engine: 'sqlite', _msg: 'x' });
  t.like(entry.error, { name: 'Error', message: 'boom' });
  t.false(line.includes('\n'));
});
