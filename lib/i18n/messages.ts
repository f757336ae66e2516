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
