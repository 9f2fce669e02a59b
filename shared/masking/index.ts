import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { Change, Row } from '../envelope.js';

/**
 * Column masking, applied by the sink before writing (and optionally by a
 * capture, for values that must never leave the source). Each algorithm is a
 * pure function of the value, so a replayed stream masks the same way.
 */
type MaskFn = (value: unknown) => unknown;

const algorithms: Record<string, MaskFn> = {
  hash: (v) => createHash('sha256').update(asText(v)).digest('hex'),
  sha256: (v) => createHash('sha256').update(asText(v)).digest('hex'),
  md5: (v) => createHash('md5').update(asText(v)).digest('hex'),
  redact: () => 'REDACTED',
};

export const maskAlgorithms = Object.keys(algorithms);

/** `mask: { "schema.table": { column: algorithm } }` */
export const maskConfigSchema = z
  .record(z.string(), z.record(z.string(), z.enum(maskAlgorithms as [string, ...string[]])))
  .default({});

export type MaskConfig = z.output<typeof maskConfigSchema>;

export interface Masker {
  /** Masks key, before and after of one change of `schema.table`, in place; NULL stays NULL. */
  apply(schema: string, table: string, change: Change): void;
  /** Columns masked in a table (their destination type becomes text). */
  maskedColumns(schema: string, table: string): string[];
}

export function createMasker(config: MaskConfig): Masker {
  const byTable = new Map(Object.entries(config).map(([t, cols]) => [t, Object.entries(cols).map(([c, alg]) => [c, algorithms[alg]] as const)]));
  const maskRow = (row: Row | undefined, cols: readonly (readonly [string, MaskFn])[]) => {
    if (!row) return;
    for (const [c, fn] of cols) if (c in row && row[c] !== null && row[c] !== undefined) row[c] = fn(row[c]);
  };
  return {
    apply(schema, table, change) {
      const cols = byTable.get(`${schema}.${table}`);
      if (!cols) return;
      maskRow(change.key, cols);
      maskRow(change.before, cols);
      maskRow(change.after, cols);
    },
    maskedColumns: (schema, table) => (byTable.get(`${schema}.${table}`) ?? []).map(([c]) => c),
  };
}

function asText(v: unknown): string {
  if (v instanceof Uint8Array) return Buffer.from(v).toString('hex');
  return typeof v === 'string' ? v : String(v);
}
