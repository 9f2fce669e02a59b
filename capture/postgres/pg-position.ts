/**
 * Positions of the Postgres capture, as strings that sort in source order:
 *   stream change:  <commit LSN, 16 hex>.<index in transaction, 8 hex>   (index from 1)
 *   snapshot row:   <slot consistent point, 16 hex>.00000000:<table index, 4 hex>:<row ordinal, 12 hex>
 * A snapshot row sorts after the consistent point and before every change
 * committed after it, which is exactly when it was read.
 */
import { rowPosition } from '../../shared/envelope.js';

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

const hex = (n: number, width: number) => n.toString(16).toUpperCase().padStart(width, '0');

export function changePosition(commitLsn: Lsn, index: number): string {
  return `${commitLsn}.${hex(index, 8)}`;
}

/** What every snapshot row of a table shares in its position (rows carry only their ordinal). */
export function snapshotPrefix(consistentPoint: Lsn, tableIndex: number): string {
  return `${consistentPoint}.00000000:${hex(tableIndex, 4)}`;
}

export function snapshotPosition(consistentPoint: Lsn, tableIndex: number, ordinal: number): string {
  return rowPosition(snapshotPrefix(consistentPoint, tableIndex), ordinal);
}

export function parseSnapshotPosition(pos: string): { consistentPoint: Lsn; tableIndex: number; ordinal: number } | null {
  const m = /^([0-9A-F]{16})\.00000000:([0-9A-F]{4}):([0-9A-F]{12})$/.exec(pos);
  return m ? { consistentPoint: m[1] as Lsn, tableIndex: parseInt(m[2], 16), ordinal: parseInt(m[3], 16) } : null;
}
