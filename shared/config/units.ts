import { z } from 'zod';

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const SIZE_UNITS: Record<string, number> = { b: 1, kb: 1e3, mb: 1e6, gb: 1e9, tb: 1e12, kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3, tib: 1024 ** 4 };

/** "500ms", "30s", "2m", "7d" or a number of milliseconds. */
export const duration = z.union([
  z.number().int().nonnegative(),
  z.string().regex(/^\d+(\.\d+)?\s*(ms|s|m|h|d)$/, 'a duration such as 500ms, 30s, 2m, 6h or 7d').transform((s) => {
    const [, n, unit] = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)$/.exec(s)!;
    return Math.round(Number(n) * DURATION_UNITS[unit]);
  }),
]);

/** "10GB", "512MiB", a number of bytes, or -1 for unlimited. */
export const byteSize = z.union([
  z.number().int().min(-1),
  z.string().regex(/^\d+(\.\d+)?\s*(b|kb|mb|gb|tb|kib|mib|gib|tib)$/i, 'a size such as 512MiB or 10GB').transform((s) => {
    const [, n, unit] = /^(\d+(?:\.\d+)?)\s*([a-z]+)$/i.exec(s)!;
    return Math.round(Number(n) * SIZE_UNITS[unit.toLowerCase()]);
  }),
]);
