// The `index` service owns the index engine on nodes with the `index` role: it migrates the schema
// and claims the index for its platform before the node is announced, and answers `index.health`.
import type { ServiceSchema } from 'moleculer';
import type { IndexEngine } from '../../lib/index-model/index-engine.ts';
import { claimPlatform } from '../../lib/index-model/claim-platform.ts';

export interface IndexServiceDeps {
  readonly engine: IndexEngine;
  readonly platformId: string;
  readonly platformLevel: string;
}

export function createIndexService(deps: IndexServiceDeps): ServiceSchema {
  return {
    name: 'index',
    actions: {
      health: { handler: () => deps.engine.health() },
    },
    async started(this: { logger: { info(...a: unknown[]): void } }) {
      const report = await deps.engine.migrate();
      const claim = await claimPlatform(deps.engine, deps.platformId, deps.platformLevel);
      this.logger.info('index ready', { engine: deps.engine.kind, schemaVersion: report.current, applied: report.applied, platform: claim });
    },
  };
}
