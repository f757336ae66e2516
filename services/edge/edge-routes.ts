// GET /api/edge on the edge's own HTTP server: its EdgeStatus, the number of items the city refused and
// the first reasons (SOP Instance UIDs and reasons only, no patient data); POST /api/edge/retry-failed
// puts the refused items back into the queue. Behind the bearer token like
// every /api route (an edge has no `api` role, so the route checks the token itself).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { EdgeStatus } from '../../lib/edge/edge-protocol.ts';
import type { UploadQueue } from '../../lib/edge/upload-queue.ts';
import { message, pickLanguage } from '../../lib/i18n/messages.ts';
import { isAuthorized } from '../../lib/security/admin-token.ts';

const FAILURES_SHOWN = 10;

function unauthorized(request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const lang = pickLanguage(request.headers['accept-language']);
  return reply.status(401).header('www-authenticate', 'Bearer realm="yunying"').type('application/problem+json')
    .header('content-language', lang === 'zh' ? 'zh-CN' : 'en')
    .send({ type: 'about:blank', status: 401, title: message('auth.title', lang), detail: message('auth.required', lang) });
}

export function registerEdgeRoutes(app: FastifyInstance, deps: { adminToken: string; queue: UploadQueue; status: () => Promise<EdgeStatus>; wake: () => void }): void {
  app.get('/api/edge', async (request, reply) => {
    if (!isAuthorized(request.headers.authorization, deps.adminToken)) return unauthorized(request, reply);
    const status = await deps.status();
    return { ...status, failed: { count: status.failedItems, first: deps.queue.failures(FAILURES_SHOWN) } };
  });
  // After the operator fixed what the city refused (a topology change, say): every failed row is tried again.
  app.post('/api/edge/retry-failed', async (request, reply) => {
    if (!isAuthorized(request.headers.authorization, deps.adminToken)) return unauthorized(request, reply);
    const requeued = deps.queue.retryFailed(Date.now());
    deps.wake();
    return { requeued };
  });
}
