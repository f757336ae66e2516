// Tokens of the name index (study_by_name_token): a patient-name search with a wildcard reads the
// partitions of one token instead of every study. Names are normalized as for fuzzy matching; every
// Han character and every pair of adjacent Han characters is a token (Chinese names are two to four
// characters), and every trigram of a Latin (or other script) word. The matcher still checks every
// candidate, so a token only has to be contained in every name the pattern can match.
import { nameWords, normalizeFuzzy } from '../dicom-query/normalize-text.ts';

const HAN = /\p{Script=Han}/u;

function wordTokens(word: string, into: Set<string>): void {
  const chars = [...word];
  let latin: string[] = [];
  const flushLatin = () => {
    for (let i = 0; i + 3 <= latin.length; i++) into.add(latin.slice(i, i + 3).join(''));
    latin = [];
  };
  chars.forEach((ch, i) => {
    if (HAN.test(ch)) {
      flushLatin();
      into.add(ch);
      const next = chars[i + 1];
      if (next !== undefined && HAN.test(next)) into.add(ch + next);
    } else if (/[\p{L}\p{N}]/u.test(ch)) {
      latin.push(ch);
    } else {
      flushLatin();
    }
  });
  flushLatin();
}

/** Tokens of the component groups of a person name. */
export function nameTokens(groups: readonly string[]): string[] {
  const tokens = new Set<string>();
  for (const group of groups) for (const word of nameWords(normalizeFuzzy(group))) wordTokens(word, tokens);
  return [...tokens];
}

/** The most selective token every name matching `pattern` (single value or wildcard) contains, or
 * undefined when the pattern has none (e.g. `*`, `L?` or a two-letter Latin run). */
export function tokenForPattern(pattern: string): string | undefined {
  const runs = normalizeFuzzy(pattern).split(/[*?^=\s]+/u).filter((r) => r !== '');
  let best: { token: string; rank: number } | undefined;
  for (const run of runs) {
    const tokens = new Set<string>();
    wordTokens(run, tokens);
    for (const token of tokens) {
      const chars = [...token];
      const rank = HAN.test(chars[0] ?? '') ? (chars.length === 2 ? 3 : 1) : 2;
      if (!best || rank > best.rank) best = { token, rank };
    }
  }
  return best?.token;
}
