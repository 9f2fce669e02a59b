import type { Logger } from '../../shared/log.js';
import type { CaptureContext } from './connector.js';

/** "schema.table": how snapshot plans and the held-tables record name a table. */
export const tableName = (t: { schema: string; table: string }): string => `${t.schema}.${t.table}`;

/**
 * Backfills: tables that join a capture after its snapshot (an include list
 * widened, a table renamed in) are read later, in a fresh consistent read, as
 * snapshot rows positioned at a point of the stream: after a transaction, or
 * at the resume point. Each connector's position codec puts a slot between
 * the point and the table index; these are the slots, in the order they sort.
 */
export const SnapshotSlot = {
  /** The initial snapshot: before every transaction after its point. */
  INITIAL: 0,
  /** After the transaction at the point, before the next one. */
  AFTER_TRANSACTION: 0xfffffffe,
  /** At the resume point, after everything read before it (a backfill at start-up). */
  AT_START: 0xffffffff,
} as const;
export type SnapshotSlot = (typeof SnapshotSlot)[keyof typeof SnapshotSlot];

/** `<point>.<slot, 8 hex>`: what every row of one snapshot or backfill shares before its table index. */
export const slotted = (point: string, slot: SnapshotSlot): string => `${point}.${slot.toString(16).toUpperCase().padStart(8, '0')}`;

/**
 * Rows whose positions start with `base` (a slotted point) against the stream
 * tail: all after it (read them), the tail among them (go on after it), or
 * all before it (the stream holds them: a DDL or restart replayed).
 */
export function backfillState(tail: string | undefined, base: string): 'read' | 'resume' | 'done' {
  if (tail === undefined || tail < base) return 'read';
  return tail.startsWith(`${base}:`) ? 'resume' : 'done';
}

/** The tables whose rows the stream holds, kept in the capture's state; the snapshot plan until a backfill or join adds to it. */
export interface HeldTables {
  has(name: string): boolean;
  add(names: string[]): Promise<void>;
}

export async function heldTables(ctx: CaptureContext, key: string, planned: string[]): Promise<HeldTables> {
  const held = new Set((await ctx.state.get<{ tables: string[] }>(key))?.tables ?? planned);
  return {
    has: (name) => held.has(name),
    async add(names) {
      if (names.every((n) => held.has(n))) return;
      for (const n of names) held.add(n);
      await ctx.state.put(key, { tables: [...held] });
    },
  };
}

export interface JoinedAtStart<T> {
  /** The tables the lists pick now, in a stable order. */
  picked: T[];
  held: HeldTables;
  snapshotMode: 'initial' | 'never';
  /** Reads `tables` at the resume point (slot AT_START); false when the stream tail is past it and nothing was read. */
  backfill(tables: T[]): Promise<boolean>;
}

/**
 * Tables that joined while the capture was stopped but could not be read at
 * the resume point, because the stream tail is past it: they are read after
 * the first transaction whose rows sort after the tail. Each transaction's
 * end asks `take()` with the base of rows placed after it.
 */
export class PendingBackfill<T> {
  constructor(
    private tables: T[],
    private readonly tail: string | undefined,
  ) {}

  get waiting(): boolean {
    return this.tables.length > 0;
  }

  /** The tables, once, when rows at `base` would sort after the stream tail; none before that. */
  take(base: string): T[] {
    if (this.tables.length === 0 || backfillState(this.tail, base) === 'done') return [];
    const due = this.tables;
    this.tables = [];
    return due;
  }
}

/**
 * At session start, the tables the lists pick that the stream does not hold
 * (the include list was widened, or they appeared while the capture was
 * stopped). With `snapshot.mode: never` they are only recorded. Otherwise they
 * are backfilled now, at the resume point, when rows there sort after the
 * stream tail; else they are left pending, to be backfilled after the first
 * transaction past the tail (a kill left the source checkpoint behind the stream).
 */
export async function backfillJoinedAtStart<T extends { schema: string; table: string }>(ctx: CaptureContext, log: Logger, j: JoinedAtStart<T>): Promise<PendingBackfill<T>> {
  const joined = j.picked.filter((t) => !j.held.has(tableName(t)));
  const none = new PendingBackfill<T>([], ctx.tail.position);
  if (joined.length === 0) return none;
  if (j.snapshotMode === 'never') {
    await j.held.add(joined.map(tableName));
    return none;
  }
  log.info({ tables: joined.map(tableName) }, 'tables joined the capture while it was stopped: their rows are read before streaming goes on');
  return (await j.backfill(joined)) ? none : new PendingBackfill(joined, ctx.tail.position);
}
