// The bearer token of the HTTP API: YY_ADMIN_TOKEN when given; otherwise one generated at first
// start, kept (mode 0600) in the data directory and shown once, so that the API is never open.
import { randomBytes, timingSafeEqual, createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface AdminToken {
  readonly token: string;
  /** True only on the start that created it: the caller shows it once. */
  readonly generated: boolean;
  readonly source: 'environment' | 'file';
}

export function resolveAdminToken(configured: string | undefined, dataDir: string): AdminToken {
  if (configured !== undefined) return { token: configured, generated: false, source: 'environment' };
  const file = join(dataDir, 'admin-token');
  try {
    const token = readFileSync(file, 'utf8').trim();
    if (token.length >= 16) return { token, generated: false, source: 'file' };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  mkdirSync(dataDir, { recursive: true });
  const token = randomBytes(32).toString('base64url');
  // 'wx': two processes starting at once must not both win.
  writeFileSync(file, `${token}\n`, { mode: 0o600, flag: 'wx' });
  return { token, generated: true, source: 'file' };
}

const digest = (s: string) => createHash('sha256').update(s).digest();

/** Constant-time check of an Authorization header against the token. */
export function isAuthorized(header: string | undefined, token: string): boolean {
  const match = /^Bearer\s+(\S+)$/i.exec(header ?? '');
  return match?.[1] !== undefined && timingSafeEqual(digest(match[1]), digest(token));
}
