// Text normalization for fuzzy matching and for the name-token index: compatibility decomposition (so
// full-width Latin letters equal half-width ones), combining marks removed (accent-insensitive),
// lower case. Han characters pass through unchanged: Chinese names match as Unicode.

const MARKS = /\p{M}+/gu;

export function normalizeFuzzy(text: string): string {
  return text.normalize('NFKD').replace(MARKS, '').toLowerCase().normalize('NFC');
}

/** Words of a person name group: components split on '^', and each component on spaces. */
export function nameWords(group: string): string[] {
  return group.split(/[\^\s]+/u).filter((w) => w !== '');
}
