// The archive's index tables (versions 2-19 of the platform schema). Appended, never edited once applied.
import type { Migration } from '../index-model/table-model.ts';

export const ARCHIVE_MIGRATIONS: readonly Migration[] = [];
