// Media types and Accept negotiation for DICOMweb (PS3.18 8.7: Accept, media type parameters
// `type` and `transfer-syntax`, q-values; RFC 9110 12.5.1 for the Accept grammar).

export interface MediaType {
  /** Lower-case `type/subtype`. */
  readonly essence: string;
  /** Parameter names lower-cased, values unquoted (case kept: boundaries are case-sensitive). */
  readonly params: Readonly<Record<string, string>>;
}

export interface AcceptRange extends MediaType {
  readonly q: number;
}

/** Splits on `sep` outside double quotes. */
function splitOutsideQuotes(text: string, sep: string): string[] {
  const out: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] ?? '';
    if (c === '"' && text[i - 1] !== '\\') quoted = !quoted;
    if (c === sep && !quoted) {
      out.push(current);
      current = '';
    } else {
      current += c;
    }
  }
  out.push(current);
  return out;
}

function unquote(value: string): string {
  const v = value.trim();
  if (v.length >= 2 && v.startsWith('"') && v.endsWith('"')) return v.slice(1, -1).replace(/\\(.)/g, '$1');
  return v;
}

const ESSENCE = /^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+*-]+$|^\*\/\*$/;

/** Parses one media type; undefined when it is not one. */
export function parseMediaType(text: string | undefined): MediaType | undefined {
  if (text === undefined) return undefined;
  const [head = '', ...rest] = splitOutsideQuotes(text, ';');
  const essence = head.trim().toLowerCase();
  if (!ESSENCE.test(essence)) return undefined;
  const params: Record<string, string> = {};
  for (const p of rest) {
    const eq = p.indexOf('=');
    if (eq <= 0) continue;
    params[p.slice(0, eq).trim().toLowerCase()] = unquote(p.slice(eq + 1));
  }
  return { essence, params };
}

/** Parses an Accept header; a missing or empty header accepts everything. Ranges that do not parse
 * are dropped (RFC 9110 lets a server ignore them). Sorted by q, most preferred first (stable). */
export function parseAccept(header: string | undefined): AcceptRange[] {
  if (header === undefined || header.trim() === '') return [{ essence: '*/*', params: {}, q: 1 }];
  const ranges: AcceptRange[] = [];
  for (const part of splitOutsideQuotes(header, ',')) {
    const media = parseMediaType(part);
    if (!media) continue;
    const { q: rawQ, ...params } = media.params;
    const q = rawQ === undefined ? 1 : Number(rawQ);
    if (!Number.isFinite(q) || q <= 0 || q > 1) continue;
    ranges.push({ essence: media.essence, params, q });
  }
  return ranges.map((r, i) => ({ r, i })).sort((a, b) => b.r.q - a.r.q || a.i - b.i).map(({ r }) => r);
}

/** True when `range` (from Accept) covers the concrete `essence`. */
export function rangeCovers(range: MediaType, essence: string): boolean {
  if (range.essence === '*/*') return true;
  if (range.essence.endsWith('/*')) return essence.startsWith(range.essence.slice(0, -1));
  return range.essence === essence;
}

/** A concrete representation a resource can produce. */
export interface Offer {
  readonly essence: string;
  /** For multipart/related: the `type` of its parts. */
  readonly partType?: string;
}

/** Picks the first acceptable offer in the client's order of preference (then the server's). A
 * `multipart/related` range must name a part type the offer has (or none, then the offer's default
 * applies). Returns the chosen offer and the range that chose it, or undefined (406). */
export function negotiate(accept: readonly AcceptRange[], offers: readonly Offer[]): { offer: Offer; range: AcceptRange } | undefined {
  for (const range of accept) {
    for (const offer of offers) {
      if (!rangeCovers(range, offer.essence)) continue;
      const wanted = range.params.type?.toLowerCase();
      if (offer.partType !== undefined && wanted !== undefined && !rangeCovers({ essence: wanted, params: {} }, offer.partType)) continue;
      return { offer, range };
    }
  }
  return undefined;
}

/** Formats a media type with its parameters, quoting values that need it. */
export function formatMediaType(essence: string, params: Readonly<Record<string, string>> = {}): string {
  const parts = Object.entries(params).map(([k, v]) => `${k}=${/^[A-Za-z0-9!#$&^_.+-]+$/.test(v) ? v : `"${v.replace(/(["\\])/g, '\\$1')}"`}`);
  return [essence, ...parts].join('; ');
}
