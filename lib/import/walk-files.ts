// The files of a folder tree, depth first in name order (so a rerun walks them the same way), without
// following symbolic links (a link loop cannot hang the import). DICOMDIR files index a medium and are
// not instances: they are skipped.
import { opendir } from 'node:fs/promises';
import { join } from 'node:path';

export async function* walkFiles(root: string): AsyncGenerator<string> {
  const entries = [];
  for await (const entry of await opendir(root)) entries.push(entry);
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const path = join(root, entry.name);
    if (entry.isDirectory()) yield* walkFiles(path);
    else if (entry.isFile() && entry.name.toUpperCase() !== 'DICOMDIR') yield path;
  }
}
