// GET /api/storage and POST /api/storage/nodes/{id}/drain on api nodes (behind the bearer token like
// every /api route). Both ask the repair node, which owns the cluster's replication state.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ServiceBroker } from 'moleculer';
import { message, pickLanguage, type MessageKey } from '../../lib/i18n/messages.ts';

const CALL_TIMEOUT_MS = 10_000;

function problem(request: FastifyRequest, reply: FastifyReply, status: number, title: MessageKey, detail: MessageKey): FastifyReply {
  const lang = pickLanguage(request.headers['accept-language']);
  return reply.status(status).type('application/problem+json').header('content-language', lang === 'zh' ? 'zh-CN' : 'en')
    .send({ type: 'about:blank', status, title: message(title, lang), detail: message(detail, lang) });
}

export function registerStorageApiRoutes(app: FastifyInstance, broker: ServiceBroker): void {
  const status = () => broker.call('storageRepair.status', {}, { timeout: CALL_TIMEOUT_MS, retries: 0 });
  app.get('/api/storage', async (request, reply) => {
    try {
      return await status();
    } catch {
      return problem(request, reply, 503, 'storage.unavailable.title', 'storage.unavailable.detail');
    }
  });
  app.post('/api/storage/nodes/:id/drain', async (request, reply) => {
    const { id } = request.params as { id: string };
    try {
      const answer = await broker.call<{ accepted: boolean }, { nodeId: string }>('storageRepair.drain', { nodeId: id }, { timeout: CALL_TIMEOUT_MS, retries: 0 });
      if (!answer.accepted) return problem(request, reply, 404, 'notFound.title', 'storage.unknownNode');
      return await reply.status(202).send(await status());
    } catch {
      return problem(request, reply, 503, 'storage.unavailable.title', 'storage.unavailable.detail');
    }
  });
}
