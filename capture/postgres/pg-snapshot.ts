import type pg from 'pg';
import type { Row } from '../../shared/envelope.js';
import type { TableSchema } from '../../shared/logical-types.js';
import { decodePgText, encodePgText } from '../../shared/postgres/pg-text.js';
import type { CaptureEmitter } from '../runtime/emitter.js';
import { qualified, quoteIdent } from './pg-setup.js';
import { keysetSnapshot } from '../runtime/snapshot.js';

export interface SnapshotResume {
  /** Key of the last row already in the stream, or null to start the table from its first row. */
  lastKey: Row | null;
  ordinal: number;
}

/**
 * Reads one table inside the caller's REPEATABLE READ transaction, in primary
 * key order and pages of `fetchSize` rows (keyset pagination: each page is a
 * cheap index range scan, and a crash resumes after the last published key).
 * Tables without a key are read in ctid order and restart from their start.
 */
export async function snapshotTable(
  reader: pg.Client,
  schema: TableSchema,
  /** See snapshotPrefix in pg-position.ts. */
  positionPrefix: string,
  resume: SnapshotResume | null,
  emitter: CaptureEmitter,
  fetchSize: number,
  signal: AbortSignal,
): Promise<number> {
  const keyCols = schema.primaryKey.map((k) => schema.columns.find((c) => c.name === k)!);
  const order = keyCols.length ? keyCols.map((c) => quoteIdent(c.name)).join(', ') : 'ctid';
  const select = schema.columns.map((c) => quoteIdent(c.name)).join(', ');
  const from = qualified(schema);
  const after = keyCols.length ? `(${order}) > (${keyCols.map((c, i) => `$${i + 1}::${c.nativeType}`).join(', ')})` : '';
  const lastKey: (string | null)[] | null = resume?.lastKey && keyCols.length ? keyCols.map((c) => encodePgText(resume.lastKey![c.name], c.type)) : null;
  if (!keyCols.length) {
    // Without a key there is no resumable order: one cursor over the whole table.
    await reader.query(`DECLARE nilus_snap NO SCROLL CURSOR FOR SELECT ${select} FROM ${from}`);
  }
  // Rows as arrays in column order: no object per row, and decoded in place.
  type Raw = (string | null)[];
  const keyIndexes = keyCols.map((c) => schema.columns.indexOf(c));
  const types = schema.columns.map((c) => c.type);
  const ordinal = await keysetSnapshot<Raw, (string | null)[]>({
    schema,
    fetchPage: async (key, limit) =>
      (keyCols.length
        ? await reader.query<Raw>({ text: `SELECT ${select} FROM ${from}${key ? ` WHERE ${after}` : ''} ORDER BY ${order} LIMIT ${limit}`, values: key ?? [], rowMode: 'array' })
        : await reader.query<Raw>({ text: `FETCH ${limit} FROM nilus_snap`, rowMode: 'array' })
      ).rows,
    // The next page is asked for with the server's own text of the last key.
    keyOf: (raw) => keyIndexes.map((i) => raw[i]),
    decode: (raw) => {
      const row = raw as unknown[];
      for (let i = 0; i < types.length; i++) if (row[i] !== null) row[i] = decodePgText(row[i] as string, types[i]);
      return row;
    },
    positionPrefix,
    resume: keyCols.length && resume ? { key: lastKey, ordinal: resume.ordinal } : null,
    emitter,
    fetchSize,
    signal,
  });
  if (signal.aborted) return ordinal;
  if (!keyCols.length) await reader.query('CLOSE nilus_snap');
  return ordinal;
}
