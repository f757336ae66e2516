// A city nats-server and a hospital nats-server joined by a leaf-node connection, for the edge tests
// and the edge bench: the hospital side dials out (`leafnodes.remotes`), the city side listens
// (`leafnodes.listen`), each server has its own server_name (CLUSTER-NOTES.md: distinct names, or the
// leaf connection is refused as a loop). Both servers are processes of the test's own with their pid
// exposed, so a test can freeze (SIGSTOP), resume (SIGCONT), kill and restart either side. A slow link
// (bench/link/slow-link.ts) can sit between the hospital and the city's leafnode port.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { connect as connectTcp } from 'node:net';
import { join } from 'node:path';
import { connect, type NatsConnection } from 'nats';
import { startSlowLink, type SlowLink, type SlowLinkOptions } from '../../bench/link/slow-link.ts';
import { freePort, tempDir, waitFor } from './processes.ts';

export interface NatsProcess {
  /** Client URL (nats://127.0.0.1:port). */
  readonly url: string;
  readonly port: number;
  /** HTTP monitoring port (/varz, /leafz, /connz). */
  readonly monitorPort: number;
  readonly serverName: string;
  /** The current process id (changes on restart). */
  pid(): number;
  /** SIGSTOP: the server keeps its sockets open and answers nothing. */
  freeze(): void;
  /** SIGCONT after freeze(). */
  resume(): void;
  /** SIGKILL; restart() brings it back on the same ports. */
  kill(): void;
  restart(): Promise<void>;
}

export interface LeafPair {
  readonly city: NatsProcess;
  /** The city's leafnode listen port (what the hospital dials, directly or through the slow link). */
  readonly cityLeafPort: number;
  readonly hospital: NatsProcess;
  /** Present when the pair was started with a slow link. */
  readonly link?: SlowLink;
  /** Resolves once a request from the hospital side is answered on the city side and back. */
  waitLinked(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export interface LeafPairOptions {
  /** Put a slow link between the hospital server and the city's leafnode port. */
  readonly slowLink?: Omit<SlowLinkOptions, 'targetPort' | 'targetHost'>;
  /** Name prefix of the servers (server_name must differ between the two sides). */
  readonly name?: string;
}

function requireNatsServer(): void {
  if (spawnSync('nats-server', ['--version']).error) {
    throw new Error('nats-server is not installed: apt-get install -y nats-server (or run .ci/run)');
  }
}

function canConnect(port: number): Promise<true | undefined> {
  return new Promise((resolve) => {
    const socket = connectTcp({ host: '127.0.0.1', port }, () => { socket.end(); resolve(true); });
    socket.on('error', () => resolve(undefined));
  });
}

/** Starts nats-server with a config file written into its own temp directory. */
async function startConfigured(serverName: string, body: (port: number, monitorPort: number) => string): Promise<NatsProcess> {
  requireNatsServer();
  const [port, monitorPort] = [await freePort(), await freePort()];
  const dir = tempDir(`nats-${serverName}`);
  const file = join(dir, 'nats.conf');
  writeFileSync(file, body(port, monitorPort));
  let child: ChildProcess | undefined;
  let stderr = '';
  const launch = async () => {
    stderr = '';
    const c = spawn('nats-server', ['-c', file], { stdio: ['ignore', 'ignore', 'pipe'] });
    c.stderr?.on('data', (chunk: Buffer) => { stderr = (stderr + chunk.toString()).slice(-4000); });
    child = c;
    await waitFor(`nats-server ${serverName}`, async () => {
      if (c.exitCode !== null) throw new Error(`exited with ${c.exitCode}: ${stderr}`);
      return canConnect(port);
    }, 10_000);
  };
  await launch();
  const signal = (name: NodeJS.Signals) => { child?.kill(name); };
  return {
    url: `nats://127.0.0.1:${port}`, port, monitorPort, serverName,
    pid: () => child?.pid ?? 0,
    freeze: () => signal('SIGSTOP'),
    resume: () => signal('SIGCONT'),
    kill: () => { signal('SIGCONT'); signal('SIGKILL'); },
    restart: launch,
  };
}

/** The city's server: clients on `port`, hospital leaf connections on `leafPort`. */
export async function startCityNats(name: string): Promise<NatsProcess & { readonly leafPort: number }> {
  const leafPort = await freePort();
  const server = await startConfigured(`${name}-city`, (port, monitorPort) => [
    `server_name: "${name}-city"`,
    `listen: "127.0.0.1:${port}"`,
    `http: "127.0.0.1:${monitorPort}"`,
    'leafnodes {',
    `  listen: "127.0.0.1:${leafPort}"`,
    '}',
    '',
  ].join('\n'));
  return { ...server, leafPort };
}

/** A hospital's server: the edge node connects to it; it dials the city's leafnode port (or a proxy). */
export function startHospitalNats(name: string, remotePort: number): Promise<NatsProcess> {
  return startConfigured(`${name}-hospital`, (port, monitorPort) => [
    `server_name: "${name}-hospital"`,
    `listen: "127.0.0.1:${port}"`,
    `http: "127.0.0.1:${monitorPort}"`,
    'leafnodes {',
    // Dial again a second after the link breaks (the default is the same; stated so it is visible).
    '  reconnect: 1',
    `  remotes: [ { url: "nats-leaf://127.0.0.1:${remotePort}" } ]`,
    '}',
    '',
  ].join('\n'));
}

/** One request/reply across the leaf connection: subscribe on one side, request from the other. */
export async function requestAcross(from: string, to: string, timeoutMs: number): Promise<void> {
  const a: NatsConnection = await connect({ servers: to });
  const b: NatsConnection = await connect({ servers: from });
  try {
    const subject = `yy.test.leaf-probe.${Math.random().toString(36).slice(2)}`;
    const sub = a.subscribe(subject);
    void (async () => { for await (const m of sub) m.respond(m.data); })();
    await a.flush();
    await waitFor('a request across the leaf connection', async () => {
      const reply = await b.request(subject, new TextEncoder().encode('ping'), { timeout: 500 });
      return new TextDecoder().decode(reply.data) === 'ping' ? true : undefined;
    }, timeoutMs, 200);
  } finally {
    await a.close();
    await b.close();
  }
}

export async function startLeafPair(options: LeafPairOptions = {}): Promise<LeafPair> {
  const name = options.name ?? `yy${process.pid}`;
  const city = await startCityNats(name);
  const link = options.slowLink ? await startSlowLink({ ...options.slowLink, targetHost: '127.0.0.1', targetPort: city.leafPort }) : undefined;
  let hospital: NatsProcess;
  try {
    hospital = await startHospitalNats(name, link?.port ?? city.leafPort);
  } catch (error) {
    city.kill();
    await link?.close();
    throw error;
  }
  const pair: LeafPair = {
    city, cityLeafPort: city.leafPort, hospital, ...(link ? { link } : {}),
    waitLinked: (timeoutMs = 15_000) => requestAcross(hospital.url, city.url, timeoutMs),
    async stop() {
      hospital.kill();
      city.kill();
      await link?.close();
    },
  };
  try {
    await pair.waitLinked();
  } catch (error) {
    await pair.stop();
    throw error;
  }
  return pair;
}
