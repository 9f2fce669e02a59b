import pg from 'pg';
import { NilusError } from '../../shared/errors.js';
import type { Logger } from '../../shared/log.js';
import { listTables, type CatalogTable } from '../../shared/postgres/pg-catalog.js';
import type { PgCaptureOptions } from './pg-options.js';
import { tableName } from '../runtime/backfill.js';

const quoteIdent = (s: string) => '"' + s.replace(/"/g, '""') + '"';
export const qualified = (t: { schema: string; table: string }) => `${quoteIdent(t.schema)}.${quoteIdent(t.table)}`;
export { quoteIdent };

/** Settings and grants logical decoding needs; each failure says how to fix it. */
export async function checkServer(client: pg.Client): Promise<void> {
  const { rows } = await client.query<{ wal_level: string; can: string; max_slots: string }>(
    `SELECT current_setting('wal_level') AS wal_level,
            (SELECT (rolreplication OR rolsuper)::text FROM pg_roles WHERE rolname = current_user) AS can,
            current_setting('max_replication_slots') AS max_slots`,
  );
  const r = rows[0];
  if (r.wal_level !== 'logical') {
    throw new NilusError('SOURCE_NOT_CAPTURABLE', `the source PostgreSQL has wal_level = ${r.wal_level}, change data capture needs wal_level = logical`, 'run ALTER SYSTEM SET wal_level = logical; and restart PostgreSQL');
  }
  if (r.can !== 'true') {
    throw new NilusError('SOURCE_NOT_CAPTURABLE', 'the source user may not use replication', 'run ALTER ROLE <user> WITH REPLICATION; as a superuser, or connect as a user that has it');
  }
  if (Number(r.max_slots) === 0) {
    throw new NilusError('SOURCE_NOT_CAPTURABLE', 'the source PostgreSQL has max_replication_slots = 0', 'set max_replication_slots to at least 1 and restart PostgreSQL');
  }
}

/** Tables picked by table.include.list / table.exclude.list (regexes over "schema.table", anchored as in Debezium). */
export async function selectTables(client: pg.Client, opts: PgCaptureOptions, log: Logger): Promise<CatalogTable[]> {
  const all = await listTables(client);
  const include = opts['table.include.list'].map((re) => new RegExp(`^(?:${re})$`));
  const exclude = opts['table.exclude.list'].map((re) => new RegExp(`^(?:${re})$`));
  for (const [i, re] of include.entries()) {
    if (!all.some((t) => re.test(tableName(t)))) {
      const db = (await client.query<{ db: string }>('SELECT current_database() AS db')).rows[0].db;
      throw new NilusError('SOURCE_TABLE_UNKNOWN', `source.options.table.include.list entry "${opts['table.include.list'][i]}" matches no table in database ${db}`, 'check the schema and table name (the pattern must match "schema.table" whole), or create the table first');
    }
  }
  const picked = all.filter((t) => (include.length === 0 || include.some((re) => re.test(tableName(t)))) && !exclude.some((re) => re.test(tableName(t))));
  if (picked.length === 0) throw new NilusError('SOURCE_TABLE_UNKNOWN', 'no table of the source matches table.include.list / table.exclude.list', 'create the tables or widen the lists');
  for (const t of picked) {
    if (t.replicaIdentity === 'n' || (t.replicaIdentity === 'd' && !(await hasPrimaryKey(client, t.oid)))) {
      log.warn(
        { table: tableName(t) },
        `table ${tableName(t)} has no primary key and REPLICA IDENTITY ${t.replicaIdentity === 'n' ? 'NOTHING' : 'DEFAULT'}: while it is published, PostgreSQL rejects UPDATE and DELETE on it. Nilus captures its inserts and truncates, and sinks append them. Add a primary key, or run ALTER TABLE ${qualified(t)} REPLICA IDENTITY FULL to capture updates and deletes too`,
      );
    }
  }
  return picked;
}

async function hasPrimaryKey(client: pg.Client, oid: number): Promise<boolean> {
  const { rowCount } = await client.query('SELECT 1 FROM pg_index WHERE indrelid = $1 AND indisprimary', [oid]);
  return (rowCount ?? 0) > 0;
}

/** Creates the publication, or makes it list exactly the captured tables. */
export async function ensurePublication(client: pg.Client, name: string, tables: CatalogTable[], mode: PgCaptureOptions['publication.autocreate.mode']): Promise<void> {
  const { rows } = await client.query<{ schema: string; table: string }>('SELECT schemaname AS schema, tablename AS table FROM pg_publication_tables WHERE pubname = $1', [name]);
  const exists = (await client.query('SELECT 1 FROM pg_publication WHERE pubname = $1', [name])).rowCount! > 0;
  if (mode === 'disabled') {
    if (!exists) throw new NilusError('SOURCE_NOT_CAPTURABLE', `publication ${name} does not exist and publication.autocreate.mode is disabled`, `create it: CREATE PUBLICATION ${quoteIdent(name)} FOR TABLE …`);
    return;
  }
  const list = tables.map(qualified).join(', ');
  const want = new Set(tables.map(tableName));
  const have = new Set(rows.map(tableName));
  try {
    if (!exists) await client.query(`CREATE PUBLICATION ${quoteIdent(name)} FOR TABLE ${list}`);
    else if (want.size !== have.size || [...want].some((t) => !have.has(t))) await client.query(`ALTER PUBLICATION ${quoteIdent(name)} SET TABLE ${list}`);
  } catch (e) {
    const err = e as { code?: string; message?: string };
    if (err.code === '42501') throw new NilusError('SOURCE_NOT_CAPTURABLE', `the source user may not create or change publication ${name}: ${err.message}`, 'create the publication as the tables\' owner and set publication.autocreate.mode: disabled, or grant ownership');
    throw e;
  }
}

export interface SlotInfo {
  confirmedFlush: string | null;
  active: boolean;
  walStatus: string | null;
}

export async function findSlot(client: pg.Client, slot: string): Promise<SlotInfo | null> {
  const { rows } = await client.query<{ confirmed_flush_lsn: string | null; active: boolean | string; wal_status: string | null; plugin: string; database: string }>(
    'SELECT confirmed_flush_lsn::text, active::text AS active, wal_status, plugin, database FROM pg_replication_slots WHERE slot_name = $1',
    [slot],
  );
  if (rows.length === 0) return null;
  const r = rows[0];
  if (r.plugin !== 'pgoutput') throw new NilusError('SOURCE_NOT_CAPTURABLE', `replication slot ${slot} exists but uses the ${r.plugin} plugin, Nilus needs pgoutput`, `drop it (SELECT pg_drop_replication_slot('${slot}')) or set slot.name to another name`);
  if (r.wal_status === 'lost') throw new NilusError('SOURCE_NOT_CAPTURABLE', `replication slot ${slot} has lost WAL it needed (max_slot_wal_keep_size was exceeded)`, `drop the slot (SELECT pg_drop_replication_slot('${slot}')) and restart the capture: it will take a new snapshot`);
  return { confirmedFlush: r.confirmed_flush_lsn, active: r.active === 'true', walStatus: r.wal_status };
}

/**
 * Creates the slot on a replication connection. With `exportSnapshot`, the
 * returned connection holds the exported snapshot open until it is closed:
 * import it (SET TRANSACTION SNAPSHOT) before closing.
 */
export async function createSlot(config: pg.ClientConfig, slot: string, exportSnapshot: boolean): Promise<{ consistentPoint: string; snapshotName: string | null; connection: pg.Client }> {
  const connection = new pg.Client({ ...config, replication: 'database' } as pg.ClientConfig);
  await connection.connect();
  const { rows } = await connection.query<{ consistent_point: string; snapshot_name: string | null }>(
    `CREATE_REPLICATION_SLOT ${quoteIdent(slot)} LOGICAL pgoutput ${exportSnapshot ? 'EXPORT_SNAPSHOT' : 'NOEXPORT_SNAPSHOT'}`,
  );
  return { consistentPoint: rows[0].consistent_point, snapshotName: rows[0].snapshot_name, connection };
}
