// Is this node's NATS connection alive? Moleculer's `transit.connected` stays true while the NATS
// client waits to reconnect, so ask the server itself: a PING/PONG round trip, with a deadline
// (while disconnected the client buffers the PING and the round trip never completes).
import type { ServiceBroker } from 'moleculer';
import type { DependencyStatus } from '../../lib/cluster/node-health.ts';

interface NatsClient {
  rtt(): Promise<number>;
  isClosed(): boolean;
}

function natsClient(broker: ServiceBroker): NatsClient | undefined {
  const client = (broker.transit?.tx as { client?: Partial<NatsClient> } | undefined)?.client;
  return typeof client?.rtt === 'function' && typeof client.isClosed === 'function' ? (client as NatsClient) : undefined;
}

export async function probeNats(broker: ServiceBroker, timeoutMs: number): Promise<DependencyStatus> {
  const client = natsClient(broker);
  if (!client || client.isClosed()) return { name: 'nats', state: 'down', detail: 'not connected' };
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer from the NATS server within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    const ms = await Promise.race([client.rtt(), deadline]);
    return { name: 'nats', state: 'up', latencySeconds: ms / 1000 };
  } catch (error) {
    return { name: 'nats', state: 'down', detail: (error as Error).message };
  } finally {
    clearTimeout(timer);
  }
}
