import type { CaptureContext } from './connector.js';

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
