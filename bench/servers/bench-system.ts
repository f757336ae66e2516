// What a scenario needs to know about a server under test, whichever it is.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import type { SystemName } from '../report/recorder.ts';

export interface BenchSystem {
  readonly name: SystemName;
  /** e.g. "Yunying 0.1.0 (embedded default)" */
  readonly description: string;
  /** Base URL of DICOMweb, without a trailing slash (…/dicom-web). */
  readonly dicomweb: string;
  /** Headers every HTTP request carries (the bearer token). */
  readonly headers: Readonly<Record<string, string>>;
  readonly dicom: { readonly host: string; readonly port: number; readonly aeTitle: string };
  /** The directory holding the server's data (all of it, in cluster mode). */
  readonly dataDir: string;
  /** PIDs of the server processes right now (several in cluster mode). */
  pids(): number[];
  /** Stops and starts the server on the same data: empties its caches for the cold scenarios. */
  restart(): Promise<void>;
  stop(): Promise<void>;
  /** Why a server process ended when nobody asked it to (shown when a scenario fails). */
  unexpectedExit(): string | undefined;
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

export async function waitUntil(what: string, probe: () => Promise<boolean>, timeoutMs: number, dead?: () => string | undefined): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const why = dead?.();
    if (why) throw new Error(`${what}: ${why}`);
    if (await probe().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** A child process with its stderr kept (tail) for error messages. */
export interface Child {
  readonly process: ChildProcess;
  readonly exited: Promise<number | null>;
  stderrTail(): string;
  hasExited(): boolean;
  /** "exit code 1" or "signal SIGTERM" once it ended. */
  exitStatus(): string | undefined;
  /** Set by stopChild: an exit after it was expected. */
  stopping: boolean;
}

/** The exit status of the first of these children that ended without stopChild. */
export function unexpectedExit(children: Iterable<Child | undefined>): string | undefined {
  for (const c of children) if (c?.hasExited() && !c.stopping) return `${c.exitStatus() ?? 'ended'}: ${c.stderrTail().slice(-300)}`;
  return undefined;
}

/** Every server process still running, so that an interrupted bench leaves none behind. */
const running = new Set<ChildProcess>();
let handlersInstalled = false;

function installSignalHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      for (const child of running) child.kill('SIGTERM');
      // A server busy with a request may not end on SIGTERM; it must not outlive the bench.
      const deadline = Date.now() + 10_000;
      const timer = setInterval(() => {
        if (running.size > 0 && Date.now() < deadline) return;
        for (const child of running) child.kill('SIGKILL');
        clearInterval(timer);
        process.exit(130);
      }, 200);
    });
  }
}

export function startChild(command: string, args: readonly string[], env: NodeJS.ProcessEnv, cwd?: string): Child {
  installSignalHandlers();
  const child = spawn(command, args, { env, cwd, stdio: ['ignore', 'ignore', 'pipe'] });
  running.add(child);
  child.once('exit', () => running.delete(child));
  let tail = '';
  let done = false;
  let status: string | undefined;
  child.stderr?.on('data', (chunk: Buffer) => { tail = (tail + chunk.toString()).slice(-4000); });
  const exited = new Promise<number | null>((resolve) => {
    child.on('exit', (code, signal) => { done = true; status = signal ? `signal ${signal}` : `exit code ${String(code)}`; resolve(code); });
    child.on('error', (error) => { tail += `\n${error.message}`; done = true; resolve(null); });
  });
  return { process: child, exited, stderrTail: () => tail, hasExited: () => done, exitStatus: () => status, stopping: false };
}

/** SIGTERM, then SIGKILL after a grace period. */
export async function stopChild(child: Child, graceMs = 15_000): Promise<void> {
  child.stopping = true;
  if (child.hasExited()) return;
  child.process.kill('SIGTERM');
  const timer = setTimeout(() => child.process.kill('SIGKILL'), graceMs);
  await child.exited;
  clearTimeout(timer);
}

export async function httpOk(url: string, headers: Readonly<Record<string, string>>): Promise<boolean> {
  const response = await fetch(url, { headers, signal: AbortSignal.timeout(2000) });
  await response.arrayBuffer();
  return response.ok;
}
