// Pass-through for hospitals without an edge (issue 5, deliverable 7): a retrieval that names a study the
// city does not know asks the registered remote sources, in topology order, whether they have it, and
// fetches it from the first that does into the city through the one ingest path (source 'remote'). The
// request then proceeds from the city catalog as for any other study, and later ones find it there:
// fetched instances stay in the city as a cache that a retention job may trim.
// Concurrent requests for one study share one fetch; a study no source has is remembered for a while so
// that 404s do not hammer the hospitals; a fetch cut short is retried by the next request (instances
// already stored come back as duplicates, which ingest accepts unchanged).
import type { Readable } from 'node:stream';
import { LRUCache } from 'lru-cache';
import type { IngestContext, IngestResult } from '../ingest/ingest-types.ts';
import { RemoteUnavailableError, type ReceivedFacts, type RemoteSource } from './remote-source.ts';

export type EnsureResult =
  /** The city has the study (or no source is registered): proceed as usual. */
  | { readonly kind: 'local' }
  /** Fetched just now: the request that triggered it is served by the remote source. */
  | { readonly kind: 'fetched'; readonly hospitalId: string; readonly stored: number; readonly rejected: number }
  /** No source has it: the usual 404. */
  | { readonly kind: 'absent' };

export interface PassThroughLog {
  info(...args: unknown[]): void;
  warn(...args: unknown[]): void;
}

export interface PassThroughDeps {
  /** In topology order. */
  readonly sources: readonly RemoteSource[];
  /** Whether the city catalog has any instance of the study. */
  readonly hasLocalStudy: (studyInstanceUid: string) => Promise<boolean>;
  readonly ingest: (body: Readable, context: IngestContext) => Promise<IngestResult>;
  /** How long "no source has this study" is remembered, in milliseconds. */
  readonly notFoundTtlMs: number;
  readonly log: PassThroughLog;
  readonly now?: () => number;
}

const KNOWN_LOCAL_MAX = 100_000;
const ABSENT_MAX = 10_000;

export class PassThrough {
  readonly #deps: PassThroughDeps;
  readonly #now: () => number;
  /** Studies seen in the city: frame after frame of one study costs one catalog read, not one each. */
  readonly #knownLocal = new LRUCache<string, true>({ max: KNOWN_LOCAL_MAX });
  /** Study UID → until when no source has it. */
  readonly #absent = new LRUCache<string, number>({ max: ABSENT_MAX });
  readonly #inFlight = new Map<string, Promise<EnsureResult>>();
  /** Fetches that stopped part-way: the city has some instances, so the catalog alone would say "local". */
  readonly #incomplete = new Set<string>();

  constructor(deps: PassThroughDeps) {
    this.#deps = deps;
    this.#now = deps.now ?? Date.now;
  }

  get sourceCount(): number {
    return this.#deps.sources.length;
  }

  /** Makes sure the city has the study if any source has it. Throws RemoteUnavailableError when the
   * study is not in the city and a source that might have it could not be asked. */
  async ensureStudy(studyInstanceUid: string): Promise<EnsureResult> {
    if (this.#deps.sources.length === 0 || this.#knownLocal.has(studyInstanceUid)) return { kind: 'local' };
    const shared = this.#inFlight.get(studyInstanceUid);
    if (shared) return shared;
    if (!this.#incomplete.has(studyInstanceUid)) {
      if (await this.#deps.hasLocalStudy(studyInstanceUid)) {
        this.#knownLocal.set(studyInstanceUid, true);
        return { kind: 'local' };
      }
      if ((this.#absent.get(studyInstanceUid) ?? 0) > this.#now()) return { kind: 'absent' };
    }
    // Another request may have started the fetch while this one read the catalog.
    const started = this.#inFlight.get(studyInstanceUid);
    if (started) return started;
    const fetch = this.#fetch(studyInstanceUid).finally(() => this.#inFlight.delete(studyInstanceUid));
    this.#inFlight.set(studyInstanceUid, fetch);
    return fetch;
  }

  async #fetch(studyInstanceUid: string): Promise<EnsureResult> {
    let unavailable: RemoteUnavailableError | undefined;
    for (const source of this.#deps.sources) {
      try {
        if (!(await source.hasStudy(studyInstanceUid))) continue;
        return await this.#retrieve(source, studyInstanceUid);
      } catch (error) {
        if (!(error instanceof RemoteUnavailableError)) throw error;
        this.#deps.log.warn({ event: 'remote.unavailable', hospitalId: source.hospitalId, protocol: source.protocol, reason: error.message });
        unavailable ??= error;
      }
    }
    // "Not found" only when every source answered; one that could not be asked might have it.
    if (unavailable) throw unavailable;
    this.#absent.set(studyInstanceUid, this.#now() + this.#deps.notFoundTtlMs);
    return { kind: 'absent' };
  }

  async #retrieve(source: RemoteSource, studyInstanceUid: string): Promise<EnsureResult> {
    const started = this.#now();
    let stored = 0;
    let rejected = 0;
    this.#incomplete.add(studyInstanceUid);
    const receive = async (body: Readable, facts: ReceivedFacts): Promise<IngestResult> => {
      const result = await this.#deps.ingest(body, {
        source: 'remote', origin: source.hospitalId, expectedStudyInstanceUid: studyInstanceUid,
        ...(facts.transferSyntaxUid === undefined ? {} : { transferSyntaxUid: facts.transferSyntaxUid }),
        ...(facts.sopClassUid === undefined ? {} : { announcedSopClassUid: facts.sopClassUid }),
        ...(facts.sopInstanceUid === undefined ? {} : { announcedSopInstanceUid: facts.sopInstanceUid }),
      });
      if (result.status === 'rejected') {
        rejected += 1;
        this.#deps.log.warn({ event: 'remote.instance.rejected', hospitalId: source.hospitalId, outcome: result.outcome, reason: result.reason });
      } else stored += 1;
      return result;
    };
    const summary = await source.retrieveStudy(studyInstanceUid, receive);
    if (stored === 0) {
      // The source said it had the study but handed over nothing usable: not something a 404 may hide.
      throw new RemoteUnavailableError(source.hospitalId, `announced the study but delivered ${summary.received === 0 ? 'no instances' : `no acceptable instance of ${summary.received}`}`);
    }
    this.#incomplete.delete(studyInstanceUid);
    this.#knownLocal.set(studyInstanceUid, true);
    this.#deps.log.info({
      event: 'remote.fetched', hospitalId: source.hospitalId, protocol: source.protocol, studyInstanceUid,
      stored, rejected, seconds: (this.#now() - started) / 1000,
    });
    return { kind: 'fetched', hospitalId: source.hospitalId, stored, rejected };
  }
}
