import { z } from 'zod';
import type { Upsert } from './connector.js';
import { sinkRuntimeOptions } from './sink-options.js';

/**
 * Options of every sink that writes rows into tables (Postgres, MySQL, …):
 * where tables land, how deletes are applied, and the bookkeeping columns.
 * A connector extends them with its own and ends with `.strict()`.
 */
export const tableSinkOptions = sinkRuntimeOptions.extend({
  /** Destination namespace for every table (a Postgres schema, a MySQL database); each connector documents its default. */
  'dest-schema': z.string().min(1).optional(),
  /** hard: DELETE the row; soft: keep it and set the soft-delete column to true. */
  'delete.mode': z.enum(['hard', 'soft']).default('hard'),
  'soft-delete-column': z.string().min(1).default('_nilus_deleted'),
  /** Adds _nilus_op, _nilus_position and _nilus_synced_at to every destination table. */
  'metadata-columns': z.boolean().default(false),
});

export type TableSinkOptions = z.output<typeof tableSinkOptions>;

/** A column the sink adds beside the source's: what it holds, each connector picks the type. */
export interface ExtraColumn {
  name: string;
  role: 'deleted' | 'op' | 'position' | 'synced-at';
}

/** The bookkeeping columns a destination table gets for these options, in table order. */
export function extraColumns(opts: TableSinkOptions): ExtraColumn[] {
  const extra: ExtraColumn[] = [];
  if (opts['delete.mode'] === 'soft') extra.push({ name: opts['soft-delete-column'], role: 'deleted' });
  if (opts['metadata-columns']) extra.push({ name: '_nilus_op', role: 'op' }, { name: '_nilus_position', role: 'position' }, { name: '_nilus_synced_at', role: 'synced-at' });
  return extra;
}

/**
 * Upserts grouped by the set of columns the source did not send, in first-seen
 * order: one statement per group writes exactly the columns its rows carry, so
 * an unchanged (TOAST) value is never overwritten.
 */
export function groupByUnchanged(rows: Upsert[]): Upsert[][] {
  const groups = new Map<string, Upsert[]>();
  for (const r of rows) {
    const k = r.unchanged.join('\u0000');
    const g = groups.get(k);
    if (g) g.push(r);
    else groups.set(k, [r]);
  }
  return [...groups.values()];
}
