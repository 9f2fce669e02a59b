/**
 * Positions of the Postgres capture, as strings that sort in source order:
 *   stream change:  <commit LSN, 16 hex>.<index in transaction, 8 hex>   (index from 1)
 *   snapshot row:   <point, 16 hex>.<slot, 8 hex>:<table index, 4 hex>:<row ordinal, 12 hex>
 * An initial snapshot row (point: the slot's consistent point, slot 0) sorts
 * after the consistent point and before every change committed after it,
 * which is exactly when it was read. Backfills (see SnapshotSlot in
 * capture/runtime/backfill.ts) sit after a transaction's changes (point: its
 * commit LSN) or at the resume point (the slot's confirmed LSN).
 */
import { rowPosition } from '../../shared/envelope.js';
import { slotted, SnapshotSlot } from '../runtime/backfill.js';

export { SnapshotSlot };

/**
 * An LSN as 16 upper-case hex digits: it sorts (and compares) as a string,
 * and a position is built from it by concatenation. Kept as text rather than
 * a bigint because the stream handles two per transaction, and parsing them
 * into bigints was a tenth of the capture's time while draining a backlog.
 */
export type Lsn = string & { readonly lsn: unique symbol };

/** The server's `X/Y` form → Lsn. */
export function parseLsn(text: string): Lsn {
  const slash = text.indexOf('/');
  return (text.slice(0, slash).padStart(8, '0') + text.slice(slash + 1).padStart(8, '0')).toUpperCase() as Lsn;
}

/** Lsn → the server's `X/Y` form. */
export function formatLsn(lsn: Lsn): string {
  return `${lsn.slice(0, 8).replace(/^0+(?=.)/, '')}/${lsn.slice(8).replace(/^0+(?=.)/, '')}`;
}

/** The LSN one byte before (0/0 stays 0/0). */
export function previousLsn(lsn: Lsn): Lsn {
  const n = BigInt(`0x${lsn}`);
  return (n === 0n ? n : n - 1n).toString(16).toUpperCase().padStart(16, '0') as Lsn;
}

const hex = (n: number, width: number) => n.toString(16).toUpperCase().padStart(width, '0');

export function changePosition(commitLsn: Lsn, index: number): string {
  return `${commitLsn}.${hex(index, 8)}`;
}

/** What every row position of one snapshot shares, before the table index. */
export function snapshotBase(point: Lsn, slot: SnapshotSlot): string {
  return slotted(point, slot);
}

/** What every snapshot row of a table shares in its position (rows carry only their ordinal). */
export function snapshotPrefix(point: Lsn, tableIndex: number, slot: SnapshotSlot = SnapshotSlot.INITIAL): string {
  return `${snapshotBase(point, slot)}:${hex(tableIndex, 4)}`;
}

export function snapshotPosition(point: Lsn, tableIndex: number, ordinal: number, slot: SnapshotSlot = SnapshotSlot.INITIAL): string {
  return rowPosition(snapshotPrefix(point, tableIndex, slot), ordinal);
}

export function parseSnapshotPosition(pos: string): { base: string; tableIndex: number; ordinal: number } | null {
  const m = /^([0-9A-F]{16}\.[0-9A-F]{8}):([0-9A-F]{4}):([0-9A-F]{12})$/.exec(pos);
  return m ? { base: m[1], tableIndex: parseInt(m[2], 16), ordinal: parseInt(m[3], 16) } : null;
}
