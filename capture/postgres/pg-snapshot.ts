import type pg from 'pg';
import type { Row } from '../../shared/envelope.js';
import type { TableSchema } from '../../shared/logical-types.js';
import { decodePgText, encodePgText } from '../../shared/postgres/pg-text.js';
import type { CaptureEmitter } from '../runtime/emitter.js';
import { snapshotPosition, type Lsn } from './pg-position.js';
import { qualified, quoteIdent } from './pg-setup.js';
import { keysetSnapshot } from '../runtime/snapshot.js';

export interface SnapshotTable {
  schema: TableSchema;
  /** Index in the snapshot plan: part of every row's position. */
  index: number;
}

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
  t: SnapshotTable,
  consistentPoint: Lsn,
  resume: SnapshotResume | null,
  emitter: CaptureEmitter,
  fetchSize: number,
  signal: AbortSignal,
): Promise<number> {
  const { schema } = t;
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
  type Raw = Record<string, string | null>;
  const ordinal = await keysetSnapshot<Raw, (string | null)[]>({
    schema,
    fetchPage: async (key, limit) =>
      (keyCols.length
        ? await reader.query<Raw>(`SELECT ${select} FROM ${from}${key ? ` WHERE ${after}` : ''} ORDER BY ${order} LIMIT ${limit}`, key ?? [])
        : await reader.query<Raw>(`FETCH ${limit} FROM nilus_snap`)
      ).rows,
    // The next page is asked for with the server's own text of the last key.
    keyOf: (raw) => keyCols.map((c) => raw[c.name]),
    decode: (raw) => {
      const row: Row = {};
      for (const c of schema.columns) {
        const v = raw[c.name];
        row[c.name] = v === null ? null : decodePgText(v, c.type);
      }
      return row;
    },
    position: (n) => snapshotPosition(consistentPoint, t.index, n),
    resume: keyCols.length && resume ? { key: lastKey, ordinal: resume.ordinal } : null,
    emitter,
    fetchSize,
    signal,
  });
  if (signal.aborted) return ordinal;
  if (!keyCols.length) await reader.query('CLOSE nilus_snap');
  return ordinal;
}
