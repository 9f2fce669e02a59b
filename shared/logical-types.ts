/**
 * Portable logical types: every source maps its native types onto these and
 * every sink maps these onto its own, so a connector only knows its own side.
 *
 * Value representation inside a change (lossless by construction):
 * - bool → boolean; int16/int32 → number; int64/uint64 → bigint
 * - float32/float64 → number (NaN and ±Infinity survive msgpack float64)
 * - decimal → exact string ("12.50", "NaN"); text/enum/uuid → string
 * - json → the JSON text as the source stored it
 * - bytes → Uint8Array
 * - date → "YYYY-MM-DD" (ISO 8601, years beyond 9999 or before 0001 signed: "-0043-03-15"), "infinity"/"-infinity"
 * - time → "HH:MM:SS[.ffffff]"; timestamp → "YYYY-MM-DDTHH:MM:SS[.ffffff]"
 * - timestamptz → "YYYY-MM-DDTHH:MM:SS[.ffffff]Z" (always UTC)
 * - interval → ISO 8601 duration ("P1Y2M3DT4H5M6.5S")
 * - array<T> → array of T's representation (nested arrays for dimensions)
 */
export type ScalarType =
  | { kind: 'bool' }
  | { kind: 'int16' }
  | { kind: 'int32' }
  | { kind: 'int64' }
  | { kind: 'uint64' }
  | { kind: 'float32' }
  | { kind: 'float64' }
  | { kind: 'decimal'; precision?: number; scale?: number }
  | { kind: 'text'; length?: number }
  | { kind: 'bytes' }
  | { kind: 'uuid' }
  | { kind: 'json' }
  | { kind: 'date' }
  | { kind: 'time' }
  | { kind: 'timestamp' }
  | { kind: 'timestamptz' }
  | { kind: 'interval' }
  | { kind: 'enum'; values: string[] };

export type LogicalType = ScalarType | { kind: 'array'; of: ScalarType };

export type LogicalKind = LogicalType['kind'];

export interface ColumnSchema {
  name: string;
  type: LogicalType;
  nullable: boolean;
  /** The source's own type name (e.g. "character varying(40)"), for humans and same-engine sinks. */
  nativeType: string;
}

export interface TableSchema {
  schema: string;
  table: string;
  columns: ColumnSchema[];
  /** Primary-key (or replica-identity) column names, in key order; empty when the table has none. */
  primaryKey: string[];
  /** Bumped by the capture each time the shape of the table changes. */
  version: number;
}

export function describeType(t: LogicalType): string {
  switch (t.kind) {
    case 'array':
      return `array<${describeType(t.of)}>`;
    case 'decimal':
      return t.precision === undefined ? 'decimal' : `decimal(${t.precision},${t.scale ?? 0})`;
    default:
      return t.kind;
  }
}

/** Two schemas have the same shape when column names, types and key agree (version aside). */
export function sameShape(a: TableSchema, b: TableSchema): boolean {
  return (
    JSON.stringify([a.columns, a.primaryKey]) === JSON.stringify([b.columns, b.primaryKey])
  );
}
