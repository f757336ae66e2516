// Moleculer's discoverer stamps heartbeats with whole seconds of process uptime, compares with a
// strict ">", and checks only once per timeout period: a dead node stays listed for up to twice the
// heartbeat timeout. Operators are promised the timeout itself, so this discoverer (Moleculer's
// extension point for discovery) stamps every heartbeat and INFO in milliseconds and sweeps four
// times a second.
import { Discoverers } from 'moleculer';

const SWEEP_MS = 250;

interface RegistryNode {
  id: string;
  local: boolean;
  available: boolean;
}

export class PreciseDiscoverer extends Discoverers.Local {
  readonly #lastSeenMs = new Map<string, number>();
  #sweep: NodeJS.Timeout | undefined;

  /** When a packet last came from this node (epoch milliseconds). */
  lastSeen(nodeID: string): number | undefined {
    return this.#lastSeenMs.get(nodeID);
  }

  override heartbeatReceived(nodeID: string, payload: Record<string, unknown>): void {
    this.#lastSeenMs.set(nodeID, Date.now());
    super.heartbeatReceived(nodeID, payload);
  }

  override processRemoteNodeInfo(nodeID: string, payload: Record<string, unknown>): ReturnType<Discoverers.Local['processRemoteNodeInfo']> {
    this.#lastSeenMs.set(nodeID, Date.now());
    return super.processRemoteNodeInfo(nodeID, payload);
  }

  override startHeartbeatTimers(): void {
    super.startHeartbeatTimers();
    clearInterval(this.#sweep);
    this.#sweep = setInterval(() => this.checkRemoteNodes(), SWEEP_MS);
    this.#sweep.unref();
  }

  override stopHeartbeatTimers(): void {
    super.stopHeartbeatTimers();
    clearInterval(this.#sweep);
    this.#sweep = undefined;
  }

  override checkRemoteNodes(): void {
    const timeoutMs = (this.broker.options.heartbeatTimeout ?? 15) * 1000;
    const now = Date.now();
    for (const node of this.registry.nodes.toArray() as unknown as RegistryNode[]) {
      if (node.local || !node.available) continue;
      const last = this.#lastSeenMs.get(node.id);
      if (last === undefined) {
        this.#lastSeenMs.set(node.id, now);
      } else if (now - last > timeoutMs) {
        this.logger.warn(`No heartbeat from node '${node.id}' for ${now - last} ms: taken as gone.`);
        this.registry.nodes.disconnected(node.id, true);
      }
    }
  }
}
