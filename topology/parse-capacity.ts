// Storage capacity as operators write it. Decimal units (GB, TB) are powers of 1000 and binary units
// (GiB, TiB) powers of 1024, as IEC 80000-13 defines them: disks are sold in TB, file systems report TiB,
// and a silent mix-up is a 10% error in placement weights.

const UNIT_BYTES: Readonly<Record<string, number>> = {
  b: 1,
  kb: 1e3, mb: 1e6, gb: 1e9, tb: 1e12, pb: 1e15,
  kib: 2 ** 10, mib: 2 ** 20, gib: 2 ** 30, tib: 2 ** 40, pib: 2 ** 50,
};

const SIZE_PATTERN = /^(\d+(?:\.\d+)?) ?([a-z]+)$/i;

/** Bytes from a number of bytes or a string like '2TiB', '500 GiB', '10GB'; undefined when malformed or not positive. */
export function parseCapacity(value: unknown): number | undefined {
  if (typeof value === 'number') return isByteCount(value) ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const match = SIZE_PATTERN.exec(value.trim());
  const unit = match?.[2] === undefined ? undefined : UNIT_BYTES[match[2].toLowerCase()];
  if (match?.[1] === undefined || unit === undefined) return undefined;
  const bytes = Math.floor(Number(match[1]) * unit);
  return isByteCount(bytes) ? bytes : undefined;
}

function isByteCount(value: number): boolean {
  return Number.isSafeInteger(value) && value > 0;
}
