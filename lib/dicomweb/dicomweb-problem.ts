// DICOMweb errors: every failure of a DICOMweb request is an outcome of lib/outcome mapped here, in one
// function, to an HTTP status and an RFC 9457 problem document (application/problem+json) whose title
// is the outcome and whose detail is the specific reason, in the client's language (zh unless
// Accept-Language prefers en). PS3.18 8.6 leaves the error payload to the server.
import { message, type Language, type MessageKey } from '../i18n/messages.ts';
import { outcomeSpec, type OutcomeCode } from '../outcome/outcome.ts';

export interface DicomwebProblem {
  readonly status: number;
  readonly contentType: 'application/problem+json';
  readonly contentLanguage: 'zh-CN' | 'en';
  readonly body: { readonly type: 'about:blank'; readonly status: number; readonly title: string; readonly detail: string; readonly outcome: OutcomeCode };
}

/** The one mapping from an outcome (and a reason) to a DICOMweb error response. `name` fills the
 * reason's {name}: a parameter name or a fixed technical value, never patient data. */
export function dicomwebProblem(outcome: OutcomeCode, reason: MessageKey, lang: Language, name = ''): DicomwebProblem {
  const spec = outcomeSpec(outcome);
  // Warnings carry 202 for STOW items; as a whole-request error they are processing failures.
  const status = spec.httpStatus < 400 ? 500 : spec.httpStatus;
  return {
    status,
    contentType: 'application/problem+json',
    contentLanguage: lang === 'zh' ? 'zh-CN' : 'en',
    body: { type: 'about:blank', status, title: lang === 'zh' ? spec.zh : spec.en, detail: message(reason, lang).replaceAll('{name}', name), outcome },
  };
}
