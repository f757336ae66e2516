// The storage cluster's index tables (versions 20-39 of the platform schema). Appended, never edited.
import type { Migration } from '../index-model/table-model.ts';

export const STORAGE_MIGRATIONS: readonly Migration[] = [];
