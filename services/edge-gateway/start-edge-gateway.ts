// The city side of hospital edges on one node: on `ingest` nodes (with NATS), a NATS connection of
// its own serving the edge upload and control subjects in the city's queue group, so each transfer or
// request reaches one ingest node; on `api` nodes, GET /api/edges. Nothing on a node without NATS
// (the embedded default has no edges).
import { connect, type NatsConnection, type Subscription } from 'nats';
import type { FastifyInstance } from 'fastify';
import type { NodeArchive } from '../../lib/archive/node-archive.ts';
import type { NodeRuntime } from '../../lib/config/resolve-node.ts';
import { CITY_QUEUE_GROUP, edgeSubjects, type EdgeControlReply, type EdgeControlRequest } from '../../lib/edge/edge-protocol.ts';
import type { IndexEngine } from '../../lib/index-model/index-engine.ts';
import { serveChunkTransfers } from '../../storage-nodes/nats-chunk-transfer.ts';
import { createUploadAcceptor } from './accept-upload.ts';
import { answerControl } from './answer-control.ts';
import { registerEdgesRoute } from './edges-route.ts';
import type { GatewayDeps } from './gateway-deps.ts';

const CONTROL_TYPES: readonly string[] = ['heartbeat', 'study-complete'] satisfies EdgeControlRequest['type'][];

/** Chunks an edge may have in flight to one ingest node per upload. */
const UPLOAD_WINDOW = 8;

export interface EdgeGatewayInput {
  readonly runtime: NodeRuntime;
  readonly http: FastifyInstance;
  readonly archive: NodeArchive;
  readonly engine: IndexEngine;
  readonly emit: GatewayDeps['emit'];
  readonly log: GatewayDeps['log'];
}

export interface EdgeGateway {
  close(): Promise<void>;
}

/** Serves the upload and control subjects on `nc` (also what tests call with their own connection). */
export function serveEdgeUploads(nc: NatsConnection, platformId: string, deps: GatewayDeps): Subscription[] {
  const subjects = edgeSubjects(platformId);
  const uploads = serveChunkTransfers(nc, subjects.upload, { queue: CITY_QUEUE_GROUP, window: UPLOAD_WINDOW, accept: createUploadAcceptor(deps) });
  const control = nc.subscribe(subjects.control, {
    queue: CITY_QUEUE_GROUP,
    callback: (_error, msg) => {
      const answer = async (): Promise<EdgeControlReply> => {
        try {
          const request = JSON.parse(Buffer.from(msg.data).toString()) as EdgeControlRequest;
          if (!CONTROL_TYPES.includes(String((request as { type?: unknown }).type))) return { ok: false, error: 'unknown control request' };
          return await answerControl(deps, request);
        } catch (error) {
          deps.log.warn({ event: 'edge.control.failed', error: (error as Error).message });
          return { ok: false, error: (error as Error).message };
        }
      };
      void answer().then((reply) => msg.respond(Buffer.from(JSON.stringify(reply))));
    },
  });
  return [uploads, control];
}

export async function startEdgeGateway(input: EdgeGatewayInput): Promise<EdgeGateway> {
  const { runtime, http, archive, engine } = input;
  const { node, topology, config } = runtime;
  if (node.roles.includes('api')) registerEdgesRoute(http, topology, engine, config.edgeHeartbeatSeconds);
  if (!node.roles.includes('ingest') || !runtime.natsServers) return { close: () => Promise.resolve() };
  const nc = await connect({ servers: [...runtime.natsServers], name: `${node.id}/edge-gateway`, maxReconnectAttempts: -1 });
  serveEdgeUploads(nc, topology.platform.id, {
    topology, archive, engine, replaceDuplicates: config.replaceDuplicates === 'true', emit: input.emit, log: input.log,
  });
  return {
    async close() {
      // A drain waits for the server: with NATS unreachable, give it a moment, then close without it.
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<void>((resolve) => { timer = setTimeout(resolve, 2000); });
      await Promise.race([nc.drain().catch(() => undefined), late]);
      clearTimeout(timer);
      if (!nc.isClosed()) await nc.close().catch(() => undefined);
    },
  };
}
