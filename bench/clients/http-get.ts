// Timed HTTP GET over kept-alive connections (node:http: less client overhead than fetch, the same
// for both systems). The body is read to its end: a response counts when the last byte arrived.
import { Agent, request } from 'node:http';

export interface GetResult {
  readonly status: number;
  readonly bytes: number;
  readonly ms: number;
  readonly contentType: string;
  /** The body, only when asked for (JSON answers). */
  readonly body?: Buffer;
}

export function createAgent(maxSockets: number): Agent {
  return new Agent({ keepAlive: true, maxSockets });
}

export function httpGet(url: string, headers: Readonly<Record<string, string>>, agent: Agent, keepBody = false): Promise<GetResult> {
  const start = performance.now();
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'GET', headers, agent }, (res) => {
      let bytes = 0;
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        if (keepBody) chunks.push(chunk);
      });
      res.on('end', () => resolve({
        status: res.statusCode ?? 0, bytes, ms: performance.now() - start,
        contentType: res.headers['content-type'] ?? '', ...(keepBody ? { body: Buffer.concat(chunks) } : {}),
      }));
      res.on('error', reject);
    });
    req.setTimeout(300_000, () => req.destroy(new Error(`GET ${url} timed out`)));
    req.on('error', reject);
    req.end();
  });
}

/** GET of a DICOM JSON answer: its items (an empty 204 answer is an empty list). */
export async function getDicomJson(url: string, headers: Readonly<Record<string, string>>, agent: Agent): Promise<{ result: GetResult; items: unknown[] }> {
  const result = await httpGet(url, { accept: 'application/dicom+json', ...headers }, agent, true);
  if (result.status === 204) return { result, items: [] };
  if (result.status !== 200) throw new Error(`GET ${url}: HTTP ${result.status}`);
  const parsed = JSON.parse(result.body?.toString('utf8') ?? '[]') as unknown;
  return { result, items: Array.isArray(parsed) ? parsed : [] };
}

/** Runs tasks with at most `concurrency` in flight; returns when all are done. */
export async function runPool<T>(items: readonly T[], concurrency: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await task(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}
