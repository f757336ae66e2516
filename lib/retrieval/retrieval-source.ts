// Which source served a retrieval: every stream the retrieval router returns carries it, so the
// protocol adapters label their answers (X-Yunying-Source, the source label of the retrieval metrics)
// without knowing how the router decided. A stream nobody tagged came from the city's own store.
import type { Readable } from 'node:stream';

export const RETRIEVAL_SOURCES = ['cache', 'city', 'edge', 'remote'] as const;
export type RetrievalSource = (typeof RETRIEVAL_SOURCES)[number];

const tags = new WeakMap<Readable, RetrievalSource>();

export function tagSource<T extends Readable>(stream: T, source: RetrievalSource): T {
  tags.set(stream, source);
  return stream;
}

export function sourceOf(stream: Readable): RetrievalSource {
  return tags.get(stream) ?? 'city';
}

/** Of several sources (the parts of one answer), the farthest: an answer that needed an edge is an edge answer. */
export function farthestSource(a: RetrievalSource, b: RetrievalSource): RetrievalSource {
  return RETRIEVAL_SOURCES.indexOf(a) >= RETRIEVAL_SOURCES.indexOf(b) ? a : b;
}
