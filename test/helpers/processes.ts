// Real processes for tests: free ports, a nats-server of the test's own, Yunying nodes started the
// way operators start them (bin/yunying.ts), and polling with a deadline.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const ROOT = join(import.meta.dirname, '..', '..');

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `yy-${prefix}-`));
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number, intervalMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last instanceof Error ? `: ${last.message}` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

export interface NatsServer {
  readonly url: string;
  stop(): void;
  /** Starts it again on the same port (after stop). */
  restart(): Promise<void>;
}

/** A nats-server of this test's own on a free port. Fails (never skips) when it is not installed. */
export async function startNats(): Promise<NatsServer> {
  if (spawnSync('nats-server', ['--version']).error) {
    throw new Error('nats-server is not installed: apt-get install -y nats-server (or run .ci/run)');
  }
  const port = await freePort();
  const launch = async () => {
    const child = spawn('nats-server', ['-a', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
    await waitFor('nats-server', async () => (await canConnect(port)) || undefined, 10_000);
    return child;
  };
  let child = await launch();
  return {
    url: `nats://127.0.0.1:${port}`,
    stop: () => child.kill('SIGKILL'),
    restart: async () => { child = await launch(); },
  };
}

async function canConnect(port: number): Promise<true | undefined> {
  const { connect } = await import('node:net');
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port }, () => { socket.end(); resolve(true); });
    socket.on('error', () => resolve(undefined));
  });
}

export interface NodeProcess {
  readonly child: ChildProcess;
  /** Everything the process wrote to stderr so far. */
  stderr(): string;
  exited: Promise<number | null>;
}

export function startYunying(args: readonly string[], env: Readonly<Record<string, string>>): NodeProcess {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('YY_')));
  const child = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', join(ROOT, 'bin', 'yunying.ts'), ...args], {
    env: { ...clean, YY_LOG_LEVEL: 'warn', ...env }, stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  child.stderr?.on('data', (chunk: Buffer) => { err += chunk.toString(); });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, stderr: () => err, exited };
}

export async function getJson(url: string, token?: string): Promise<{ status: number; body: unknown }> {
  const response = await fetch(url, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  const text = await response.text();
  let body: unknown = text;
  try { body = JSON.parse(text); } catch { /* not JSON: keep the text */ }
  return { status: response.status, body };
}
