// Reading values out of DICOM JSON for matching and sorting: every value as a string, person names as
// their three component groups (PS3.18 F.2.2, PS3.5 6.2 PN).
import type { DicomJsonDataset, DicomJsonElement, DicomJsonValue, PersonNameJson } from '../dicom/dicom-json.ts';

function isPersonName(value: DicomJsonValue): value is PersonNameJson {
  return typeof value === 'object' && ('Alphabetic' in value || 'Ideographic' in value || 'Phonetic' in value);
}

/** The text of each value; a person name gives its groups joined with '=' as DICOM writes them. */
export function valueStrings(element: DicomJsonElement | undefined): string[] {
  if (!element?.Value) return [];
  const out: string[] = [];
  for (const value of element.Value) {
    if (typeof value === 'string') out.push(value.trim());
    else if (typeof value === 'number') out.push(String(value));
    else if (isPersonName(value)) out.push(personNameString(value));
  }
  return out;
}

export function personNameString(name: PersonNameJson): string {
  const groups = [name.Alphabetic ?? '', name.Ideographic ?? '', name.Phonetic ?? ''];
  while (groups.length > 1 && groups[groups.length - 1] === '') groups.pop();
  return groups.join('=');
}

/** The non-empty component groups of every person name value (Alphabetic, Ideographic, Phonetic). */
export function personNameGroups(element: DicomJsonElement | undefined): string[] {
  if (!element?.Value) return [];
  const out: string[] = [];
  for (const value of element.Value) {
    if (typeof value === 'string') out.push(...value.split('=').map((g) => g.trim()).filter((g) => g !== ''));
    else if (isPersonName(value)) {
      for (const group of [value.Alphabetic, value.Ideographic, value.Phonetic]) if (group?.trim()) out.push(group.trim());
    }
  }
  return out;
}

/** The first value as a string, or '' when absent or empty. */
export function firstString(dataset: DicomJsonDataset, tag: string): string {
  return valueStrings(dataset[tag])[0] ?? '';
}

/** The first value as an integer, or undefined. */
export function firstInteger(dataset: DicomJsonDataset, tag: string): number | undefined {
  const text = firstString(dataset, tag);
  if (text === '') return undefined;
  const n = Number(text);
  return Number.isInteger(n) ? n : undefined;
}
