import type pg from 'pg';
import type { ColumnSchema, LogicalType, ScalarType, TableSchema } from '../logical-types.js';

/** One column as the catalog describes it, with domains resolved to their base type. */
interface CatalogColumn {
  name: string;
  native: string;
  notnull: boolean;
  typname: string;
  typtype: string;
  typcategory: string;
  typmod: number;
  elem_typname: string | null;
  elem_typtype: string | null;
  labels: string[] | null;
  elem_labels: string[] | null;
}

const COLUMNS_SQL = `
SELECT a.attname AS name,
       format_type(CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE a.atttypid END, CASE WHEN t.typtype = 'd' THEN t.typtypmod ELSE a.atttypmod END) AS native,
       a.attnotnull AS notnull,
       rt.typname, rt.typtype, rt.typcategory,
       CASE WHEN t.typtype = 'd' THEN t.typtypmod ELSE a.atttypmod END AS typmod,
       et.typname AS elem_typname, et.typtype AS elem_typtype,
       (SELECT array_agg(enumlabel ORDER BY enumsortorder) FROM pg_enum WHERE enumtypid = rt.oid) AS labels,
       (SELECT array_agg(enumlabel ORDER BY enumsortorder) FROM pg_enum WHERE enumtypid = et.oid) AS elem_labels
FROM pg_attribute a
JOIN pg_type t ON t.oid = a.atttypid
JOIN pg_type rt ON rt.oid = CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE a.atttypid END
LEFT JOIN pg_type et ON et.oid = rt.typelem AND rt.typcategory = 'A'
WHERE a.attrelid = $1 AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY a.attnum`;

const KEY_SQL = `
SELECT a.attname AS name
FROM pg_index i
JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)
WHERE i.indrelid = $1 AND (i.indisprimary OR (NOT EXISTS (SELECT 1 FROM pg_index p WHERE p.indrelid = $1 AND p.indisprimary) AND i.indisreplident))
ORDER BY array_position(i.indkey, a.attnum)`;

export interface CatalogTable {
  oid: number;
  schema: string;
  table: string;
  replicaIdentity: 'd' | 'n' | 'f' | 'i';
}

/** Tables of the database (no system schemas), for include/exclude matching. */
export async function listTables(client: pg.Client): Promise<CatalogTable[]> {
  const { rows } = await client.query<{ oid: number; schema: string; table: string; relreplident: CatalogTable['replicaIdentity'] }>(
    `SELECT c.oid::int AS oid, n.nspname AS schema, c.relname AS table, c.relreplident
     FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition
       AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%' AND n.nspname NOT LIKE 'pg_temp%'
     ORDER BY 2, 3`,
  );
  return rows.map((r) => ({ oid: r.oid, schema: r.schema, table: r.table, replicaIdentity: r.relreplident }));
}

export async function describeTable(client: pg.Client, t: { oid: number; schema: string; table: string }, version: number): Promise<TableSchema> {
  const [cols, keys] = await Promise.all([client.query<CatalogColumn>(COLUMNS_SQL, [t.oid]), client.query<{ name: string }>(KEY_SQL, [t.oid])]);
  const columns: ColumnSchema[] = cols.rows.map((c) => ({ name: c.name, type: logicalType(c), nullable: !c.notnull, nativeType: c.native }));
  return { schema: t.schema, table: t.table, columns, primaryKey: keys.rows.map((k) => k.name), version };
}

function logicalType(c: CatalogColumn): LogicalType {
  if (c.typcategory === 'A' && c.elem_typname) {
    return { kind: 'array', of: scalarType(c.elem_typname, c.elem_typtype ?? 'b', -1, c.elem_labels) };
  }
  return scalarType(c.typname, c.typtype, c.typmod, c.labels);
}

function scalarType(typname: string, typtype: string, typmod: number, labels: string[] | null): ScalarType {
  if (typtype === 'e') return { kind: 'enum', values: labels ?? [] };
  switch (typname) {
    case 'bool':
      return { kind: 'bool' };
    case 'int2':
      return { kind: 'int16' };
    case 'int4':
      return { kind: 'int32' };
    case 'int8':
    case 'oid':
      return { kind: 'int64' };
    case 'float4':
      return { kind: 'float32' };
    case 'float8':
      return { kind: 'float64' };
    case 'numeric':
      // typmod = ((precision << 16) | scale) + 4; -1 means unconstrained.
      return typmod < 4 ? { kind: 'decimal' } : { kind: 'decimal', precision: ((typmod - 4) >> 16) & 0xffff, scale: (typmod - 4) & 0xffff };
    case 'varchar':
    case 'bpchar':
      return typmod < 4 ? { kind: 'text' } : { kind: 'text', length: typmod - 4 };
    case 'bytea':
      return { kind: 'bytes' };
    case 'uuid':
      return { kind: 'uuid' };
    case 'json':
    case 'jsonb':
      return { kind: 'json' };
    case 'date':
      return { kind: 'date' };
    case 'time':
      return { kind: 'time' };
    case 'timestamp':
      return { kind: 'timestamp' };
    case 'timestamptz':
      return { kind: 'timestamptz' };
    case 'interval':
      return { kind: 'interval' };
    default:
      // text, name, citext, inet, money, timetz, xml, geometric types…: their text form is exact.
      return { kind: 'text' };
  }
}
