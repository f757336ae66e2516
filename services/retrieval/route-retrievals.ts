// Composes the retrieval router for a node that serves retrievals (api: DICOMweb, dimse: C-MOVE/C-GET,
// retrieval): the city's blob store behind the frame cache, in front of hospital edges (over a NATS
// connection of its own) and pass-through sources, with the series prefetch. The node hands the
// returned archive (its `blobs` replaced) to DICOMweb and DIMSE. Without NATS (the embedded default)
// only the cache is added; without a retrieval role the archive is returned as it is.
import { connect, type NatsConnection } from 'nats';
import type { Registry } from 'prom-client';
import type { NodeArchive } from '../../lib/archive/node-archive.ts';
import type { NodeRuntime } from '../../lib/config/resolve-node.ts';
import type { IndexEngine } from '../../lib/index-model/index-engine.ts';
import { readBlobLocations } from '../../lib/retrieval/blob-locations.ts';
import { createFrameCache } from '../../lib/retrieval/frame-cache.ts';
import { createRoutedBlobStore, type LocationFetcher } from '../../lib/retrieval/routed-blob-store.ts';
import { createSeriesPrefetch, type SeriesPrefetch } from '../../lib/retrieval/series-prefetch.ts';
import { createRetrievalMetrics } from '../../monitoring/retrieval-metrics.ts';
import { createNatsEdgeFetcher } from './nats-edge-fetcher.ts';

export const RETRIEVAL_ROLES = ['api', 'dimse', 'retrieval'] as const;

export interface RouteRetrievalsInput {
  readonly runtime: NodeRuntime;
  readonly archive: NodeArchive;
  /** The engine of the archive's catalog (blob_locations lives beside it). */
  readonly engine: IndexEngine;
  readonly registry: Registry;
  readonly log: { info(...args: unknown[]): void; warn(...args: unknown[]): void };
  /** Reads from pass-through sources (hospitals without an edge), when this node reaches them. */
  readonly remoteFetcher?: LocationFetcher;
}

export interface RoutedRetrievals {
  /** The archive whose `blobs` is the router. */
  readonly archive: NodeArchive;
  readonly prefetch?: SeriesPrefetch;
  close(): Promise<void>;
}

export async function routeRetrievals(input: RouteRetrievalsInput): Promise<RoutedRetrievals> {
  const { runtime, archive, engine, log } = input;
  const { config, node } = runtime;
  if (!node.roles.some((r) => (RETRIEVAL_ROLES as readonly string[]).includes(r))) return { archive, close: () => Promise.resolve() };
  const metrics = createRetrievalMetrics(input.registry);
  const locate = (sha256: string) => readBlobLocations(engine, sha256);
  let nc: NatsConnection | undefined;
  if (runtime.natsServers) {
    nc = await connect({ servers: [...runtime.natsServers], name: `${node.id}/retrieval`, maxReconnectAttempts: -1 });
  }
  const edge = nc ? createNatsEdgeFetcher({ nc, platformId: runtime.topology.platform.id, timeoutMs: config.edgeFetchTimeoutSeconds * 1000 }) : undefined;
  const prefetch = edge && config.prefetchConcurrency > 0
    ? createSeriesPrefetch({
      catalog: archive.catalog, city: archive.blobs, locate, fetcher: edge, concurrency: config.prefetchConcurrency, spoolDir: archive.spoolDir,
      onFailure: (f) => log.warn({ event: 'retrieval.prefetch.failed', seriesInstanceUid: f.seriesInstanceUid, sopInstanceUid: f.sopInstanceUid, error: f.error }),
    })
    : undefined;
  const cache = createFrameCache({ maxBytes: config.retrievalCacheBytes, maxItemBytes: config.retrievalCacheMaxItemBytes });
  const blobs = createRoutedBlobStore({
    city: archive.blobs, locate,
    fetchers: { ...(edge ? { edge } : {}), ...(input.remoteFetcher ? { remote: input.remoteFetcher } : {}) },
    ...(cache ? { cache } : {}),
    onCacheLookup: (result) => metrics.cacheRequests.inc({ result }),
    ...(prefetch ? { onServedOutside: (location) => { if (location.kind === 'edge') prefetch.schedule(location); } } : {}),
  });
  return {
    archive: { ...archive, blobs, ingest: (body, context) => archive.ingest(body, context) },
    ...(prefetch ? { prefetch } : {}),
    async close() {
      // Closing the connection first fails what the prefetch still waits for, at once.
      await nc?.close().catch(() => undefined);
      await prefetch?.idle();
    },
  };
}
