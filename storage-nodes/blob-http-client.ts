// The client side of the storage nodes' blob data path (HTTP between nodes of a data center). Bodies
// stream both ways through node:http, so TCP backpressure paces the sender to the slower side and no
// object is ever held whole in memory. Failures map to BlobStoreError codes.
import { Agent, request, type IncomingMessage } from 'node:http';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import { BlobStoreError, type BlobSource, type BlobStoreErrorCode, type ByteRange } from '../lib/blob-store/blob-store.ts';

export const BLOB_PATH = '/storage/v1/blobs';

export interface NodeEndpoint {
  readonly id: string;
  /** Base URL of the node's HTTP server, e.g. http://127.0.0.1:8063 */
  readonly url: string;
}

const agent = new Agent({ keepAlive: true, maxSockets: 64 });
const CODES: readonly BlobStoreErrorCode[] = ['NOT_FOUND', 'CORRUPT', 'HASH_MISMATCH', 'FULL', 'UNAVAILABLE', 'INVALID_RANGE'];

async function readText(response: IncomingMessage): Promise<string> {
  let text = '';
  for await (const chunk of response) text += (chunk as Buffer).toString();
  return text;
}

async function failure(endpoint: NodeEndpoint, response: IncomingMessage): Promise<BlobStoreError> {
  const text = await readText(response).catch(() => '');
  let code: BlobStoreErrorCode = response.statusCode === 404 ? 'NOT_FOUND' : 'UNAVAILABLE';
  try {
    const body = JSON.parse(text) as { code?: string };
    if (CODES.includes(body.code as BlobStoreErrorCode)) code = body.code as BlobStoreErrorCode;
  } catch { /* not our JSON: keep the status mapping */ }
  return new BlobStoreError(code, `storage node ${endpoint.id} answered ${response.statusCode ?? 0}`);
}

function unavailable(endpoint: NodeEndpoint, error: unknown): BlobStoreError {
  if (error instanceof BlobStoreError) return error;
  return new BlobStoreError('UNAVAILABLE', `storage node ${endpoint.id}: ${(error as Error).message}`);
}

function send(endpoint: NodeEndpoint, method: string, path: string, headers: Record<string, string>, timeoutMs: number) {
  const req = request(new URL(path, endpoint.url), { method, headers, agent, timeout: timeoutMs });
  // An idle socket for timeoutMs (no byte either way) ends the request: a frozen peer cannot hang us.
  req.on('timeout', () => req.destroy(new Error(`no progress for ${timeoutMs} ms`)));
  const response = new Promise<IncomingMessage>((resolve, reject) => {
    req.once('response', resolve);
    req.once('error', reject);
  });
  return { req, response };
}

/** Streams the source to one node; resolves when the node has it durably. */
export async function putBlob(endpoint: NodeEndpoint, secret: string, source: BlobSource, timeoutMs: number): Promise<{ existed: boolean }> {
  const { req, response } = send(endpoint, 'PUT', `${BLOB_PATH}/${source.sha256}`, {
    authorization: `Bearer ${secret}`, 'content-type': 'application/octet-stream', 'content-length': String(source.size),
  }, timeoutMs);
  try {
    const [res] = await Promise.all([response, pipeline(source.open(), req)]);
    if (res.statusCode === 200 || res.statusCode === 201) {
      await readText(res);
      return { existed: res.statusCode === 200 };
    }
    throw await failure(endpoint, res);
  } catch (error) {
    req.destroy();
    throw unavailable(endpoint, error);
  }
}

/** The blob's bytes (or a non-empty range) from one node; rejects before any byte when the node refuses. */
export async function getBlob(endpoint: NodeEndpoint, secret: string, sha256: string, range: ByteRange | undefined, timeoutMs: number): Promise<Readable> {
  const headers: Record<string, string> = { authorization: `Bearer ${secret}` };
  if (range) headers.range = `bytes=${range.offset}-${range.offset + range.length - 1}`;
  const { req, response } = send(endpoint, 'GET', `${BLOB_PATH}/${sha256}`, headers, timeoutMs);
  req.end();
  try {
    const res = await response;
    if (res.statusCode === 200 || res.statusCode === 206) return res;
    throw await failure(endpoint, res);
  } catch (error) {
    req.destroy();
    throw unavailable(endpoint, error);
  }
}

async function simple(endpoint: NodeEndpoint, method: 'HEAD' | 'DELETE', secret: string, sha256: string, timeoutMs: number): Promise<IncomingMessage> {
  const { req, response } = send(endpoint, method, `${BLOB_PATH}/${sha256}`, { authorization: `Bearer ${secret}` }, timeoutMs);
  req.end();
  try {
    const res = await response;
    res.resume();
    return res;
  } catch (error) {
    req.destroy();
    throw unavailable(endpoint, error);
  }
}

export async function headBlob(endpoint: NodeEndpoint, secret: string, sha256: string, timeoutMs: number): Promise<number | undefined> {
  const res = await simple(endpoint, 'HEAD', secret, sha256, timeoutMs);
  if (res.statusCode === 404) return undefined;
  if (res.statusCode !== 200) throw new BlobStoreError('UNAVAILABLE', `storage node ${endpoint.id} answered ${res.statusCode ?? 0}`);
  return Number(res.headers['x-blob-size']);
}

export async function deleteBlob(endpoint: NodeEndpoint, secret: string, sha256: string, timeoutMs: number): Promise<void> {
  const res = await simple(endpoint, 'DELETE', secret, sha256, timeoutMs);
  if (res.statusCode !== 204 && res.statusCode !== 404) throw new BlobStoreError('UNAVAILABLE', `storage node ${endpoint.id} answered ${res.statusCode ?? 0}`);
}
