// The HTTP server of a node. Every node serves /health and /metrics; nodes with the `api` role also
// serve /api. Nothing under /api answers without the bearer token, and when the server listens
// beyond loopback /metrics and the details of /health need it too.
import Fastify, { type FastifyInstance, type FastifyPluginAsync, type FastifyReply, type FastifyRequest } from 'fastify';
import type { NodeMetrics } from '../../monitoring/node-metrics.ts';
import type { ClusterView, NodeHealth } from '../../lib/cluster/node-health.ts';
import { isAuthorized } from '../../lib/security/admin-token.ts';
import { message, pickLanguage, type MessageKey } from '../../lib/i18n/messages.ts';
import type { NodeArchive } from '../../lib/archive/node-archive.ts';

export interface HttpDeps {
  readonly metrics: NodeMetrics;
  readonly adminToken: string;
  /** False when the server listens beyond loopback. */
  readonly loopbackOnly: boolean;
  readonly nodeHealth: () => Promise<NodeHealth>;
  /** Present on `api` nodes. */
  readonly clusterView?: () => Promise<ClusterView>;
  readonly log: { warn(...args: unknown[]): void; error(...args: unknown[]): void };
  /** Present on nodes with an archive role (api, dimse, ingest, retrieval): DICOMweb routes use it. */
  readonly archive?: NodeArchive;
  /** Route plugins of other services (DICOMweb under /dicom-web), composed by start-node.ts: a service
   * folder does not import another's. */
  readonly plugins?: readonly { readonly prefix: string; readonly plugin: FastifyPluginAsync }[];
}

/** RFC 9457 problem document, in the client's language. */
export function sendProblem(request: FastifyRequest, reply: FastifyReply, status: number, title: MessageKey, detail: MessageKey): FastifyReply {
  const lang = pickLanguage(request.headers['accept-language']);
  return reply.status(status).type('application/problem+json').header('content-language', lang === 'zh' ? 'zh-CN' : 'en')
    .send({ type: 'about:blank', status, title: message(title, lang), detail: message(detail, lang) });
}

function recordMetrics(app: FastifyInstance, metrics: NodeMetrics): void {
  app.addHook('onResponse', (request, reply, done) => {
    // The route template, never the URL: query strings may carry patient identifiers.
    const route = request.routeOptions.url ?? 'unmatched';
    metrics.httpRequestDuration.observe(
      { method: request.method, route, status_class: `${Math.floor(reply.statusCode / 100)}xx` },
      reply.elapsedTime / 1000,
    );
    done();
  });
}

function guard(deps: HttpDeps, request: FastifyRequest, reply: FastifyReply): FastifyReply | undefined {
  if (isAuthorized(request.headers.authorization, deps.adminToken)) return undefined;
  void reply.header('www-authenticate', 'Bearer realm="yunying"');
  return sendProblem(request, reply, 401, 'auth.title', 'auth.required');
}

export function buildHttp(deps: HttpDeps): FastifyInstance {
  // Fastify's own request log would print URLs (and with them query values): we log nothing of it.
  const app = Fastify({ logger: false, forceCloseConnections: true, return503OnClosing: true });
  recordMetrics(app, deps.metrics);

  app.get('/health', async (request, reply) => {
    const health = await deps.nodeHealth();
    const detailed = deps.loopbackOnly || isAuthorized(request.headers.authorization, deps.adminToken);
    return reply.status(health.status === 'ok' ? 200 : 503).send(detailed ? health : { status: health.status });
  });

  app.get('/metrics', async (request, reply) => {
    if (!deps.loopbackOnly && guard(deps, request, reply)) return reply;
    return reply.type(deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics());
  });

  const clusterView = deps.clusterView;
  if (clusterView) {
    app.addHook('onRequest', async (request, reply) => {
      if (request.url.startsWith('/api/')) return guard(deps, request, reply);
      return undefined;
    });
    app.get('/api/cluster', async () => clusterView());
  }

  for (const { prefix, plugin } of deps.plugins ?? []) void app.register(plugin, { prefix });

  app.setNotFoundHandler((request, reply) => sendProblem(request, reply, 404, 'notFound.title', 'notFound.detail'));
  app.setErrorHandler((error: Error & { statusCode?: number }, request, reply) => {
    if (error.statusCode !== undefined && error.statusCode < 500) return reply.status(error.statusCode).send(error);
    deps.metrics.errors.inc({ component: 'http' });
    deps.log.error('HTTP handler failed', { route: request.routeOptions.url, error: error.message });
    return sendProblem(request, reply, 500, 'internal.title', 'internal.detail');
  });
  return app;
}
