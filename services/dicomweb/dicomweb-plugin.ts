// DICOMweb under /dicom-web (PS3.18): STOW-RS, QIDO-RS, WADO-RS, WADO-URI as one Fastify plugin. Every
// request needs the bearer token (the /api guard) except CORS preflights; CORS and cross-origin isolation
// headers are configurable so a browser viewer on another origin (OHIF, with MPR) can call it.
import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { isAuthorized } from '../../lib/security/admin-token.ts';
import { message, pickLanguage } from '../../lib/i18n/messages.ts';
import { BlobStoreError } from '../../lib/blob-store/blob-store.ts';
import { PREFIX, SOURCE_HEADER, sendDicomwebProblem, sendSourceUnavailable, type DicomwebDeps, type DicomwebOptions } from './dicomweb-context.ts';
import { registerStow } from './stow-route.ts';
import { registerQido } from './qido-routes.ts';
import { registerRetrieve } from './retrieve-routes.ts';
import { registerFrames } from './frame-routes.ts';
import { registerRendered } from './render-routes.ts';
import { registerWadoUri } from './wado-uri-route.ts';
import { registerPassThrough } from './pass-through-hook.ts';

const EXPOSED = 'Content-Type, Content-Length, Content-Location, Content-Language, Warning, X-Total-Count, X-Yunying-Source, Retry-After';
/** Retry-After of a 503 for an unreachable image source when the node sets none (its fetch timeout). */
const DEFAULT_RETRY_AFTER_SECONDS = 5;

function allowedOrigin(options: DicomwebOptions, origin: string | undefined): string | undefined {
  if (options.corsOrigins === undefined || origin === undefined) return undefined;
  if (options.corsOrigins.trim() === '*') return '*';
  return options.corsOrigins.split(',').map((o) => o.trim()).includes(origin) ? origin : undefined;
}

function setCrossOriginHeaders(options: DicomwebOptions, request: FastifyRequest, reply: FastifyReply): void {
  const origin = allowedOrigin(options, request.headers.origin);
  if (origin !== undefined) {
    void reply.header('access-control-allow-origin', origin).header('access-control-expose-headers', EXPOSED);
    if (origin !== '*') void reply.header('vary', 'Origin');
  }
  if (options.crossOriginIsolation) {
    void reply.header('cross-origin-opener-policy', 'same-origin').header('cross-origin-embedder-policy', 'require-corp')
      .header('cross-origin-resource-policy', 'cross-origin');
  }
}

function answerPreflight(options: DicomwebOptions, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (allowedOrigin(options, request.headers.origin) !== undefined) {
    const asked = request.headers['access-control-request-headers'];
    void reply.header('access-control-allow-methods', 'GET, POST, OPTIONS')
      .header('access-control-allow-headers', typeof asked === 'string' && asked !== '' ? asked : 'Authorization, Accept, Accept-Language, Content-Type')
      .header('access-control-max-age', '600');
  }
  return reply.status(204).header('allow', 'GET, POST, OPTIONS').send();
}

function refuseUnauthorized(request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const lang = pickLanguage(request.headers['accept-language']);
  return reply.status(401).header('www-authenticate', 'Bearer realm="yunying"').type('application/problem+json')
    .header('content-language', lang === 'zh' ? 'zh-CN' : 'en')
    .send({ type: 'about:blank', status: 401, title: message('auth.title', lang), detail: message('auth.required', lang) });
}

function registerRoutes(app: FastifyInstance, deps: DicomwebDeps): void {
  app.addHook('onRequest', async (request, reply) => {
    setCrossOriginHeaders(deps.options, request, reply);
    if (request.method === 'OPTIONS') return answerPreflight(deps.options, request, reply);
    if (!isAuthorized(request.headers.authorization, deps.adminToken)) return refuseUnauthorized(request, reply);
    return undefined;
  });
  app.options('/*', (request, reply) => answerPreflight(deps.options, request, reply));
  registerPassThrough(app, deps, deps.options.retryAfterSeconds ?? DEFAULT_RETRY_AFTER_SECONDS);
  registerStow(app, deps);
  registerQido(app, deps);
  registerRetrieve(app, deps);
  registerFrames(app, deps);
  registerRendered(app, deps);
  registerWadoUri(app, deps);
  app.setNotFoundHandler((request, reply) => sendDicomwebProblem(request, reply, 'notFound', 'notFound.detail'));
  app.setErrorHandler((error: Error & { statusCode?: number }, request, reply) => {
    if (error instanceof BlobStoreError && error.code === 'UNAVAILABLE') {
      deps.log.warn('DICOMweb retrieval source unavailable', { route: request.routeOptions.url, reason: error.message });
      return sendSourceUnavailable(request, reply.removeHeader(SOURCE_HEADER), error, deps.options.retryAfterSeconds ?? DEFAULT_RETRY_AFTER_SECONDS);
    }
    if (error.statusCode !== undefined && error.statusCode < 500) return sendDicomwebProblem(request, reply, 'unableToProcess', 'dicomweb.param.invalid', 'request');
    deps.countError();
    deps.log.error('DICOMweb handler failed', { route: request.routeOptions.url, error: error.message });
    return sendDicomwebProblem(request, reply, 'processingFailure', 'internal.detail');
  });
}

/** The plugin, to register with `{ prefix: '/dicom-web' }` (DICOMWEB_PREFIX). */
export function createDicomwebPlugin(deps: DicomwebDeps): FastifyPluginAsync {
  return (app) => {
    registerRoutes(app, deps);
    return Promise.resolve();
  };
}

export const DICOMWEB_PREFIX = PREFIX;
export type { DicomwebDeps, DicomwebOptions, DicomwebArchive } from './dicomweb-context.ts';
