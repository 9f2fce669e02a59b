import { rowChanges, type Change, type Row, type SourceRef } from '../../shared/envelope.js';
import type { TableSchema } from '../../shared/logical-types.js';
import type { ApplyStep, Delete, Upsert } from './connector.js';

/**
 * Folds a table's changes (in stream order) into the fewest steps with the
 * same final effect: per key, only the last state counts. Partial updates
 * (unchanged TOAST columns) merge into an earlier image of the same row when
 * the batch has one; a truncate cuts the batch in two.
 */
export function compact(source: SourceRef, table: TableSchema, changes: Change[]): ApplyStep[] {
  return table.primaryKey.length ? compactKeyed(source, table, changes) : compactKeyless(source, table, changes);
}

/** A load step as ordinary steps (upserts folded by key, or appends): for paths without a bulk load, and its fallback. */
export function expandLoad(step: Extract<ApplyStep, { kind: 'load' }>): ApplyStep[] {
  const changes: Change[] = [];
  for (const page of step.pages) for (const ch of rowChanges(page, step.table.primaryKey)) changes.push(ch);
  return compact(step.source, step.table, changes);
}

type Entry = { upsert: Upsert } | { delete: Delete };

function compactKeyed(source: SourceRef, table: TableSchema, changes: Change[]): ApplyStep[] {
  const steps: ApplyStep[] = [];
  let pending = new Map<string, Entry>();
  const flush = () => {
    if (pending.size === 0) return;
    const upserts: Upsert[] = [];
    const deletes: Delete[] = [];
    for (const e of pending.values()) 'upsert' in e ? upserts.push(e.upsert) : deletes.push(e.delete);
    steps.push({ kind: 'rows', source, table, upserts, deletes });
    pending = new Map();
  };
  const keyOf = (row: Row) => keyString(table.primaryKey.map((k) => row[k]));

  for (const ch of changes) {
    switch (ch.op) {
      case 't':
        flush();
        steps.push({ kind: 'truncate', source, table });
        break;
      case 'd': {
        const key = ch.key ?? pick(ch.before ?? {}, table.primaryKey);
        pending.set(keyOf(key), { delete: { key, pos: ch.pos } });
        break;
      }
      default: {
        const after = ch.after ?? {};
        const newKey = keyOf(after);
        let prev = pending.get(newKey);
        if (ch.op === 'u' && ch.key) {
          const oldKey = keyOf(ch.key);
          if (oldKey !== newKey) {
            // A primary-key update moves the row: its earlier image (for unchanged columns) is under the old key, which is now gone.
            prev = pending.get(oldKey);
            pending.set(oldKey, { delete: { key: ch.key, pos: ch.pos } });
          }
        }
        const unchanged = ch.unchanged ?? [];
        if (unchanged.length && prev && 'upsert' in prev) {
          const values = { ...after };
          const stillUnchanged: string[] = [];
          for (const col of unchanged) {
            if (col in prev.upsert.values && !prev.upsert.unchanged.includes(col)) values[col] = prev.upsert.values[col];
            else stillUnchanged.push(col);
          }
          pending.delete(newKey);
          pending.set(newKey, { upsert: { values, unchanged: stillUnchanged, op: ch.op === 'r' ? 'r' : prev.upsert.op === 'c' ? 'c' : 'u', pos: ch.pos } });
        } else {
          pending.delete(newKey);
          pending.set(newKey, { upsert: { values: after, unchanged, op: ch.op as Upsert['op'], pos: ch.pos } });
        }
      }
    }
  }
  flush();
  return steps;
}

function compactKeyless(source: SourceRef, table: TableSchema, changes: Change[]): ApplyStep[] {
  const steps: ApplyStep[] = [];
  let rows: Upsert[] = [];
  const flush = () => {
    if (rows.length) steps.push({ kind: 'append', source, table, rows });
    rows = [];
  };
  for (const ch of changes) {
    if (ch.op === 't') {
      flush();
      steps.push({ kind: 'truncate', source, table });
      continue;
    }
    if ((ch.op === 'd' || ch.op === 'u') && ch.before) {
      flush();
      steps.push({ kind: 'delete-match', source, table, row: ch.before, pos: ch.pos });
    }
    if (ch.op !== 'd' && ch.after) rows.push({ values: ch.after, unchanged: ch.unchanged ?? [], op: ch.op as Upsert['op'], pos: ch.pos });
  }
  flush();
  return steps;
}

function pick(row: Row, cols: string[]): Row {
  return Object.fromEntries(cols.map((c) => [c, row[c]]));
}

/** A map key for a tuple of portable values (bigint and bytes included). */
function keyString(values: unknown[]): string {
  // One integer or text column is the common key: skip JSON for it (the prefix keeps kinds apart).
  if (values.length === 1) {
    const v = values[0];
    if (typeof v === 'bigint' || typeof v === 'number') return `n${v}`;
    if (typeof v === 'string') return `s${v}`;
  }
  return JSON.stringify(values, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v instanceof Uint8Array ? Buffer.from(v).toString('base64') : v));
}
