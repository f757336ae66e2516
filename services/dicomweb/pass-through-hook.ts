// Pass-through in DICOMweb: before any GET under /studies/{study} (WADO-RS instances, metadata, frames,
// bulk data, rendered, thumbnails) and WADO-URI, a study the city lacks is fetched from a hospital
// without an edge (lib/remote/pass-through.ts); the route then answers from the city catalog as usual,
// a study no source has stays the route's own 404. The answer that needed the fetch is labelled source
// 'remote'; a source that cannot be reached is a 503 with the reason and Retry-After.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { isUid } from '../../lib/dicom/dictionary.ts';
import { RemoteUnavailableError } from '../../lib/remote/remote-source.ts';
import { noteSource, rawQuery, sendDicomwebProblem, type DicomwebDeps } from './dicomweb-context.ts';

/** The study a retrieval names, when it names one (QIDO and STOW do not retrieve). */
function studyOf(request: FastifyRequest): string | undefined {
  if (request.method !== 'GET' && request.method !== 'HEAD') return undefined;
  // QIDO under a study (/studies/{study}/series, .../instances) searches what the city holds.
  const route = request.routeOptions.url ?? '';
  if (route.endsWith('/series') || route.endsWith('/instances')) return undefined;
  const params = request.params as { study?: unknown } | undefined;
  const study = typeof params?.study === 'string' ? params.study : request.routeOptions.url?.endsWith('/wado') === true
    ? new URLSearchParams(rawQuery(request)).get('studyUID') ?? undefined : undefined;
  return study !== undefined && isUid(study) ? study : undefined;
}

export function registerPassThrough(app: FastifyInstance, deps: DicomwebDeps, retryAfterSeconds: number): void {
  const { passThrough } = deps;
  if (passThrough === undefined) return;
  app.addHook('preHandler', async (request, reply) => {
    const study = studyOf(request);
    if (study === undefined) return undefined;
    try {
      const result = await passThrough.ensureStudy(study);
      if (result.kind === 'fetched') noteSource(reply, 'remote');
      return undefined;
    } catch (error) {
      if (!(error instanceof RemoteUnavailableError)) throw error;
      deps.log.warn('DICOMweb pass-through source unavailable', { route: request.routeOptions.url, hospitalId: error.hospitalId, reason: error.message });
      void reply.header('retry-after', String(Math.max(1, Math.ceil(retryAfterSeconds))));
      return sendDicomwebProblem(request, reply, 'sourceUnavailable', 'retrieval.remoteUnavailable', error.message);
    }
  });
}
