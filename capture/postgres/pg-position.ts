/**
 * Positions of the Postgres capture, as strings that sort in source order:
 *   stream change:  <commit LSN, 16 hex>.<index in transaction, 8 hex>   (index from 1)
 *   snapshot row:   <slot consistent point, 16 hex>.00000000:<table index, 4 hex>:<row ordinal, 12 hex>
 * A snapshot row sorts after the consistent point and before every change
 * committed after it, which is exactly when it was read.
 */
import { rowPosition } from '../../shared/envelope.js';

export type Lsn = bigint;

export function parseLsn(text: string): Lsn {
  const [hi, lo] = text.split('/');
  return (BigInt('0x' + hi) << 32n) | BigInt('0x' + lo);
}

export function formatLsn(lsn: Lsn): string {
  return `${(lsn >> 32n).toString(16).toUpperCase()}/${(lsn & 0xffffffffn).toString(16).toUpperCase()}`;
}

const hex = (n: bigint | number, width: number) => n.toString(16).toUpperCase().padStart(width, '0');

export function changePosition(commitLsn: Lsn, index: number): string {
  return `${hex(commitLsn, 16)}.${hex(index, 8)}`;
}

/** What every snapshot row of a table shares in its position (rows carry only their ordinal). */
export function snapshotPrefix(consistentPoint: Lsn, tableIndex: number): string {
  return `${hex(consistentPoint, 16)}.00000000:${hex(tableIndex, 4)}`;
}

export function snapshotPosition(consistentPoint: Lsn, tableIndex: number, ordinal: number): string {
  return rowPosition(snapshotPrefix(consistentPoint, tableIndex), ordinal);
}

export function parseSnapshotPosition(pos: string): { consistentPoint: Lsn; tableIndex: number; ordinal: number } | null {
  const m = /^([0-9A-F]{16})\.00000000:([0-9A-F]{4}):([0-9A-F]{12})$/.exec(pos);
  return m ? { consistentPoint: BigInt('0x' + m[1]), tableIndex: parseInt(m[2], 16), ordinal: parseInt(m[3], 16) } : null;
}
