/**
 * Positions of the MySQL capture, as strings that sort in binlog order (the
 * runtime compares positions as strings, so every field is fixed-width hex):
 *   stream change: <binlog file number, 8 hex>.<offset of the transaction's first event end, 12 hex>.<index in transaction, 8 hex>  (index from 1)
 *   snapshot row:  <file number, 8 hex>.<offset, 12 hex>.<slot, 8 hex>:<table index, 4 hex>:<row ordinal, 12 hex>
 * The file number is the numeric suffix of the binlog file name (binlog.000042 → 42):
 * it grows on every rotation (FLUSH BINARY LOGS, max_binlog_size, server restart).
 * A transaction's offset is where its GTID/BEGIN event ends, which is after the
 * snapshot's offset for every transaction committed after the snapshot, so
 * snapshot rows sort after what they contain and before what they miss.
 * The slot (see SnapshotSlot in capture/runtime/backfill.ts) places backfills
 * of tables that joined later after a transaction, or at the resume point.
 */
import { rowPosition } from '../../shared/envelope.js';
import { slotted, SnapshotSlot } from '../runtime/backfill.js';

export { SnapshotSlot };

export interface BinlogPoint {
  file: string;
  pos: number;
}

const hex = (n: number | bigint, width: number) => n.toString(16).toUpperCase().padStart(width, '0');

export function binlogFileNumber(file: string): number {
  const m = /\.(\d+)$/.exec(file);
  if (!m) throw new Error(`binlog file name "${file}" has no numeric suffix`);
  return Number(m[1]);
}

export function changePosition(file: string, txnPos: number, index: number): string {
  return `${hex(binlogFileNumber(file), 8)}.${hex(txnPos, 12)}.${hex(index, 8)}`;
}

/** What every row position of one snapshot shares, before the table index. */
export function snapshotBase(at: BinlogPoint, slot: SnapshotSlot): string {
  return slotted(`${hex(binlogFileNumber(at.file), 8)}.${hex(at.pos, 12)}`, slot);
}

/** What every snapshot row of a table shares in its position (rows carry only their ordinal). */
export function snapshotPrefix(at: BinlogPoint, tableIndex: number, slot: SnapshotSlot = SnapshotSlot.INITIAL): string {
  return `${snapshotBase(at, slot)}:${hex(tableIndex, 4)}`;
}

export function snapshotPosition(at: BinlogPoint, tableIndex: number, ordinal: number, slot: SnapshotSlot = SnapshotSlot.INITIAL): string {
  return rowPosition(snapshotPrefix(at, tableIndex, slot), ordinal);
}

export function parseSnapshotPosition(pos: string): { base: string; tableIndex: number; ordinal: number } | null {
  const m = /^([0-9A-F]{8}\.[0-9A-F]{12}\.[0-9A-F]{8}):([0-9A-F]{4}):([0-9A-F]{12})$/.exec(pos);
  return m ? { base: m[1], tableIndex: parseInt(m[2], 16), ordinal: parseInt(m[3], 16) } : null;
}

export function parseChangePosition(pos: string): { fileNumber: number; pos: number; index: number } | null {
  const m = /^([0-9A-F]{8})\.([0-9A-F]{12})\.([0-9A-F]{8})$/.exec(pos);
  return m ? { fileNumber: parseInt(m[1], 16), pos: parseInt(m[2], 16), index: parseInt(m[3], 16) } : null;
}

/** Binlog order of two points (file number, then offset). */
export function compareBinlogPoints(a: BinlogPoint, b: BinlogPoint): number {
  return binlogFileNumber(a.file) - binlogFileNumber(b.file) || a.pos - b.pos;
}
