// The edge's one NATS connection (to the hospital's leaf nats-server, which carries it to the city):
// opened in the background so the edge starts and takes C-STOREs while nothing answers, reconnecting
// forever. `up()` says whether it is connected now; `whenUp()` resolves at the next (re)connection.
import { connect, Events, type NatsConnection } from 'nats';

export interface EdgeLink {
  connection(): NatsConnection | undefined;
  up(): boolean;
  whenUp(): Promise<void>;
  /** Runs `use` on the connection once it first exists (subscriptions survive reconnections). */
  onConnected(use: (nc: NatsConnection) => void): void;
  close(): Promise<void>;
}

export interface EdgeLinkLog {
  info(...args: unknown[]): void;
  warn(...args: unknown[]): void;
}

export function openEdgeLink(servers: readonly string[], name: string, log: EdgeLinkLog): EdgeLink {
  let nc: NatsConnection | undefined;
  let connected = false;
  let closed = false;
  let waiters: (() => void)[] = [];
  const users: ((nc: NatsConnection) => void)[] = [];
  const setUp = (value: boolean) => {
    connected = value;
    if (!value) return;
    const ready = waiters;
    waiters = [];
    for (const resolve of ready) resolve();
  };
  const watch = async (conn: NatsConnection) => {
    for await (const status of conn.status()) {
      if (status.type === Events.Disconnect) { setUp(false); log.warn({ event: 'edge.link.down' }); }
      if (status.type === Events.Reconnect) { setUp(true); log.info({ event: 'edge.link.up' }); }
    }
  };
  void connect({ servers: [...servers], name, reconnect: true, maxReconnectAttempts: -1, waitOnFirstConnect: true }).then((conn) => {
    if (closed) { void conn.close(); return; }
    nc = conn;
    void watch(conn);
    for (const use of users) use(conn);
    setUp(true);
    log.info({ event: 'edge.link.up' });
  }, (error: unknown) => log.warn({ event: 'edge.link.failed', error: (error as Error).message }));
  return {
    connection: () => nc,
    up: () => connected && nc !== undefined && !nc.isClosed(),
    whenUp: () => new Promise<void>((resolve) => { waiters.push(resolve); }),
    onConnected(use) {
      users.push(use);
      if (nc) use(nc);
    },
    async close() {
      closed = true;
      setUp(false);
      await nc?.close();
    },
  };
}
