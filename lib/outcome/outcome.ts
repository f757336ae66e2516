// One outcome table: every way an operation on DICOM objects can end other than plain success, with
// its HTTP status (DICOMweb, PS3.18), DIMSE status (PS3.4 Annex B/C, PS3.7 Annex C), STOW-RS
// FailureReason (0008,1197) and whether retrying can help. Protocol adapters map an outcome in one
// function each; nothing else invents statuses. Cf. Orthanc: storage full = HTTP 507 = DIMSE A700.

export interface OutcomeSpec {
  /** HTTP status for a single-object DICOMweb request. */
  readonly httpStatus: number;
  /** DIMSE status (C-STORE for storage outcomes, the service's own for the others). */
  readonly dimseStatus: number;
  /** STOW-RS FailureReason / WarningReason value (undefined: not a store outcome). */
  readonly failureReason?: number;
  /** A retry (later, unchanged) may succeed. */
  readonly retryable: boolean;
  /** Warning (stored with a warning) rather than failure. */
  readonly warning: boolean;
  readonly zh: string;
  readonly en: string;
}

export const OUTCOMES = {
  // Storage failures (PS3.4 B.2.3, PS3.18 Table 10.5.3-1)
  outOfResources: { httpStatus: 507, dimseStatus: 0xa700, failureReason: 0xa700, retryable: true, warning: false, zh: '存储空间不足', en: 'Out of resources' },
  sopClassMismatch: { httpStatus: 409, dimseStatus: 0xa900, failureReason: 0xa900, retryable: false, warning: false, zh: '数据集与 SOP 类不符', en: 'Data set does not match SOP class' },
  cannotUnderstand: { httpStatus: 400, dimseStatus: 0xc000, failureReason: 0xc000, retryable: false, warning: false, zh: '无法解析该 DICOM 对象', en: 'Cannot understand the DICOM object' },
  processingFailure: { httpStatus: 500, dimseStatus: 0x0110, failureReason: 0x0110, retryable: true, warning: false, zh: '处理失败', en: 'Processing failure' },
  notAuthorized: { httpStatus: 403, dimseStatus: 0x0124, failureReason: 0x0124, retryable: false, warning: false, zh: '未授权', en: 'Not authorized' },
  sopClassNotSupported: { httpStatus: 409, dimseStatus: 0x0122, failureReason: 0x0122, retryable: false, warning: false, zh: '不支持的 SOP 类', en: 'SOP class not supported' },
  transferSyntaxNotSupported: { httpStatus: 415, dimseStatus: 0xc000, failureReason: 0xc122, retryable: false, warning: false, zh: '不支持的传输语法', en: 'Transfer syntax not supported' },
  studyUidMismatch: { httpStatus: 409, dimseStatus: 0xa900, failureReason: 0xa900, retryable: false, warning: false, zh: '实例不属于请求中的检查', en: 'Instance does not belong to the study in the request' },
  duplicateConflict: { httpStatus: 409, dimseStatus: 0xa900, failureReason: 0x0111, retryable: false, warning: false, zh: '该 SOP 实例 UID 已以不同内容存储', en: 'SOP Instance UID already stored with different content' },
  serviceUnavailable: { httpStatus: 503, dimseStatus: 0xa700, failureReason: 0xa700, retryable: true, warning: false, zh: '服务暂不可用', en: 'Service unavailable' },
  // Storage warnings (PS3.4 B.2.3: B000, B006, B007)
  coercedElements: { httpStatus: 202, dimseStatus: 0xb000, failureReason: 0xb000, retryable: false, warning: true, zh: '部分数据元素已被修正', en: 'Coercion of data elements' },
  elementsDiscarded: { httpStatus: 202, dimseStatus: 0xb006, failureReason: 0xb006, retryable: false, warning: true, zh: '部分数据元素已被丢弃', en: 'Elements discarded' },
  dataSetMismatchWarning: { httpStatus: 202, dimseStatus: 0xb007, failureReason: 0xb007, retryable: false, warning: true, zh: '数据集与 SOP 类不完全相符', en: 'Data set does not match SOP class (warning)' },
  // Query / retrieve (PS3.4 C.4, PS3.18 8.x)
  invalidQuery: { httpStatus: 400, dimseStatus: 0xa900, retryable: false, warning: false, zh: '查询参数无效', en: 'Invalid query' },
  unableToProcess: { httpStatus: 400, dimseStatus: 0xc000, retryable: false, warning: false, zh: '无法处理该请求', en: 'Unable to process' },
  notFound: { httpStatus: 404, dimseStatus: 0xa701, retryable: false, warning: false, zh: '未找到', en: 'Not found' },
  notAcceptable: { httpStatus: 406, dimseStatus: 0xc000, retryable: false, warning: false, zh: '无法提供请求的媒体类型', en: 'The requested media type cannot be provided' },
  unsupportedMediaType: { httpStatus: 415, dimseStatus: 0xc000, retryable: false, warning: false, zh: '不支持的媒体类型', en: 'Unsupported media type' },
  unknownMoveDestination: { httpStatus: 400, dimseStatus: 0xa801, retryable: false, warning: false, zh: '未知的 C-MOVE 目标', en: 'Move destination unknown' },
  subOperationsFailed: { httpStatus: 502, dimseStatus: 0xb000, retryable: true, warning: true, zh: '部分子操作失败', en: 'One or more sub-operations failed' },
  sourceUnavailable: { httpStatus: 503, dimseStatus: 0xa702, retryable: true, warning: false, zh: '影像来源暂不可达', en: 'Image source unreachable' },
} as const satisfies Record<string, OutcomeSpec>;

export type OutcomeCode = keyof typeof OUTCOMES;

/** A failure that carries its outcome; `detail` names the problem (never patient data). */
export class OutcomeError extends Error {
  readonly outcome: OutcomeCode;
  constructor(outcome: OutcomeCode, detail: string) {
    super(detail);
    this.name = 'OutcomeError';
    this.outcome = outcome;
  }
}

export function outcomeSpec(code: OutcomeCode): OutcomeSpec {
  return OUTCOMES[code];
}
