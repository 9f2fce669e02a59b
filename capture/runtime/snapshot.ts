import { rowObject, type Row } from '../../shared/envelope.js';
import type { Logger } from '../../shared/log.js';
import type { TableSchema } from '../../shared/logical-types.js';
import { backfillState, tableName } from './backfill.js';
import type { CaptureContext } from './connector.js';
import type { CaptureEmitter } from './emitter.js';

/** Where an interrupted snapshot goes on: the table (by index in the snapshot plan), the last key the stream holds, and the row ordinal. */
export interface SnapshotResumePoint {
  tableIndex: number;
  /** Key of the last row already in the stream, or null to start the table from its first row. */
  lastKey: Row | null;
  ordinal: number;
}

/**
 * Reads an interrupted snapshot's progress back from the stream tail: the last
 * message's position names the table and ordinal (`parse` is the connector's
 * position codec; a position that is not a row of the snapshot at `base` gives
 * null), its last row the key (the whole row is returned; callers read the
 * key columns from it).
 */
export function snapshotResumePoint(tail: CaptureContext['tail'], tables: string[], base: string, parse: (pos: string) => { base: string; tableIndex: number; ordinal: number } | null): SnapshotResumePoint | null {
  const pos = tail.position ? parse(tail.position) : null;
  if (!pos || pos.base !== base) return null;
  const b = tail.batch;
  if (!b || tableName(b) !== tables[pos.tableIndex]) return { tableIndex: pos.tableIndex, lastKey: null, ordinal: pos.ordinal };
  if ('rows' in b) {
    const last = b.rows.at(-1);
    return { tableIndex: pos.tableIndex, lastKey: last ? rowObject(b.columns, last) : null, ordinal: pos.ordinal };
  }
  const last = b.changes.at(-1);
  return { tableIndex: pos.tableIndex, lastKey: last?.snapshot ? (last.key ?? null) : null, ordinal: pos.ordinal };
}

export interface KeysetScan<R, K> {
  schema: TableSchema;
  /**
   * Rows after `after` in key order, at most `limit` (keyset pagination: each
   * page is an index range scan). Keyless tables ignore `after` and return the
   * next rows of one ordered read.
   */
  fetchPage(after: K | null, limit: number): Promise<R[]>;
  /** The key of a raw row, in the form fetchPage takes. */
  keyOf(raw: R): K;
  /** A raw row's values, in the order of the schema's columns. */
  decode(raw: R): unknown[];
  /** What every row's position shares (see rowPosition in shared/envelope.ts). */
  positionPrefix: string;
  /** Resume after this key (already in the stream) and ordinal; null starts the table. */
  resume: { key: K | null; ordinal: number } | null;
  emitter: CaptureEmitter;
  fetchSize: number;
  signal: AbortSignal;
}

/**
 * Publishes one table's snapshot rows page by page, as `rows` messages; the
 * next page is read while this one is decoded and published. Returns the last
 * row ordinal.
 */
export async function keysetSnapshot<R, K>(s: KeysetScan<R, K>): Promise<number> {
  let ordinal = s.resume?.ordinal ?? 0;
  let page = s.fetchPage(s.resume?.key ?? null, s.fetchSize);
  for (;;) {
    if (s.signal.aborted) {
      page.catch(() => {}); // the connection closes under it
      return ordinal;
    }
    const rows = await page;
    const more = rows.length === s.fetchSize;
    if (more) page = s.fetchPage(s.keyOf(rows[rows.length - 1]), s.fetchSize);
    const values = new Array<unknown[]>(rows.length);
    for (let i = 0; i < rows.length; i++) values[i] = s.decode(rows[i]);
    await s.emitter.rows(s.schema, { positionPrefix: s.positionPrefix, firstOrdinal: ordinal + 1, rows: values });
    ordinal += rows.length;
    if (!more) break;
  }
  return ordinal;
}

export interface SnapshotRun<T> {
  ctx: CaptureContext;
  log: Logger;
  /** What the log lines call it: 'snapshot' (the default), or 'backfill' for tables that joined later. */
  label?: 'snapshot' | 'backfill';
  /** What the connector adds to the 'snapshot starting' log line (its snapshot point, how it was taken). */
  details: Record<string, unknown>;
  /** "schema.table" in snapshot order, as the snapshot state records them. */
  tables: string[];
  /** The tables the capture selects now: a planned table no longer among them is skipped. */
  picked: T[];
  /** What every row position of this read shares before its table index (the connector's snapshotBase): the stream tail says where to go on. */
  base: string;
  /** The connector's snapshot position codec. */
  parse(pos: string): { base: string; tableIndex: number; ordinal: number } | null;
  /** Publishes one table's rows (from `resume` when given); returns the last row ordinal. */
  snapshotTable(table: T, index: number, resume: SnapshotResumePoint | null): Promise<number>;
  /** Ends the snapshot's read transaction. */
  commit(): Promise<unknown>;
  /** Records the snapshot done in the capture's state: called only once every snapshot row is durable in the stream. */
  markDone(): Promise<unknown>;
}

/**
 * Publishes the planned tables in order, going on after the last row the
 * stream holds, then, once every row is durable in the stream, records the
 * snapshot done. Returns early (done not recorded) when the session is
 * aborted. A backfill whose rows sort before the stream tail is not read (the
 * stream holds it whole: a DDL or a start replayed, or, at the resume point,
 * a tail past it): false.
 */
export async function runSnapshotTables<T extends { schema: string; table: string }>(s: SnapshotRun<T>): Promise<boolean> {
  const { ctx, log, tables } = s;
  const label = s.label ?? 'snapshot';
  // An initial snapshot is read even then: its state was lost, and the slot replays from its point.
  if (label === 'backfill' && backfillState(ctx.tail.position, s.base) === 'done') return false;
  const resume = snapshotResumePoint(ctx.tail, tables, s.base, s.parse);
  log.info({ tables: tables.length, ...s.details, resumeFrom: resume ? tables[resume.tableIndex] : null, resumeAfterRow: resume?.ordinal ?? 0 }, `${label} starting`);
  for (let i = resume?.tableIndex ?? 0; i < tables.length; i++) {
    const t = s.picked.find((p) => tableName(p) === tables[i]);
    if (!t) {
      log.warn({ table: tables[i] }, `table left the capture during the ${label}; skipped`);
      continue;
    }
    const rows = await s.snapshotTable(t, i, resume && i === resume.tableIndex ? resume : null);
    if (ctx.signal.aborted) return true;
    log.info({ table: tables[i], rows }, `table ${label} published`);
  }
  await s.commit();
  // Done is recorded only once every snapshot row is durable in the stream.
  await new Promise<void>((resolve, reject) => {
    ctx.emitter.flush(resolve).catch(reject);
    ctx.publishFailed.then(reject);
  });
  await s.markDone();
  log.info(`${label} complete`);
  return true;
}
