// An index belongs to one platform. The first node to migrate it writes the platform's id; a node
// of another platform pointed at the same keyspace or file is refused instead of mixing data.
import type { IndexEngine } from './index-engine.ts';

export class PlatformMismatchError extends Error {
  constructor(expected: string, found: string) {
    super(`the index belongs to platform "${found}", not "${expected}": check index.cassandra.keyspace in the topology or YY_DATA_DIR`);
    this.name = 'PlatformMismatchError';
  }
}

export async function claimPlatform(engine: IndexEngine, platformId: string, level: string): Promise<'claimed' | 'confirmed'> {
  const result = await engine.insertIfNotExists('platform_info', {
    scope: 'platform', platform_id: platformId, level, created_at: new Date(),
  });
  if (result.applied) return 'claimed';
  const found = result.existing?.platform_id;
  if (found !== platformId) throw new PlatformMismatchError(platformId, String(found));
  return 'confirmed';
}
