import type mysql from 'mysql2/promise';
import { rowPosition, type Row, type RowsBatch, type SourceRef } from '../../shared/envelope.js';
import type { Logger } from '../../shared/log.js';
import type { TableSchema } from '../../shared/logical-types.js';
import { connectMysql, mysqlConnectionConfig, quoteMysqlIdent as quoteId } from '../../shared/mysql/mysql-connect.js';
import type { ApplyStep, Delete, SinkConnector, SinkState, Upsert } from '../runtime/connector.js';
import { extraColumns, groupByUnchanged } from '../runtime/table-sink.js';
import { addColumnsSql, createTableSql, planTable, type ColumnPlan, type MySqlDialect, type TablePlan } from './mysql-ddl.js';
import { isPermanentMySqlError, RowTooLargeError, UnrepresentableValueError } from './mysql-sink-errors.js';
import type { MySqlSinkOptions } from './mysql-sink-options.js';
import { literal, quoteString, UNREPRESENTABLE } from './mysql-values.js';

/**
 * Strict: a value that does not fit is an error (parked), never silently cut.
 * NO_BACKSLASH_ESCAPES: string literals only double their quotes (mysql-values.ts).
 * NO_AUTO_VALUE_ON_ZERO: a 0 written into an AUTO_INCREMENT column stays 0.
 */
const SESSION_SQL = [
  "SET SESSION sql_mode = 'STRICT_ALL_TABLES,NO_BACKSLASH_ESCAPES,NO_ZERO_IN_DATE,NO_ZERO_DATE,ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION,NO_AUTO_VALUE_ON_ZERO'",
  // One writer per table: no gap locks needed.
  'SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED',
];

/** Statements grow to about this many bytes (less when the server's max_allowed_packet is smaller). */
const STATEMENT_BYTES = 1024 * 1024;
/** Keys per DELETE statement. */
const DELETE_CHUNK = 1000;
/** How often the count of NULLs written for unrepresentable values is logged, per column. */
const UNREPRESENTABLE_LOG_MS = 60_000;

/** Where a source table lands. */
interface Target {
  sql: string;
  /** MySQL 8 JSON columns: compared to a literal through CAST(… AS JSON). */
  jsonColumns: Set<string>;
}

export function createMySqlSink(name: string, address: string, opts: MySqlSinkOptions, log: Logger): SinkConnector {
  let conn: mysql.Connection | null = null;
  let dialect: MySqlDialect = { flavor: 'mysql', textCollation: 'utf8mb4_bin' };
  let packetBytes = 16 * 1024 * 1024;
  // Destination tables as this session knows them; DDL commits at once in MySQL, so these are always real.
  const targets = new Map<string, Target>();
  const databases = new Set<string>();
  /** Destination table → the source table writing it, to warn when two share one (same name in two schemas, one database). */
  const claimed = new Map<string, string>();
  const extra = extraColumns(opts);
  const softDelete = opts['delete.mode'] === 'soft';
  const nullUnrepresentable = opts['unrepresentable-values'] === 'null';
  const addressDb = mysqlConnectionConfig(address).database;
  /** Bookkeeping (`_nilus_offsets`, `_nilus_schemas`) lives in the address's database, else in `dest-schema`, else in `_nilus`. */
  const stateDb = addressDb ?? opts['dest-schema'] ?? '_nilus';
  const offsetsSql = `${quoteId(stateDb)}.\`_nilus_offsets\``;
  const schemasSql = `${quoteId(stateDb)}.\`_nilus_schemas\``;
  const unrepresented = new Map<string, { count: number; loggedAt: number }>();
  let pendingUnrepresented = new Map<string, number>();

  /** MySQL has no schemas inside a database: `dest-schema`, else the address's database, else one database per source schema. */
  const destDb = (t: TableSchema) => opts['dest-schema'] ?? addressDb ?? t.schema;
  const tkey = (t: TableSchema) => `${t.schema}.${t.table}`;

  const db = () => {
    if (!conn) throw Object.assign(new Error('the destination connection is closed'), { code: 'CONNECTION_CLOSED' });
    return conn;
  };
  const query = async <T = mysql.RowDataPacket[]>(sql: string): Promise<T> => (await db().query(sql))[0] as T;

  async function ensureDatabase(name: string): Promise<void> {
    if (databases.has(name)) return;
    const rows = await query(`SELECT 1 FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ${quoteString(name)}`);
    if (rows.length === 0) {
      await query(`CREATE DATABASE IF NOT EXISTS ${quoteId(name)} CHARACTER SET utf8mb4 COLLATE ${dialect.textCollation}`);
      log.info({ database: name }, 'created destination database');
    }
    databases.add(name);
  }

  /** Creates the table or adds the columns it lacks. DDL commits by itself in MySQL: it runs before the data transaction, and is additive. */
  async function ensureTable(t: TableSchema): Promise<void> {
    const database = destDb(t);
    await ensureDatabase(database);
    const sql = `${quoteId(database)}.${quoteId(t.table)}`;
    claim(sql, t);
    const plan = planTable(t, extra, dialect);
    const cols = await query(`SELECT COLUMN_NAME AS name, DATA_TYPE AS type FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ${quoteString(database)} AND TABLE_NAME = ${quoteString(t.table)}`);
    const jsonColumns = new Set<string>();
    if (cols.length === 0) {
      await query(createTableSql(sql, plan, dialect));
      log.info({ table: sql }, 'created destination table');
      for (const c of plan.columns) if (c.sqlType === 'JSON') jsonColumns.add(c.name);
    } else {
      const alter = addColumnsSql(sql, plan, new Set(cols.map((c) => String(c.name).toLowerCase())));
      if (alter) {
        await query(alter.sql);
        log.info({ table: sql, columns: alter.added }, 'added destination columns');
      }
      for (const c of cols) if (String(c.type).toLowerCase() === 'json') jsonColumns.add(String(c.name));
      for (const c of plan.columns) if (c.sqlType === 'JSON' && alter?.added.includes(c.name)) jsonColumns.add(c.name);
    }
    targets.set(tkey(t), { sql, jsonColumns: dialect.flavor === 'mysql' ? jsonColumns : new Set() });
  }

  function claim(sql: string, t: TableSchema): void {
    const owner = claimed.get(sql);
    if (owner && owner !== tkey(t)) {
      log.warn({ table: sql, sources: [owner, tkey(t)] }, 'two source tables write into one destination table: give the sink an address without a database (one database per source schema) or split it with table.include.list and dest-schema');
    }
    claimed.set(sql, tkey(t));
  }

  /** A value's literal; one MySQL cannot hold is NULL (counted) or rejects the row, as configured; in a key it always rejects. */
  function encode(value: unknown, col: ColumnPlan, t: TableSchema, inKey: boolean): string {
    const lit = literal(value, col);
    if (lit !== UNREPRESENTABLE) return lit;
    const what = `${t.schema}.${t.table}.${col.name}`;
    if (inKey || !nullUnrepresentable) throw new UnrepresentableValueError(`${what}: MySQL cannot store ${describeValue(value)} in ${col.sqlType.split(' ')[0]}${inKey ? ' (a key column)' : ''}`);
    pendingUnrepresented.set(what, (pendingUnrepresented.get(what) ?? 0) + 1);
    return 'NULL';
  }

  function extraLiteral(role: TablePlan['extra'][number]['role'], op: Upsert['op'], pos: string): string {
    switch (role) {
      case 'deleted':
        return 'FALSE';
      case 'op':
        return quoteString(op);
      case 'position':
        return quoteString(pos);
      case 'synced-at':
        return 'UTC_TIMESTAMP(6)';
    }
  }

  /** `INSERT INTO t (cols) VALUES ` and, for keyed tables, the ` ON DUPLICATE KEY UPDATE …` that makes it an upsert. */
  function insertInto(target: Target, plan: TablePlan, cols: ColumnPlan[]): { head: string; tail: string } {
    const names = [...cols.map((c) => quoteId(c.name)), ...plan.extra.map((e) => quoteId(e.name))];
    let tail = '';
    if (plan.key.length > 0) {
      const updatable = [...cols.filter((c) => !plan.key.includes(c.name)).map((c) => quoteId(c.name)), ...plan.extra.map((e) => quoteId(e.name))];
      tail = ` ON DUPLICATE KEY UPDATE ${updatable.length ? updatable.map((c) => `${c} = VALUES(${c})`).join(', ') : `${quoteId(plan.key[0])} = ${quoteId(plan.key[0])}`}`;
    }
    return { head: `INSERT INTO ${target.sql} (${names.join(', ')}) VALUES `, tail };
  }

  /** One row's `(v1, v2, …)` for `cols` (value of column i from `value(i)`), then the bookkeeping columns. */
  function tuple(t: TableSchema, plan: TablePlan, cols: ColumnPlan[], inKey: boolean[], value: (i: number) => unknown, op: Upsert['op'], pos: () => string): string {
    const parts = cols.map((c, i) => encode(value(i), c, t, inKey[i]));
    for (const e of plan.extra) parts.push(extraLiteral(e.role, op, e.role === 'position' ? pos() : ''));
    return `(${parts.join(', ')})`;
  }

  /** Multi-row INSERT (… ON DUPLICATE KEY UPDATE for keyed tables), one per set of unchanged columns, chunked under max_allowed_packet. */
  async function upsert(target: Target, t: TableSchema, plan: TablePlan, rows: Upsert[]): Promise<void> {
    for (const group of groupByUnchanged(rows)) {
      const skip = new Set(group[0].unchanged);
      const cols = plan.columns.filter((c) => !skip.has(c.name));
      const inKey = cols.map((c) => plan.key.includes(c.name));
      const tuples = function* (): Generator<string> {
        for (const r of group) yield tuple(t, plan, cols, inKey, (i) => r.values[cols[i].name], r.op, () => r.pos);
      };
      const { head, tail } = insertInto(target, plan, cols);
      await chunked(head, tuples(), ', ', tail);
    }
  }

  /**
   * Snapshot rows straight from their arrays, as the same multi-row upsert:
   * a key already there (a replay) is updated, and a key read twice in one
   * step ends with its later row, as MySQL applies the rows in order.
   */
  async function load(target: Target, t: TableSchema, plan: TablePlan, pages: RowsBatch[]): Promise<void> {
    const index = plan.columns.map((c) => t.columns.findIndex((col) => col.name === c.name));
    const inKey = plan.columns.map((c) => plan.key.includes(c.name));
    function* tuples(): Generator<string> {
      for (const page of pages) {
        for (let r = 0; r < page.rows.length; r++) {
          const row = page.rows[r];
          yield tuple(t, plan, plan.columns, inKey, (i) => row[index[i]], 'r', () => rowPosition(page.positionPrefix, page.firstOrdinal + r));
        }
      }
    }
    const { head, tail } = insertInto(target, plan, plan.columns);
    await chunked(head, tuples(), ', ', tail);
  }

  /**
   * Runs head + items joined + tail in as few statements as fit the packet
   * limit. Items are taken lazily and one statement is in flight while the
   * next is built, so the server executes while this thread encodes.
   */
  async function chunked(head: string, items: Iterable<string>, sep: string, tail: string, maxItems = Infinity): Promise<void> {
    const fixed = Buffer.byteLength(head) + Buffer.byteLength(tail) + 1024;
    const limit = Math.max(Math.min(STATEMENT_BYTES, packetBytes - fixed), 1);
    let inFlight: Promise<unknown> | null = null;
    const send = async (sql: string) => {
      if (inFlight) await inFlight;
      inFlight = query(sql);
      inFlight.catch(() => {}); // awaited before the next statement or at the end
    };
    try {
      let batch: string[] = [];
      let bytes = 0;
      for (const item of items) {
        const size = Buffer.byteLength(item) + sep.length;
        if (size + fixed > packetBytes) throw new RowTooLargeError(`a row of ${size} bytes does not fit the destination's max_allowed_packet (${packetBytes} bytes): raise it on the server (SET GLOBAL max_allowed_packet = …)`);
        if (batch.length && (bytes + size > limit || batch.length >= maxItems)) {
          await send(head + batch.join(sep) + tail);
          batch = [];
          bytes = 0;
        }
        batch.push(item);
        bytes += size;
      }
      if (batch.length) await send(head + batch.join(sep) + tail);
    } finally {
      // A statement still running is waited for even when encoding failed: the transaction is rolled back after it.
      const last = inFlight as Promise<unknown> | null;
      if (last) await last;
    }
  }

  async function remove(target: Target, t: TableSchema, plan: TablePlan, deletes: Delete[]): Promise<void> {
    const keyCols = plan.key.map((k) => plan.columns.find((c) => c.name === k)!);
    const match = keyCols.length === 1
      ? deletes.map((d) => encode(d.key[keyCols[0].name], keyCols[0], t, true))
      : deletes.map((d) => `(${keyCols.map((c) => `${quoteId(c.name)} = ${encode(d.key[c.name], c, t, true)}`).join(' AND ')})`);
    const [head, sep, tail] = keyCols.length === 1 ? [` WHERE ${quoteId(keyCols[0].name)} IN (`, ', ', ')'] : [' WHERE ', ' OR ', ''];
    const action = softDelete
      ? `UPDATE ${target.sql} SET ${quoteId(opts['soft-delete-column'])} = TRUE${opts['metadata-columns'] ? ", `_nilus_op` = 'd', `_nilus_synced_at` = UTC_TIMESTAMP(6)" : ''}`
      : `DELETE FROM ${target.sql}`;
    await chunked(action + head, match, sep, tail, DELETE_CHUNK);
  }

  /** Removes one row equal to this image (a table without a key). */
  async function deleteMatch(target: Target, plan: TablePlan, row: Row): Promise<void> {
    const where = plan.columns
      .filter((c) => c.name in row)
      .map((c) => {
        const value = literal(row[c.name], c);
        const lit = value === UNREPRESENTABLE ? 'NULL' : value; // as it was written (a parked row is not there: nothing matches)
        return target.jsonColumns.has(c.name) && lit !== 'NULL' ? `${quoteId(c.name)} <=> CAST(${lit} AS JSON)` : `${quoteId(c.name)} <=> ${lit}`;
      });
    await query(`DELETE FROM ${target.sql}${where.length ? ` WHERE ${where.join(' AND ')}` : ''} LIMIT 1`);
  }

  function reportUnrepresented(): void {
    const now = Date.now();
    for (const [what, n] of pendingUnrepresented) {
      const u = unrepresented.get(what) ?? { count: 0, loggedAt: 0 };
      u.count += n;
      if (now - u.loggedAt >= UNREPRESENTABLE_LOG_MS) {
        log.warn({ column: what, values: u.count }, 'wrote NULL for values MySQL cannot hold (NaN, ±Infinity, dates outside years 0001–9999); set unrepresentable-values: dead-letter to park such rows instead');
        u.count = 0;
        u.loggedAt = now;
      }
      unrepresented.set(what, u);
    }
    pendingUnrepresented = new Map();
  }

  return {
    async open(): Promise<SinkState> {
      conn?.destroy(); // the previous session's connection may be broken: do not wait for a goodbye
      conn = null;
      targets.clear();
      databases.clear();
      const c = await connectMysql(address, 'destination');
      try {
        for (const s of SESSION_SQL) await c.query(s);
        const [[server]] = await c.query<mysql.RowDataPacket[]>('SELECT VERSION() AS version, @@max_allowed_packet AS packet');
        const [collations] = await c.query<mysql.RowDataPacket[]>("SELECT COLLATION_NAME AS name FROM information_schema.COLLATIONS WHERE COLLATION_NAME IN ('utf8mb4_nopad_bin', 'utf8mb4_0900_bin')");
        const have = new Set(collations.map((r) => String(r.name)));
        dialect = {
          flavor: /mariadb/i.test(String(server.version)) ? 'mariadb' : 'mysql',
          textCollation: have.has('utf8mb4_nopad_bin') ? 'utf8mb4_nopad_bin' : have.has('utf8mb4_0900_bin') ? 'utf8mb4_0900_bin' : 'utf8mb4_bin',
        };
        packetBytes = Number(server.packet);
      } catch (e) {
        c.destroy();
        throw e;
      }
      conn = c;
      await ensureDatabase(stateDb);
      const text = (n: number) => `VARCHAR(${n}) CHARACTER SET utf8mb4 COLLATE ${dialect.textCollation} NOT NULL`;
      await query(`CREATE TABLE IF NOT EXISTS ${offsetsSql} (consumer ${text(255)} PRIMARY KEY, stream_seq BIGINT NOT NULL, updated_at DATETIME(6) NOT NULL) ENGINE=InnoDB`);
      await query(`CREATE TABLE IF NOT EXISTS ${schemasSql} (consumer ${text(255)}, src_schema ${text(255)}, src_table ${text(255)}, body LONGTEXT CHARACTER SET utf8mb4 NOT NULL, PRIMARY KEY (consumer, src_schema, src_table)) ENGINE=InnoDB`);
      const seq = await query(`SELECT stream_seq FROM ${offsetsSql} WHERE consumer = ${quoteString(name)}`);
      const schemas = await query(`SELECT body FROM ${schemasSql} WHERE consumer = ${quoteString(name)}`);
      const known: SinkState['schemas'] = schemas.map((r) => JSON.parse(String(r.body)));
      for (const k of known) claimed.set(`${quoteId(destDb(k.table))}.${quoteId(k.table.table)}`, tkey(k.table));
      return { appliedSeq: seq.length ? Number(seq[0].stream_seq) : 0, schemas: known };
    },

    async apply(steps: ApplyStep[], lastSeq: number | null): Promise<void> {
      // DDL first: MySQL commits around every DDL statement, so it cannot share the data's transaction.
      for (const step of steps) {
        if (step.kind === 'schema' || !targets.has(tkey(step.table))) await ensureTable(step.table);
      }
      pendingUnrepresented = new Map();
      await query('START TRANSACTION');
      try {
        for (const step of steps) {
          if (step.kind === 'schema') {
            await saveSchema(step.source, step.table);
            continue;
          }
          const target = targets.get(tkey(step.table))!;
          const plan = planTable(step.table, extra, dialect);
          switch (step.kind) {
            case 'rows':
              if (step.deletes.length) await remove(target, step.table, plan, step.deletes);
              if (step.upserts.length) await upsert(target, step.table, plan, step.upserts);
              break;
            case 'append':
              await upsert(target, step.table, plan, step.rows);
              break;
            case 'load':
              await load(target, step.table, plan, step.pages);
              break;
            case 'delete-match':
              await deleteMatch(target, plan, step.row);
              break;
            case 'truncate':
              // TRUNCATE is DDL in MySQL (it would commit): DELETE keeps it inside the transaction.
              await query(`DELETE FROM ${target.sql}`);
              break;
          }
        }
        if (lastSeq !== null) {
          await query(
            `INSERT INTO ${offsetsSql} (consumer, stream_seq, updated_at) VALUES (${quoteString(name)}, ${lastSeq}, UTC_TIMESTAMP(6))
             ON DUPLICATE KEY UPDATE stream_seq = VALUES(stream_seq), updated_at = VALUES(updated_at)`,
          );
        }
        await query('COMMIT');
      } catch (e) {
        await conn?.query('ROLLBACK').catch(() => {});
        targets.clear(); // a table dropped or altered behind our back is looked at again
        throw e;
      }
      reportUnrepresented();
    },

    isPermanent: isPermanentMySqlError,

    async close() {
      await conn?.end().catch(() => {});
      conn = null;
    },
  };

  async function saveSchema(source: SourceRef, t: TableSchema): Promise<void> {
    await query(
      `INSERT INTO ${schemasSql} (consumer, src_schema, src_table, body) VALUES (${quoteString(name)}, ${quoteString(t.schema)}, ${quoteString(t.table)}, ${quoteString(JSON.stringify({ source, table: t }))})
       ON DUPLICATE KEY UPDATE body = VALUES(body)`,
    );
  }
}

function describeValue(v: unknown): string {
  if (typeof v === 'number') return String(v);
  return JSON.stringify(String(v));
}
