import { checkRowsColumns, type Change, type ChangeBatch, type Row, type RowsBatch } from '../envelope.js';
import { NilusError } from '../errors.js';
import type { ColumnSchema, LogicalType, TableSchema } from '../logical-types.js';
import type { MaskSpec } from './params.js';
import { createPrf, type Prf } from './prf.js';
import type { SequentialStore } from './sequential.js';
import type { ColumnContext, MaskFn } from './types.js';
import { canonical } from './values.js';

export interface MaskSettings {
  /** "schema.table" → column → mask. */
  tables: ReadonlyMap<string, ReadonlyMap<string, MaskSpec>>;
  /** The resolved mask.salt; required by salted algorithms (checked when settings are built). */
  salt?: string;
  /** Where `sequential` keeps its numbers. */
  sequentialStore?: SequentialStore;
  /** A capture's masks: key columns are refused (a snapshot resumes from keys read back from the stream). */
  forbidKeyColumns?: boolean;
  /** Builds the error for a mask that does not fit its column (the CLI points it at the config line). */
  error?: (table: string, column: string, message: string, hint?: string) => Error;
}

/** How a masked column remembers what it was, in the schema the destination stores. */
export interface MaskedColumn extends ColumnSchema {
  mask: { algorithm: string; sourceType: LogicalType; sourceNativeType: string };
}

/** What the sink hands the masker: messages of one batch, in stream order. */
export type MaskItem = { kind: 'schema'; table: TableSchema } | { kind: 'change'; batch: ChangeBatch } | { kind: 'rows'; batch: RowsBatch } | { kind: 'other' };

export interface Masker {
  /** False when nothing is masked (the runtime can skip the step). */
  readonly active: boolean;
  /**
   * The destination shape of a source table: each masked column with the
   * type its mask produces, annotated with `mask`. Also makes this shape the
   * one later changes of the table are masked against. Throws a clear error
   * for a masked column the table does not have, or a mask that does not fit
   * its column's type. The same input object gives the same output object.
   */
  schema(t: TableSchema): TableSchema;
  /** After a restart: a shape the destination stored (masked, see `schema`) becomes the table's current one. */
  restore(stored: TableSchema): void;
  /** Masks key, before and after of every change, in place, against the shape in force at its position; NULL stays NULL. */
  mask(items: readonly MaskItem[]): void | Promise<void>;
  /** One change of a table described by `t` (a capture's path). */
  maskChange(t: TableSchema, change: Change): void | Promise<void>;
  /** Snapshot rows of a table described by `t`, values in its column order, in place (a capture's path). */
  maskRows(t: TableSchema, rows: unknown[][]): void | Promise<void>;
  /** Masked column names of a table. */
  maskedColumns(schema: string, table: string): string[];
}

interface SeqColumn {
  scope: string;
  cache: Map<string, bigint>;
}

interface CompiledColumn {
  name: string;
  /** Position among the table's columns (the index of its value in a `rows` message). */
  index: number;
  fn: MaskFn;
  seq: SeqColumn | null;
}

interface Plan {
  masked: TableSchema;
  cols: CompiledColumn[];
  seqCols: CompiledColumn[];
  /** Masks one row image in place. */
  row: (row: Row) => void;
  /** Masks one row given as values in the table's column order, in place. */
  array: (values: unknown[]) => void;
}

/**
 * A row masker with each column name as a constant key, so property access
 * stays monomorphic (a loop over names makes every access a megamorphic keyed
 * lookup, which costs more than most masks). Names are embedded as JSON string
 * literals, which are valid JavaScript string literals: no name can inject code.
 */
function rowMasker(cols: CompiledColumn[]): (row: Row) => void {
  const body = cols.map((c, i) => `v = row[${JSON.stringify(c.name)}]; if (v !== null && v !== undefined) row[${JSON.stringify(c.name)}] = f[${i}](v);`).join('\n');
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  return new Function('f', `return function maskRow(row) { let v;\n${body}\n};`)(cols.map((c) => c.fn)) as (row: Row) => void;
}

/** The same for rows as arrays: each masked column at its constant index. */
function arrayMasker(cols: CompiledColumn[]): (values: unknown[]) => void {
  const body = cols.map((c, i) => `v = a[${c.index}]; if (v !== null && v !== undefined) a[${c.index}] = f[${i}](v);`).join('\n');
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  return new Function('f', `return function maskArray(a) { let v;\n${body}\n};`)(cols.map((c) => c.fn)) as (values: unknown[]) => void;
}

const CACHE_LIMIT = 1_000_000;
const MEMO_LIMIT = 1 << 17;

/**
 * Remembers the last outputs of a PRF-based mask by input (strings, numbers,
 * bigints): real columns repeat values (dates, amounts, cities), and a hit
 * costs a map lookup instead of an HMAC. Bounded: cleared when full.
 */
function memo(fn: MaskFn): MaskFn {
  const seen = new Map<unknown, unknown>();
  return (v) => {
    if (typeof v === 'object') return fn(v);
    let out = seen.get(v);
    if (out === undefined) {
      out = fn(v);
      if (seen.size >= MEMO_LIMIT) seen.clear();
      seen.set(v, out);
    }
    return out;
  };
}

export function createMasker(settings: MaskSettings): Masker {
  const { tables } = settings;
  const prf: Prf | null = settings.salt ? createPrf(settings.salt) : null;
  const noPrf: Prf = {
    hex() {
      throw new Error('mask.salt is not set');
    },
  };
  const error =
    settings.error ??
    ((table: string, column: string, message: string, hint?: string) => new NilusError('CONFIG_INVALID', `mask of ${table}.${column}: ${message}`, hint));
  const byShape = new WeakMap<TableSchema, Plan>();
  const current = new Map<string, Plan>();
  const seqScopes = new Map<string, SeqColumn>();

  function compile(t: TableSchema): Plan | null {
    const key = `${t.schema}.${t.table}`;
    const specs = tables.get(key);
    if (!specs || specs.size === 0) return null;
    const cols: CompiledColumn[] = [];
    const outCols = new Map<string, MaskedColumn>();
    for (const [name, spec] of specs) {
      const col = t.columns.find((c) => c.name === name);
      if (!col) {
        throw error(key, name, `column "${name}" does not exist in ${key} (its columns: ${t.columns.map((c) => c.name).join(', ')})`, 'fix the column name under mask, or remove the mask');
      }
      const def = spec.def;
      let seq: SeqColumn | null = null;
      if (def.async) {
        const scopeName = spec.param === undefined ? `${key}.${name}` : String(spec.param);
        const scope = (prf ?? noPrf).hex(`sequential-scope|${scopeName}`).slice(0, 24);
        seq = seqScopes.get(scope) ?? { scope, cache: new Map() };
        seqScopes.set(scope, seq);
      }
      const cache = seq?.cache;
      const ctx: ColumnContext = {
        algorithm: def.name,
        param: spec.param,
        schema: t.schema,
        table: t.table,
        column: name,
        type: col.type,
        nativeType: col.nativeType,
        prf: def.salted && prf ? prf : noPrf,
        secretPrf: def.param === 'secret' ? createPrf(String(spec.param)) : noPrf,
        sequential: (c) => {
          const n = cache?.get(c);
          if (n === undefined) throw new Error(`internal: sequential number of a value in ${key}.${name} was not resolved`);
          return n;
        },
      };
      const out = def.output(ctx);
      if (typeof out === 'string') throw error(key, name, `${def.name} does not fit column "${name}" of type ${col.nativeType}: ${out}`, 'pick an algorithm for that type (see config/README.md, masking)');
      if (settings.forbidKeyColumns && t.primaryKey.includes(name)) {
        throw error(key, name, `a capture cannot mask primary-key column "${name}": an interrupted snapshot resumes from the last key it published`, 'mask key columns in the sink instead');
      }
      if (t.primaryKey.includes(name) && !def.keySafe) {
        throw error(key, name, `${def.name} cannot mask primary-key column "${name}": it can map different keys to one row, so updates and deletes would hit the wrong row`, 'use hash, hmac, uuid or sequential on key columns');
      }
      const fn = def.make(ctx);
      cols.push({ name, index: t.columns.indexOf(col), fn: def.salted && !def.async ? memo(fn) : fn, seq });
      outCols.set(name, {
        ...col,
        type: out.type,
        nativeType: out.nativeType,
        nullable: col.nullable || out.nullable === true,
        mask: { algorithm: def.name, sourceType: col.type, sourceNativeType: col.nativeType },
      });
    }
    const masked: TableSchema = { ...t, columns: t.columns.map((c) => outCols.get(c.name) ?? c) };
    return { masked, cols, seqCols: cols.filter((c) => c.seq), row: rowMasker(cols), array: arrayMasker(cols) };
  }

  function planFor(t: TableSchema): Plan | null {
    let plan = byShape.get(t);
    if (plan === undefined) {
      const p = compile(t);
      if (!p) return null;
      byShape.set(t, (plan = p));
    }
    current.set(`${t.schema}.${t.table}`, plan);
    return plan;
  }

  const maskOne = (ch: Change, plan: Plan) => {
    if (ch.key) plan.row(ch.key);
    if (ch.before) plan.row(ch.before);
    if (ch.after) plan.row(ch.after);
  };

  /** Bounded memory: a full cache starts over before a batch is looked at (never midway, or a hit could vanish before it is used). */
  function trimCaches() {
    for (const seq of seqScopes.values()) if (seq.cache.size >= CACHE_LIMIT) seq.cache.clear();
  }

  /** Values of sequential columns without a number yet, per scope. */
  function collectMissing(changes: readonly Change[], plan: Plan, into: Map<SeqColumn, Set<string>>) {
    for (const c of plan.seqCols) {
      for (const ch of changes) for (const row of [ch.key, ch.before, ch.after]) if (row) noteMissing(c.seq!, row[c.name], into);
    }
  }

  function collectMissingInRows(rows: readonly unknown[][], plan: Plan, into: Map<SeqColumn, Set<string>>) {
    for (const c of plan.seqCols) for (const row of rows) noteMissing(c.seq!, row[c.index], into);
  }

  function noteMissing(seq: SeqColumn, v: unknown, into: Map<SeqColumn, Set<string>>) {
    if (v === null || v === undefined) return;
    const s = canonical(v);
    if (seq.cache.has(s)) return;
    let set = into.get(seq);
    if (!set) into.set(seq, (set = new Set()));
    set.add(s);
  }

  async function resolveMissing(missing: Map<SeqColumn, Set<string>>): Promise<void> {
    const store = settings.sequentialStore;
    if (!store) throw new Error('the sequential mask needs a KV store, and none was given');
    await Promise.all(
      [...missing].map(async ([seq, values]) => {
        const list = [...values];
        const digests = list.map((v) => prf!.hex(`sequential|${seq.scope}|${v}`).slice(0, 48));
        const numbers = await store.resolve(seq.scope, digests);
        list.forEach((v, i) => seq.cache.set(v, numbers[i]));
      }),
    );
  }

  const noSchema = (key: string) =>
    Object.assign(new Error(`changes of masked table ${key} arrived before its schema: they cannot be masked (the stream was trimmed before its schema event?)`), { permanent: true });

  return {
    active: tables.size > 0,
    schema(t) {
      return planFor(t)?.masked ?? t;
    },
    restore(stored) {
      if (!tables.has(`${stored.schema}.${stored.table}`)) return;
      const source: TableSchema = {
        ...stored,
        columns: stored.columns.map((c) => {
          const m = (c as Partial<MaskedColumn>).mask;
          if (!m) return c;
          const { mask: _mask, ...rest } = c as MaskedColumn;
          return { ...rest, type: m.sourceType, nativeType: m.sourceNativeType };
        }),
      };
      planFor(source);
    },
    mask(items) {
      if (tables.size === 0) return;
      if (seqScopes.size) trimCaches();
      const work: [Change[], Plan][] = [];
      const rowWork: [unknown[][], Plan][] = [];
      let missing: Map<SeqColumn, Set<string>> | null = null;
      for (const item of items) {
        if (item.kind === 'schema') planFor(item.table);
        else if (item.kind === 'change' || item.kind === 'rows') {
          const key = `${item.batch.schema}.${item.batch.table}`;
          if (!tables.has(key)) continue;
          const plan = current.get(key);
          if (!plan) throw noSchema(key);
          if (item.kind === 'change') {
            work.push([item.batch.changes, plan]);
            if (plan.seqCols.length) collectMissing(item.batch.changes, plan, (missing ??= new Map()));
          } else {
            checkRowsColumns(item.batch, plan.masked);
            rowWork.push([item.batch.rows, plan]);
            if (plan.seqCols.length) collectMissingInRows(item.batch.rows, plan, (missing ??= new Map()));
          }
        }
      }
      const apply = () => {
        for (const [changes, plan] of work) for (let i = 0; i < changes.length; i++) maskOne(changes[i], plan);
        for (const [rows, plan] of rowWork) for (let i = 0; i < rows.length; i++) plan.array(rows[i]);
      };
      if (missing && missing.size) return resolveMissing(missing).then(apply);
      apply();
    },
    maskChange(t, change) {
      const plan = planFor(t);
      if (!plan) return;
      if (plan.seqCols.length) {
        trimCaches();
        const missing = new Map<SeqColumn, Set<string>>();
        collectMissing([change], plan, missing);
        if (missing.size) return resolveMissing(missing).then(() => maskOne(change, plan));
      }
      maskOne(change, plan);
    },
    maskRows(t, rows) {
      const plan = planFor(t);
      if (!plan) return;
      const apply = () => {
        for (let i = 0; i < rows.length; i++) plan.array(rows[i]);
      };
      if (plan.seqCols.length) {
        trimCaches();
        const missing = new Map<SeqColumn, Set<string>>();
        collectMissingInRows(rows, plan, missing);
        if (missing.size) return resolveMissing(missing).then(apply);
      }
      apply();
    },
    maskedColumns(schema, table) {
      return [...(tables.get(`${schema}.${table}`)?.keys() ?? [])];
    },
  };
}
