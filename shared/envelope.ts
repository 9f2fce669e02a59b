import type { TableSchema } from './logical-types.js';

/** Version of the message bodies below; a reader refuses a version it does not know. */
export const ENVELOPE_VERSION = 1 as const;

/** c insert, u update, d delete, r snapshot/batch read, t truncate (as in Debezium). */
export type ChangeOp = 'c' | 'u' | 'd' | 'r' | 't';

export type Row = Record<string, unknown>;

/** One row change. Table-level fields live once on the carrying {@link ChangeBatch}. */
export interface Change {
  op: ChangeOp;
  /** Primary-key (replica identity) columns identifying the row; for `u`, the key *before* the update. */
  key?: Row;
  /** Old row image, when the source has it (REPLICA IDENTITY FULL, MySQL FULL row image). */
  before?: Row;
  /** New row image for c/u/r. Columns listed in `unchanged` are absent. */
  after?: Row;
  /** Columns the source did not send (e.g. unchanged TOAST values): never write them as NULL. */
  unchanged?: string[];
  /** Source position of this change, a string that sorts in source order (see each source's position codec). */
  pos: string;
  /** Source transaction id, where the source has one. */
  txid?: string;
  /** Commit time at the source, ms since epoch. */
  commitTs?: number;
  /** True for rows read by a snapshot rather than the change stream. */
  snapshot?: boolean;
}

export interface SourceRef {
  /** Connector kind: "postgres", "mysql", … */
  kind: string;
  /** The configured source name (the second subject token). */
  name: string;
  /** Database name at the source. */
  db: string;
}

/**
 * Message body of kind `change`: consecutive changes of one table, in source
 * commit order, possibly spanning several small transactions (packing many rows
 * per message is what lets JetStream keep up with a database).
 */
export interface ChangeBatch extends TableMessage {
  changes: Change[];
}

/** What every message body about one table's rows carries besides them. */
export interface TableMessage {
  v: typeof ENVELOPE_VERSION;
  source: SourceRef;
  schema: string;
  table: string;
  schemaVersion: number;
  /** Capture time, ms since epoch. */
  capturedAt: number;
}

/**
 * Message body of kind `rows`: rows a snapshot read (op `r`) from one table,
 * in a compact layout: the column names once, then each row as an array of
 * values in that order (the order of the table's schema event). Positions are
 * implied: row i is at `rowPosition(positionPrefix, firstOrdinal + i)`. Half
 * the bytes of the same rows as changes, and neither side builds an object
 * per row, which is what bulk loads spend their time on.
 */
export interface RowsBatch extends TableMessage {
  columns: string[];
  rows: unknown[][];
  /** Source-specific part of every row's position (snapshot point and table), see {@link rowPosition}. */
  positionPrefix: string;
  /** Ordinal of rows[0] within its table's snapshot; the next rows count on from it. */
  firstOrdinal: number;
}

/** Position of a snapshot row: `<prefix>:<ordinal, 12 hex>`, which sorts by ordinal after the prefix. */
export function rowPosition(prefix: string, ordinal: number): string {
  return `${prefix}:${ordinal.toString(16).toUpperCase().padStart(12, '0')}`;
}

/** The rows of a `rows` message as changes (op `r`), for paths that go row by row. */
export function rowChanges(batch: RowsBatch, primaryKey: string[]): Change[] {
  return batch.rows.map((values, i) => {
    const after = rowObject(batch.columns, values);
    const key: Row = {};
    for (const k of primaryKey) key[k] = after[k];
    return { op: 'r', key, after, pos: rowPosition(batch.positionPrefix, batch.firstOrdinal + i), snapshot: true };
  });
}

/**
 * Throws (a permanent error: the message can never be applied) unless the
 * rows' columns are the table's, in its order: every reader indexes the arrays
 * by the schema event's column order.
 */
export function checkRowsColumns(batch: RowsBatch, table: TableSchema): void {
  const cols = table.columns;
  if (batch.columns.length === cols.length && batch.columns.every((c, i) => c === cols[i].name)) return;
  throw Object.assign(new Error(`snapshot rows of ${batch.schema}.${batch.table} list columns (${batch.columns.join(', ')}) that are not those of its schema event`), { permanent: true });
}

export function rowObject(columns: string[], values: unknown[]): Row {
  const row: Row = {};
  for (let i = 0; i < columns.length; i++) row[columns[i]] = values[i];
  return row;
}

/** Message body of kind `schema`: the table's shape, published before the first change that uses it. */
export interface SchemaEvent {
  v: typeof ENVELOPE_VERSION;
  source: SourceRef;
  table: TableSchema;
  capturedAt: number;
}

export type MessageKind = 'change' | 'rows' | 'schema' | 'batch-begin' | 'batch-end' | 'heartbeat';

/** NATS headers every Nilus message carries. */
export const Headers = {
  kind: 'Nilus-Kind',
  /** Highest source position contained in the message (lets a restarting capture find where the stream ends). */
  position: 'Nilus-Position',
  msgId: 'Nats-Msg-Id',
} as const;

/** The full Debezium-like envelope of one change, for consumers that want it per row. */
export function expandChange(batch: ChangeBatch, change: Change) {
  return {
    op: change.op,
    key: change.key,
    before: change.before,
    after: change.after,
    unchanged: change.unchanged ?? [],
    source: {
      kind: batch.source.kind,
      name: batch.source.name,
      db: batch.source.db,
      schema: batch.schema,
      table: batch.table,
      position: change.pos,
      txid: change.txid,
      commitTs: change.commitTs,
      snapshot: change.snapshot === true,
    },
    schemaVersion: batch.schemaVersion,
    capturedAt: batch.capturedAt,
  };
}
