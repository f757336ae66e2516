// `storageRepair`, on nodes with the `repair` role: runs repair passes (anti-entropy, restore the
// factor, drain, rebalance) and garbage collection every interval, answers read-repair reports
// (`blob.suspect`), starts drains, and reports the cluster's storage state for GET /api/storage.
import type { Context, ServiceBroker, ServiceSchema } from 'moleculer';
import { writeNodeState, type IndexAccess } from '../../lib/storage-model/blob-index.ts';
import type { RepairReason } from '../../lib/storage-model/plan-replication.ts';
import type { Membership } from '../../storage-nodes/storage-membership.ts';
import { runRepairPass, type PassReport } from '../../storage-nodes/repair-pass.ts';
import { collectGarbage } from '../../storage-nodes/collect-garbage.ts';
import { checkReplica, type CallNode } from '../../storage-nodes/replica-ops.ts';
import { createRateLimiter } from '../../storage-nodes/rate-limiter.ts';
import type { StorageClusterMetrics } from '../../monitoring/storage-metrics.ts';

export interface StorageRepairDeps {
  readonly index: IndexAccess;
  readonly membership: Membership;
  readonly factor: number;
  readonly distinctZones: boolean;
  readonly intervalSeconds: number;
  readonly bytesPerSecond: number;
  readonly graceSeconds: number;
  readonly isReferenced: (sha256: string) => Promise<boolean>;
  readonly metrics: StorageClusterMetrics;
}

export interface StorageNodeStatus {
  readonly id: string;
  readonly zone: string;
  readonly state: string;
  readonly live: boolean;
  readonly capacityBytes: number;
  readonly usedBytes: number;
  readonly objects: number;
}

export interface StorageStatus {
  readonly nodes: readonly StorageNodeStatus[];
  readonly underReplicated: number;
  readonly movesInFlight: number;
  readonly lastPass?: PassReport & { readonly finishedAt: string; readonly seconds: number };
}

interface This { logger: { warn(...args: unknown[]): void; info(...args: unknown[]): void }; broker: ServiceBroker }

const COPY_CONCURRENCY = 8;
/** A copy of a large blob takes as long as the disks need; other calls keep the broker's timeout. */
const FETCH_TIMEOUT_MS = 30 * 60 * 1000;

function nodeCaller(broker: ServiceBroker): CallNode {
  return (nodeId, action, params) => broker.call(action, params, { nodeID: nodeId, retries: 0, ...(action === 'storage.fetch' ? { timeout: FETCH_TIMEOUT_MS } : {}) });
}

export function createStorageRepairService(deps: StorageRepairDeps): ServiceSchema {
  const stop = new AbortController();
  let moves = 0;
  let underReplicated = 0;
  let lastPass: StorageStatus['lastPass'];
  let running: Promise<PassReport> | undefined;
  let queued: Promise<PassReport> | undefined;
  let timer: NodeJS.Timeout | undefined;

  const onMove = (delta: 1 | -1) => { moves += delta; deps.metrics.movesInFlight.set(moves); };
  const onRepair = (reason: RepairReason) => deps.metrics.repairs.inc({ reason });

  async function pass(broker: ServiceBroker, log: This['logger']): Promise<PassReport> {
    const callNode = nodeCaller(broker);
    const started = Date.now();
    const limiter = createRateLimiter(deps.bytesPerSecond, stop.signal);
    deps.membership.refresh();
    const report = await runRepairPass({
      index: deps.index, callNode, members: () => deps.membership.members(), factor: deps.factor, distinctZones: deps.distinctZones,
      limiter, concurrency: COPY_CONCURRENCY, onMove, onRepair, log, signal: stop.signal,
    });
    await collectGarbage({ index: deps.index, callNode, graceSeconds: deps.graceSeconds, isReferenced: deps.isReferenced, log }, await deps.membership.members());
    if (report.drained.length > 0) deps.membership.refresh();
    underReplicated = report.underReplicated;
    deps.metrics.underReplicated.set(underReplicated);
    lastPass = { ...report, finishedAt: new Date().toISOString(), seconds: (Date.now() - started) / 1000 };
    if (report.copies + report.removals > 0 || report.drained.length > 0) log.info('repair pass', lastPass);
    return report;
  }

  /** One pass at a time; requests during a pass share one more pass right after it. */
  function schedule(broker: ServiceBroker, log: This['logger']): Promise<PassReport> {
    if (!running) {
      running = pass(broker, log).finally(() => { running = undefined; });
      return running;
    }
    queued ??= running.catch(() => undefined).then(() => { queued = undefined; return schedule(broker, log); });
    return queued;
  }

  async function status(broker: ServiceBroker): Promise<StorageStatus> {
    const members = await deps.membership.members();
    const nodes = await Promise.all([...members.values()].map(async (m): Promise<StorageNodeStatus> => {
      const usage = m.live
        ? await broker.call<{ capacityBytes: number; usedBytes: number; objects: number }, Record<string, never>>('storage.usage', {}, { nodeID: m.id, timeout: 2000, retries: 0 }).catch(() => undefined)
        : undefined;
      return { id: m.id, zone: m.zone, state: m.state, live: m.live, capacityBytes: usage?.capacityBytes ?? m.weight, usedBytes: usage?.usedBytes ?? 0, objects: usage?.objects ?? 0 };
    }));
    return { nodes, underReplicated, movesInFlight: moves, ...(lastPass ? { lastPass } : {}) };
  }

  return {
    name: 'storageRepair',
    actions: {
      status: { handler(this: This) { return status(this.broker); } },
      /** Runs a full pass now (after the one under way) and returns its report. */
      pass: { handler(this: This) { return schedule(this.broker, this.logger); } },
      drain: {
        async handler(this: This, ctx: Context<{ nodeId: string }>) {
          const members = await deps.membership.members();
          if (!members.has(ctx.params.nodeId)) return { accepted: false, reason: 'unknown storage node' };
          await writeNodeState(deps.index, ctx.params.nodeId, 'draining');
          deps.membership.refresh();
          void schedule(this.broker, this.logger).catch(() => undefined);
          return { accepted: true };
        },
      },
    },
    events: {
      'blob.suspect': {
        async handler(this: This, ctx: Context<{ sha256: string; nodeId: string }>) {
          const callNode = nodeCaller(this.broker);
          try {
            const found = await checkReplica({ index: deps.index, callNode }, await deps.membership.members(), ctx.params.sha256, ctx.params.nodeId);
            if (found === 'repaired') onRepair('read_repair');
            if (found === 'lost') this.logger.warn('replica lost and no good copy to restore it from', { sha256: ctx.params.sha256, node: ctx.params.nodeId });
          } catch (error) {
            this.logger.warn('read repair failed', { sha256: ctx.params.sha256, node: ctx.params.nodeId, error: (error as Error).message });
          }
        },
      },
    },
    started(this: This) {
      const tick = () => { schedule(this.broker, this.logger).catch((error: unknown) => this.logger.warn('repair pass failed', { error: (error as Error).message })); };
      timer = setInterval(tick, deps.intervalSeconds * 1000);
    },
    stopped() {
      stop.abort();
      if (timer) clearInterval(timer);
    },
  };
}
