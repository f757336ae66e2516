// User-facing text: Simplified Chinese first, English on request (Accept-Language: en).
export type Language = 'zh' | 'en';

export const MESSAGES = {
  'auth.required': { zh: '需要有效的 Bearer 令牌（Authorization: Bearer <令牌>）。', en: 'A valid bearer token is required (Authorization: Bearer <token>).' },
  'auth.title': { zh: '未授权', en: 'Unauthorized' },
  'notFound.title': { zh: '未找到', en: 'Not Found' },
  'notFound.detail': { zh: '没有这个地址。', en: 'No such route.' },
  'internal.title': { zh: '服务器内部错误', en: 'Internal Server Error' },
  'internal.detail': { zh: '服务器处理请求时出错，已记录。', en: 'The server failed to handle the request; the error was logged.' },
  'cluster.unavailable': { zh: '无法获取集群状态。', en: 'The cluster state could not be read.' },
  'storage.unavailable.title': { zh: '存储集群暂不可用', en: 'Storage cluster unavailable' },
  'storage.unavailable.detail': { zh: '无法联系修复节点（repair 角色），因此无法读取存储集群状态或启动排空。', en: 'No node with the repair role answered: the storage state cannot be read and drains cannot start.' },
  'storage.unknownNode': { zh: '拓扑中没有这个存储节点。', en: 'The topology has no such storage node.' },
  // DICOMweb reasons ({name} is a parameter name or a fixed technical value, never patient data).
  'dicomweb.param.unknown': { zh: '查询参数 {name} 既不是可识别的属性，也不是受支持的参数。', en: 'Query parameter {name} is neither a known attribute nor a supported parameter.' },
  'dicomweb.param.repeated': { zh: '查询参数 {name} 只能出现一次。', en: 'Query parameter {name} may appear only once.' },
  'dicomweb.param.badUid': { zh: '查询参数 {name} 不是有效的 UID 或 UID 列表（逗号分隔）。', en: 'Query parameter {name} is not a valid UID or comma-separated UID list.' },
  'dicomweb.param.badRange': { zh: '查询参数 {name} 不是有效的日期/时间范围（如 20240101-20241231）。', en: 'Query parameter {name} is not a valid date/time range (e.g. 20240101-20241231).' },
  'dicomweb.param.badDate': { zh: '查询参数 {name} 不是有效的 DICOM 日期/时间（如 20240101）。', en: 'Query parameter {name} is not a valid DICOM date/time (e.g. 20240101).' },
  'dicomweb.param.badNumber': { zh: '查询参数 {name} 必须是非负整数。', en: 'Query parameter {name} must be a whole number, 0 or more.' },
  'dicomweb.param.badBoolean': { zh: '查询参数 {name} 只能是 true 或 false。', en: 'Query parameter {name} must be true or false.' },
  'dicomweb.param.badIncludeField': { zh: '查询参数 {name} 含有无法识别的属性（应为关键字、8 位十六进制标签或 all）。', en: 'Query parameter {name} names an unknown attribute (use a keyword, an 8-hex-digit tag or all).' },
  'dicomweb.param.wildcardNotAllowed': { zh: '查询参数 {name} 的值表示法不允许通配符。', en: 'Query parameter {name} does not allow wildcards for its value representation.' },
  'dicomweb.param.nested': { zh: '查询参数 {name}：不支持序列内属性的匹配。', en: 'Query parameter {name}: matching attributes inside sequences is not supported.' },
  'dicomweb.param.tooLong': { zh: '查询参数 {name} 的值过长。', en: 'Query parameter {name} is too long.' },
  'dicomweb.param.invalid': { zh: '参数 {name} 无效。', en: 'Parameter {name} is not valid.' },
  'dicomweb.stow.mediaType': { zh: 'STOW-RS 请求体必须是 multipart/related; type="application/dicom"。', en: 'A STOW-RS body must be multipart/related; type="application/dicom".' },
  'dicomweb.stow.partType': { zh: '该部分的媒体类型不是 application/dicom。', en: 'The part is not application/dicom.' },
  'dicomweb.stow.empty': { zh: '请求中没有任何 DICOM 实例。', en: 'The request contains no DICOM instance.' },
  'dicomweb.multipart.NO_BOUNDARY': { zh: 'multipart 边界（boundary）缺失、无效，或未在请求体中出现。', en: 'The multipart boundary is missing, not valid, or does not occur in the body.' },
  'dicomweb.multipart.TRUNCATED': { zh: 'multipart 请求体被截断：缺少结束边界。', en: 'The multipart body is truncated: the closing boundary is missing.' },
  'dicomweb.multipart.BAD_HEADER': { zh: 'multipart 某部分的头部格式错误。', en: 'A multipart part header is malformed.' },
  'dicomweb.multipart.HEADER_TOO_LARGE': { zh: 'multipart 某部分的头部过大。', en: 'A multipart part header is too large.' },
  'dicomweb.accept': { zh: '无法以 Accept 中的任何媒体类型提供该资源（可用：{name}）。', en: 'None of the media types in Accept can be provided for this resource (available: {name}).' },
  'dicomweb.transferSyntax': { zh: '不提供转码：该实例以传输语法 {name} 存储，请使用 transfer-syntax=* 或该语法。', en: 'Transcoding is not offered: the instance is stored as {name}; ask for transfer-syntax=* or that syntax.' },
  'dicomweb.notFound.study': { zh: '未找到该检查。', en: 'No such study.' },
  'dicomweb.notFound.series': { zh: '未找到该序列。', en: 'No such series.' },
  'dicomweb.notFound.instance': { zh: '未找到该实例。', en: 'No such instance.' },
  'dicomweb.notFound.bulkdata': { zh: '该实例没有此批量数据。', en: 'The instance has no such bulk data.' },
  'dicomweb.frames.list': { zh: '帧列表无效：应为逗号分隔的从 1 开始的帧号。', en: 'The frame list is not valid: give comma-separated frame numbers starting at 1.' },
  'dicomweb.frames.range': { zh: '帧 {name} 不存在。', en: 'Frame {name} does not exist.' },
  'dicomweb.frames.none': { zh: '该实例没有像素数据帧。', en: 'The instance has no pixel data frames.' },
  'dicomweb.render.unsupported': { zh: '无法渲染该图像：{name}。', en: 'The image cannot be rendered: {name}.' },
  'dicomweb.wado.requestType': { zh: 'WADO-URI 需要 requestType=WADO 以及 studyUID、seriesUID、objectUID。', en: 'WADO-URI needs requestType=WADO and studyUID, seriesUID and objectUID.' },
  'dicomweb.source': { zh: '读取影像数据失败，请稍后重试。', en: 'The image data could not be read; try again later.' },
  'retrieval.edgeUnavailable': { zh: '影像保存在医院前置机或外部影像来源，目前无法访问（{name}），请稍后重试。', en: 'The images are kept at a hospital edge or an external image source that cannot be reached now ({name}); try again later.' },
  'retrieval.remoteUnavailable': { zh: '市平台没有该检查，可能保存它的医院 PACS 目前无法访问（{name}），请稍后重试。', en: 'The city does not hold this study, and the PACS of a hospital that may hold it cannot be reached now ({name}); try again later.' },
} as const satisfies Record<string, Record<Language, string>>;

export type MessageKey = keyof typeof MESSAGES;

/** Picks zh unless the client prefers English (a q-weighted Accept-Language header). */
export function pickLanguage(acceptLanguage: string | undefined): Language {
  let best: { lang: Language; q: number } = { lang: 'zh', q: 0 };
  for (const part of (acceptLanguage ?? '').split(',')) {
    const [tag = '', ...params] = part.trim().toLowerCase().split(';');
    const q = Number(params.find((p) => p.trim().startsWith('q='))?.split('=')[1] ?? '1');
    const lang: Language | undefined = tag.startsWith('zh') ? 'zh' : tag.startsWith('en') ? 'en' : undefined;
    if (lang && q > best.q) best = { lang, q };
  }
  return best.lang;
}

export function message(key: MessageKey, lang: Language): string {
  return MESSAGES[key][lang];
}
