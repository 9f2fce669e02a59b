import type { TableSchema } from '../logical-types.js';
import { createMasker, type MaskSettings } from './masker.js';

/** Looks a source table up; null when it does not exist. */
export type DescribeTable = (schema: string, table: string) => Promise<TableSchema | null>;

/**
 * Checks every configured mask against the source's own tables, as the sink
 * will when their schema events arrive: the table and column exist, the
 * algorithm fits the column type, key columns get key-safe masks.
 */
export async function checkMasksAgainst(settings: MaskSettings, describe: DescribeTable): Promise<number> {
  const masker = createMasker(settings);
  const error = settings.error ?? ((t: string, c: string, m: string) => new Error(`${t}.${c}: ${m}`));
  let checked = 0;
  for (const [key, cols] of settings.tables) {
    const dot = key.indexOf('.');
    const t = await describe(key.slice(0, dot), key.slice(dot + 1));
    if (!t) throw error(key, [...cols.keys()][0] ?? '', `table ${key} does not exist at the source`, 'fix the table name under mask (schema.table)');
    masker.schema(t);
    checked += cols.size;
  }
  return checked;
}
