import type { ColumnSchema, LogicalType, ScalarType } from '../../shared/logical-types.js';

export const quoteIdent = (s: string) => '"' + s.replace(/"/g, '""') + '"';

/** Built-in types whose native name a Postgres→Postgres copy can reuse as it is (exact precision, lengths). */
const BUILTIN = /^(smallint|integer|bigint|real|double precision|numeric(\(\d+(,\d+)?\))?|boolean|text|character varying(\(\d+\))?|character(\(\d+\))?|bytea|uuid|jsonb?|date|time(\(\d\))? without time zone|timestamp(\(\d\))? without time zone|timestamp(\(\d\))? with time zone|time(\(\d\))? with time zone|interval( [a-z ]+)?(\(\d\))?|inet|cidr|macaddr8?|money|xml|tsvector|point|line|lseg|box|path|polygon|circle|bit(\(\d+\))?|bit varying(\(\d+\))?|oid|name|"char")(\[\])*$/;

/** The destination type of a column: the source's own when both ends are Postgres, else from the logical type. */
export function pgColumnType(c: ColumnSchema, sourceKind: string): string {
  if (sourceKind === 'postgres' && BUILTIN.test(c.nativeType)) return c.nativeType;
  return logicalToPg(c.type);
}

function logicalToPg(t: LogicalType): string {
  if (t.kind === 'array') return `${scalarToPg(t.of)}[]`;
  return scalarToPg(t);
}

function scalarToPg(t: ScalarType): string {
  switch (t.kind) {
    case 'bool':
      return 'boolean';
    case 'int16':
      return 'smallint';
    case 'int32':
      return 'integer';
    case 'int64':
      return 'bigint';
    case 'uint64':
      return 'numeric(20,0)';
    case 'float32':
      return 'real';
    case 'float64':
      return 'double precision';
    case 'decimal':
      return t.precision ? `numeric(${t.precision},${t.scale ?? 0})` : 'numeric';
    case 'bytes':
      return 'bytea';
    case 'uuid':
      return 'uuid';
    case 'json':
      return 'jsonb';
    case 'date':
      return 'date';
    case 'time':
      return 'time';
    case 'timestamp':
      return 'timestamp';
    case 'timestamptz':
      return 'timestamptz';
    case 'interval':
      return 'interval';
    default:
      return 'text'; // text, enum
  }
}
