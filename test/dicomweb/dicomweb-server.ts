// A DICOMweb server for tests: a real embedded node (SQLite index, local disk blob store, the one ingest
// path, DICOMweb under /dicom-web) started in this process by startNode, on free ports, in a temp dir.
import { join } from 'node:path';
import type { Registry } from 'prom-client';
import { loadConfig } from '../../lib/config/load-config.ts';
import { resolveNode } from '../../lib/config/resolve-node.ts';
import { startNode } from '../../services/start-node.ts';
import { loadTopology } from '../../topology/load-topology.ts';
import { findNode } from '../../topology/topology-queries.ts';
import { freePort, tempDir } from '../helpers/processes.ts';

export const TOKEN = 'dicomweb-test-token-0123456789';
const EMBEDDED = join(import.meta.dirname, '..', '..', 'topology', 'examples', 'embedded.yaml');

export interface DicomwebServer {
  readonly base: string;
  readonly registry: Registry;
  close(): Promise<void>;
}

/** `env`: extra YY_ settings (YY_CORS_ORIGINS, YY_CROSS_ORIGIN_ISOLATION ...). */
export async function startDicomwebServer(env: Readonly<Record<string, string>> = {}): Promise<DicomwebServer> {
  const topology = loadTopology(EMBEDDED);
  const config = loadConfig({
    YY_DATA_DIR: tempDir('dicomweb'), YY_HTTP_PORT: String(await freePort()), YY_DICOM_PORT: String(await freePort()),
    YY_ADMIN_TOKEN: TOKEN, YY_LOG_LEVEL: 'warn', ...env,
  });
  const node = await startNode(resolveNode(topology, findNode(topology, 'yunying'), config, process.cwd()), 'test');
  return {
    base: `http://127.0.0.1:${node.httpPort}/dicom-web`, registry: node.metrics.registry,
    close: () => node.stop(),
  };
}

export const AUTH = { authorization: `Bearer ${TOKEN}` };

/** A STOW-RS body of whole parts. */
export function stowBody(parts: readonly (Uint8Array | { type: string; bytes: Uint8Array })[], boundary = 'test-boundary-1'): Buffer {
  const chunks: Buffer[] = [];
  for (const p of parts) {
    const { type, bytes } = p instanceof Uint8Array ? { type: 'application/dicom', bytes: p } : p;
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Type: ${type}\r\n\r\n`), Buffer.from(bytes), Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return Buffer.concat(chunks);
}

export async function stow(base: string, body: Buffer, contentType = 'multipart/related; type="application/dicom"; boundary=test-boundary-1', path = '/studies', headers: Record<string, string> = {}) {
  const r = await fetch(`${base}${path}`, { method: 'POST', body, headers: { ...AUTH, 'content-type': contentType, accept: 'application/dicom+json', ...headers } });
  const text = await r.text();
  let json: unknown = text;
  try { json = JSON.parse(text); } catch { /* keep text */ }
  return { status: r.status, body: json as Record<string, { Value?: unknown[] }> & { detail?: string; title?: string }, headers: r.headers };
}
