import type { z } from 'zod';
import type { Row, RowsBatch, SourceRef } from '../../shared/envelope.js';
import type { Logger } from '../../shared/log.js';
import type { TableSchema } from '../../shared/logical-types.js';

/** A row to insert or update, after compaction: the last state of its key within the batch. */
export interface Upsert {
  values: Row;
  /** Columns the source did not send: keep the destination's value. */
  unchanged: string[];
  op: 'c' | 'u' | 'r';
  pos: string;
}

export interface Delete {
  key: Row;
  pos: string;
}

/** One unit of work for a destination, in the order it must happen within a batch. */
export type ApplyStep =
  | { kind: 'schema'; source: SourceRef; table: TableSchema }
  /** Keyed table: rows whose final state is present, and keys whose final state is deleted (disjoint sets). */
  | { kind: 'rows'; source: SourceRef; table: TableSchema; upserts: Upsert[]; deletes: Delete[] }
  /** Table without a key: rows appended in order. */
  | { kind: 'append'; source: SourceRef; table: TableSchema; rows: Upsert[] }
  /** Table without a key: remove one row equal to this image (REPLICA IDENTITY FULL deletes/updates). */
  | { kind: 'delete-match'; source: SourceRef; table: TableSchema; row: Row; pos: string }
  | { kind: 'truncate'; source: SourceRef; table: TableSchema }
  /**
   * Snapshot rows (op `r`) of consecutive `rows` messages, values in the order
   * of `table.columns`. Usually new to the destination, so a bulk path (COPY)
   * fits; but a key may already be there (a replay after a crash), or even
   * twice in one step (a snapshot read again): then the last row of a key
   * wins, as `expandLoad()` in compact.ts folds them.
   */
  | { kind: 'load'; source: SourceRef; table: TableSchema; pages: RowsBatch[] };

export interface SinkState {
  /** Highest stream sequence whose effect the destination holds (0 when none): later messages only. */
  appliedSeq: number;
  /** Table shapes the destination was last given, so changes can be applied after a restart. */
  schemas: { source: SourceRef; table: TableSchema }[];
}

/**
 * A sink connector: one per destination kind, one folder each.
 *
 * `open()` is called at the start of every session; `apply()` is never called
 * concurrently, and applies all its steps atomically (one transaction, or an
 * idempotent equivalent), recording `lastSeq` with them when given, so that a
 * redelivered message is recognised after a crash. An error thrown from
 * `apply()` means nothing was applied; `isPermanent` tells a row the
 * destination will always reject (it goes to the dead-letter subject) from an
 * outage (the batch is retried).
 */
export interface SinkConnector {
  open(): Promise<SinkState>;
  apply(steps: ApplyStep[], lastSeq: number | null): Promise<void>;
  isPermanent(e: unknown): boolean;
  close(): Promise<void>;
}

export interface SinkSectionInput {
  name: string;
  from: string;
  address: string;
  options: Record<string, unknown>;
}

export interface SinkFactory<S extends z.ZodTypeAny = z.ZodTypeAny> {
  kind: string;
  schemes: string[];
  options: S;
  /** Loads the connector's code (and its drivers) only now, as for captures. */
  create(section: SinkSectionInput, options: z.output<S>, log: Logger): Promise<SinkConnector>;
}
