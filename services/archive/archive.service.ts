// The `archive` service: what other nodes ask the catalog over the broker. Today one action, for the
// storage cluster's garbage collection: does a visible instance still hold this blob?
import type { Context, ServiceSchema } from 'moleculer';
import type { Catalog } from '../../lib/archive/catalog.ts';

export function createArchiveService(catalog: Catalog): ServiceSchema {
  return {
    name: 'archive',
    actions: {
      isBlobReferenced: {
        params: { sha256: { type: 'string', pattern: /^[0-9a-f]{64}$/ } },
        handler: (ctx: Context<{ sha256: string }>) => catalog.isBlobReferenced(ctx.params.sha256),
      },
    },
  };
}
