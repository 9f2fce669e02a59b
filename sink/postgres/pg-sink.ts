import type pg from 'pg';
import type { SourceRef } from '../../shared/envelope.js';
import type { Logger } from '../../shared/log.js';
import type { TableSchema } from '../../shared/logical-types.js';
import { connectPg } from '../../shared/postgres/pg-connect.js';
import { encodePgText } from '../../shared/postgres/pg-text.js';
import type { ApplyStep, SinkConnector, SinkState, Upsert } from '../runtime/connector.js';
import { expandLoad } from '../runtime/compact.js';
import { extraColumns, groupByUnchanged, type ExtraColumn } from '../runtime/table-sink.js';
import { copyFieldWriter, copyRows, type CopyFieldWriter } from './pg-copy.js';
import { pgColumnType, quoteIdent } from './pg-ddl.js';
import type { PgSinkOptions } from './pg-sink-options.js';

/** Bookkeeping lives in the destination, written in the same transaction as the data. */
const STATE_DDL = `
CREATE SCHEMA IF NOT EXISTS _nilus;
CREATE TABLE IF NOT EXISTS _nilus.offsets (consumer text PRIMARY KEY, stream_seq bigint NOT NULL, updated_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE IF NOT EXISTS _nilus.schemas (consumer text, src_schema text, src_table text, body text NOT NULL, PRIMARY KEY (consumer, src_schema, src_table));`;

const EXTRA_TYPES: Record<ExtraColumn['role'], string> = { deleted: 'boolean NOT NULL DEFAULT false', op: 'char(1)', position: 'text', 'synced-at': 'timestamptz' };

/** Below this many rows a COPY costs more round trips than the upsert it saves. */
const COPY_MIN_ROWS = 64;

/** Where a source table lands, and with which destination column types. */
interface Target {
  sql: string;
  types: Map<string, string>;
  key: string[];
}

export function createPgSink(name: string, address: string, opts: PgSinkOptions, log: Logger): SinkConnector {
  let client: pg.Client | null = null;
  let clientError: unknown = null;
  // Destination tables as this session knows them; changed only after a commit.
  let targets = new Map<string, Target>();
  const softDelete = opts['delete.mode'] === 'soft';
  const softCol = opts['soft-delete-column'];

  const destSchema = (t: TableSchema) => opts['dest-schema'] ?? t.schema;
  const tkey = (t: TableSchema) => `${t.schema}.${t.table}`;

  const db = () => {
    if (clientError) throw clientError;
    return client!;
  };

  async function ensureTable(source: SourceRef, t: TableSchema, staged: Map<string, Target>): Promise<void> {
    const schema = destSchema(t);
    const sql = `${quoteIdent(schema)}.${quoteIdent(t.table)}`;
    const wanted = t.columns.map((c) => [c.name, pgColumnType(c, source.kind)] as const);
    const extra = extraColumns(opts).map((e) => [e.name, EXTRA_TYPES[e.role]] as const);
    await db().query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)}`);
    const { rows } = await db().query<{ column_name: string; type: string }>(
      `SELECT a.attname AS column_name, format_type(a.atttypid, a.atttypmod) AS type FROM pg_attribute a
       WHERE a.attrelid = to_regclass($1) AND a.attnum > 0 AND NOT a.attisdropped`,
      [sql],
    );
    if (rows.length === 0) {
      const cols = [...wanted.map(([n, ty]) => `${quoteIdent(n)} ${ty}`), ...extra.map(([n, ty]) => `${quoteIdent(n)} ${ty}`)];
      if (t.primaryKey.length) cols.push(`PRIMARY KEY (${t.primaryKey.map(quoteIdent).join(', ')})`);
      await db().query(`CREATE TABLE ${sql} (${cols.join(', ')})`);
      log.info({ table: sql }, 'created destination table');
    } else {
      const have = new Set(rows.map((r) => r.column_name));
      for (const [n, ty] of [...wanted, ...extra]) {
        if (have.has(n)) continue;
        await db().query(`ALTER TABLE ${sql} ADD COLUMN ${quoteIdent(n)} ${ty}`);
        log.info({ table: sql, column: n }, 'added destination column');
      }
    }
    staged.set(tkey(t), { sql, types: new Map(wanted), key: t.primaryKey });
    await db().query(
      `INSERT INTO _nilus.schemas (consumer, src_schema, src_table, body) VALUES ($1, $2, $3, $4)
       ON CONFLICT (consumer, src_schema, src_table) DO UPDATE SET body = EXCLUDED.body`,
      [name, t.schema, t.table, JSON.stringify({ source, table: t })],
    );
  }

  /** unnest() of one text[] parameter per column, cast back to the destination type. */
  function unnestSource(target: Target, cols: string[], values: (string | null)[][], params: unknown[]): { from: string; select: string[] } {
    const names = values.map((_, i) => `c${i}`);
    const args = values.map((v) => {
      params.push(v);
      return `$${params.length}::text[]`;
    });
    return {
      from: `unnest(${args.join(', ')}) AS u(${names.join(', ')})`,
      select: names.map((n, i) => (i < cols.length ? `u.${n}::${target.types.get(cols[i]) ?? 'text'}` : `u.${n}`)),
    };
  }

  /** COPY field writers of a table's columns, made once per shape. */
  const writers = new WeakMap<TableSchema, CopyFieldWriter[]>();
  const writersOf = (t: TableSchema) => {
    let w = writers.get(t);
    if (!w) writers.set(t, (w = t.columns.map((c) => copyFieldWriter(c.type))));
    return w;
  };

  /**
   * Snapshot rows usually land in an empty key range: COPY them, inside a
   * savepoint; a key that is already there (a replay after a crash) rolls it
   * back, and the rows go through the upsert instead.
   */
  async function load(target: Target, step: Extract<ApplyStep, { kind: 'load' }>): Promise<void> {
    let rows = 0;
    for (const p of step.pages) rows += p.rows.length;
    if (!opts['metadata-columns'] && rows >= COPY_MIN_ROWS) {
      const names = step.table.columns.map((c) => quoteIdent(c.name));
      const chunks = step.pages.map((p) => p.rows);
      if (target.key.length === 0) return copyRows(db(), target.sql, names, writersOf(step.table), chunks);
      await db().query('SAVEPOINT nilus_copy');
      try {
        await copyRows(db(), target.sql, names, writersOf(step.table), chunks);
        await db().query('RELEASE SAVEPOINT nilus_copy');
        return;
      } catch (e) {
        if ((e as { code?: string }).code !== '23505') throw e;
        await db().query('ROLLBACK TO SAVEPOINT nilus_copy');
      }
    }
    for (const s of expandLoad(step)) {
      if (s.kind === 'rows') await upsert(target, s.table, s.upserts);
      else if (s.kind === 'append') await upsert(target, s.table, s.rows);
    }
  }

  async function upsert(target: Target, table: TableSchema, rows: Upsert[]): Promise<void> {
    for (const group of groupByUnchanged(rows)) {
      const skip = new Set(group[0].unchanged);
      const cols = table.columns.filter((c) => !skip.has(c.name));
      // Rows without a key are appended: COPY does that as well, without a conflict to fall back from.
      if (target.key.length === 0 && !opts['metadata-columns'] && group.length >= COPY_MIN_ROWS) {
        const w = writersOf(table);
        const idx = cols.map((c) => table.columns.indexOf(c));
        await copyRows(db(), target.sql, cols.map((c) => quoteIdent(c.name)), idx.map((i) => w[i]), [group.map((r) => cols.map((c) => r.values[c.name]))]);
        continue;
      }
      const params: unknown[] = [];
      const values = cols.map((c) => group.map((r) => encodePgText(r.values[c.name], c.type)));
      const extraCols: string[] = [];
      if (opts['metadata-columns']) {
        values.push(group.map((r) => r.op), group.map((r) => r.pos));
        extraCols.push('_nilus_op', '_nilus_position');
      }
      const src = unnestSource(target, cols.map((c) => c.name), values, params);
      const select = [...src.select];
      if (opts['metadata-columns']) {
        extraCols.push('_nilus_synced_at');
        select.push('now()');
      }
      if (softDelete) {
        extraCols.push(softCol);
        select.push('false');
      }
      const names = cols.map((c) => quoteIdent(c.name));
      const allCols = [...names, ...extraCols.map(quoteIdent)];
      const updatable = [...cols.filter((c) => !target.key.includes(c.name)).map((c) => quoteIdent(c.name)), ...extraCols.map(quoteIdent)];
      const conflict = target.key.length === 0 ? '' : updatable.length ? ` ON CONFLICT (${target.key.map(quoteIdent).join(', ')}) DO UPDATE SET ${updatable.map((c) => `${c} = EXCLUDED.${c}`).join(', ')}` : ` ON CONFLICT (${target.key.map(quoteIdent).join(', ')}) DO NOTHING`;
      await db().query(`INSERT INTO ${target.sql} (${allCols.join(', ')}) SELECT ${select.join(', ')} FROM ${src.from}${conflict}`, params);
    }
  }


  async function remove(target: Target, table: TableSchema, keys: { key: Record<string, unknown>; pos: string }[]): Promise<void> {
    const params: unknown[] = [];
    const keyCols = table.primaryKey.map((k) => table.columns.find((c) => c.name === k)!);
    const src = unnestSource(target, table.primaryKey, keyCols.map((col) => keys.map((k) => encodePgText(k.key[col.name], col.type))), params);
    const cast = src.select;
    const match = table.primaryKey.map((k, i) => `t.${quoteIdent(k)} = ${cast[i]}`).join(' AND ');
    if (softDelete) {
      const meta = opts['metadata-columns'] ? `, _nilus_op = 'd', _nilus_synced_at = now()` : '';
      await db().query(`UPDATE ${target.sql} AS t SET ${quoteIdent(softCol)} = true${meta} FROM ${src.from} WHERE ${match}`, params);
    } else {
      await db().query(`DELETE FROM ${target.sql} AS t USING ${src.from} WHERE ${match}`, params);
    }
  }

  async function deleteMatch(target: Target, table: TableSchema, row: Record<string, unknown>): Promise<void> {
    const cols = table.columns.filter((c) => c.name in row);
    const params = cols.map((c) => encodePgText(row[c.name], c.type));
    const where = cols.map((c, i) => `${quoteIdent(c.name)} IS NOT DISTINCT FROM $${i + 1}::${target.types.get(c.name) ?? 'text'}`).join(' AND ');
    await db().query(`DELETE FROM ${target.sql} WHERE ctid = (SELECT ctid FROM ${target.sql} WHERE ${where} LIMIT 1)`, params);
  }

  return {
    async open(): Promise<SinkState> {
      await client?.end().catch(() => {});
      clientError = null;
      targets = new Map();
      client = await connectPg(address, 'destination');
      client.on('error', (e) => (clientError = e));
      await client.query(STATE_DDL);
      const seq = await client.query<{ stream_seq: string }>('SELECT stream_seq FROM _nilus.offsets WHERE consumer = $1', [name]);
      const schemas = await client.query<{ body: string }>('SELECT body FROM _nilus.schemas WHERE consumer = $1', [name]);
      return { appliedSeq: seq.rows.length ? Number(seq.rows[0].stream_seq) : 0, schemas: schemas.rows.map((r) => JSON.parse(r.body)) };
    },

    async apply(steps: ApplyStep[], lastSeq: number | null): Promise<void> {
      const staged = new Map(targets);
      await db().query('BEGIN');
      try {
        for (const step of steps) {
          if (step.kind === 'schema') {
            await ensureTable(step.source, step.table, staged);
            continue;
          }
          let target = staged.get(tkey(step.table));
          if (!target) {
            await ensureTable(step.source, step.table, staged);
            target = staged.get(tkey(step.table))!;
          }
          switch (step.kind) {
            case 'rows':
              if (step.deletes.length) await remove(target, step.table, step.deletes);
              if (step.upserts.length) await upsert(target, step.table, step.upserts);
              break;
            case 'append':
              await upsert(target, step.table, step.rows);
              break;
            case 'load':
              await load(target, step);
              break;
            case 'delete-match':
              await deleteMatch(target, step.table, step.row);
              break;
            case 'truncate':
              await db().query(`TRUNCATE ${target.sql}`);
              break;
          }
        }
        if (lastSeq !== null) {
          await db().query(
            `INSERT INTO _nilus.offsets (consumer, stream_seq) VALUES ($1, $2)
             ON CONFLICT (consumer) DO UPDATE SET stream_seq = EXCLUDED.stream_seq, updated_at = now()`,
            [name, lastSeq],
          );
        }
        await db().query('COMMIT');
        targets = staged;
      } catch (e) {
        await client?.query('ROLLBACK').catch(() => {});
        throw e;
      }
    },

    isPermanent(e: unknown): boolean {
      const code = (e as { code?: unknown })?.code;
      // Data exceptions, constraint violations, undefined/invalid objects: retrying the same row cannot help.
      return typeof code === 'string' && /^(22|23|42|44|0A|2B)/.test(code);
    },

    async close() {
      await client?.end().catch(() => {});
      client = null;
    },
  };
}
