// Stops a broker and makes sure its NATS connection is closed. Moleculer's NATS transporter flushes
// before it closes, and a flush waits for the server: a node stopped while NATS is unreachable (a
// hospital link down, the city server gone) would keep reconnecting for ever and never let the
// process exit. Closing the connection needs no server.
import type { ServiceBroker } from 'moleculer';

interface NatsClientLike {
  isClosed(): boolean;
  close(): Promise<void>;
}

function transporterClient(broker: ServiceBroker): NatsClientLike | undefined {
  const tx = (broker.transit as { tx?: { client?: unknown } } | undefined)?.tx;
  const client = tx?.client as Partial<NatsClientLike> | null | undefined;
  return client && typeof client.isClosed === 'function' && typeof client.close === 'function' ? client as NatsClientLike : undefined;
}

export async function stopBroker(broker: ServiceBroker): Promise<void> {
  // Taken before stop(): the transporter forgets its client only once the flush has come back.
  const client = transporterClient(broker);
  try {
    await broker.stop();
  } finally {
    if (client && !client.isClosed()) await client.close().catch(() => undefined);
  }
}
