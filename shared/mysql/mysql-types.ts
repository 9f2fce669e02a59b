// MySQL / MariaDB column types ↔ Nilus logical types, and the value mapping
// shared by the snapshot (text protocol) and the binlog (zongji) so both give
// identical values for the same row.
import type { ColumnSchema, LogicalType } from '../logical-types.js';

/** One row of information_schema.COLUMNS, as the catalog query returns it. */
export interface MysqlColumnInfo {
  name: string;
  /** DATA_TYPE, lower case: "int", "varchar", "datetime"… */
  dataType: string;
  /** COLUMN_TYPE: "int(10) unsigned", "enum('a','b')", "decimal(65,30)"… */
  columnType: string;
  nullable: boolean;
  precision: number | null;
  scale: number | null;
  charLength: number | null;
  charset: string | null;
  /** MariaDB's JSON is LONGTEXT with a json_valid() check: the catalog query tells it apart. */
  isJson?: boolean;
}

/**
 * The logical type of a MySQL column. Choices that are not obvious:
 * - TINYINT(1) (what BOOL/BOOLEAN mean) stays int16: it can hold -128..127, so bool would lose values.
 * - BIT(1) is bool; BIT(n>1) is bytes, big-endian, ceil(n/8) long.
 * - Unsigned types widen to the next signed size; BIGINT UNSIGNED is uint64 (bigint values).
 * - TIME is an interval: MySQL's TIME is a duration (-838:59:59.999999 … 838:59:59.999999).
 * - DATETIME is timestamp (no zone); TIMESTAMP is timestamptz (stored UTC by MySQL, read in UTC).
 * - YEAR is int16. SET is text (comma-separated members, as MySQL prints it).
 * - MariaDB UUID/INET4/INET6 are text.
 */
export function mysqlLogicalType(c: Pick<MysqlColumnInfo, 'dataType' | 'columnType' | 'precision' | 'scale' | 'charLength' | 'isJson'>): LogicalType {
  const unsigned = /\bunsigned\b/i.test(c.columnType);
  switch (c.dataType.toLowerCase()) {
    case 'tinyint':
      return { kind: 'int16' };
    case 'smallint':
      return unsigned ? { kind: 'int32' } : { kind: 'int16' };
    case 'mediumint':
      return { kind: 'int32' };
    case 'int':
    case 'integer':
      return unsigned ? { kind: 'int64' } : { kind: 'int32' };
    case 'bigint':
      return unsigned ? { kind: 'uint64' } : { kind: 'int64' };
    case 'decimal':
    case 'numeric':
    case 'fixed':
      return { kind: 'decimal', precision: c.precision ?? 10, scale: c.scale ?? 0 };
    case 'float':
      return { kind: 'float32' };
    case 'double':
    case 'real':
    case 'double precision':
      return { kind: 'float64' };
    case 'bit':
      return bitWidth(c.columnType) === 1 ? { kind: 'bool' } : { kind: 'bytes' };
    case 'bool':
    case 'boolean':
      return { kind: 'int16' };
    case 'char':
    case 'varchar':
      return c.charLength != null ? { kind: 'text', length: c.charLength } : { kind: 'text' };
    case 'tinytext':
    case 'text':
    case 'mediumtext':
    case 'longtext':
      return c.isJson ? { kind: 'json' } : { kind: 'text' };
    case 'json':
      return { kind: 'json' };
    case 'date':
      return { kind: 'date' };
    case 'time':
      return { kind: 'interval' };
    case 'datetime':
      return { kind: 'timestamp' };
    case 'timestamp':
      return { kind: 'timestamptz' };
    case 'year':
      return { kind: 'int16' };
    case 'enum':
      return { kind: 'enum', values: enumValues(c.columnType) };
    case 'set':
      return { kind: 'text' };
    case 'uuid':
      return { kind: 'uuid' };
    default:
      // BINARY, VARBINARY and the BLOBs are bytes, and so is geometry (WKB: WKT is not supported yet);
      // inet4/inet6 and the rest are text, the honest fallback.
      return isBinaryFamily(c.dataType) ? { kind: 'bytes' } : { kind: 'text' };
  }
}

/** BINARY, VARBINARY, the BLOBs and the geometry types: a DATA_TYPE whose values are bytes. */
export function isBinaryFamily(t: string): boolean {
  return /blob|binary|geometry|point|polygon|linestring/i.test(t);
}

export function bitWidth(columnType: string): number {
  const m = /^bit\((\d+)\)/i.exec(columnType);
  return m ? Number(m[1]) : 1;
}

/** The member list of "enum('a','b''c')" or "set(...)", unquoted. */
export function enumValues(columnType: string): string[] {
  const open = columnType.indexOf('(');
  const body = columnType.slice(open + 1, columnType.lastIndexOf(')'));
  const out: string[] = [];
  const re = /'((?:[^'\\]|''|\\.)*)'/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(body))) out.push(m[1].replace(/''/g, "'").replace(/\\(.)/g, '$1'));
  return out;
}

export function mysqlColumnSchema(c: MysqlColumnInfo): ColumnSchema {
  return { name: c.name, type: mysqlLogicalType(c), nullable: c.nullable, nativeType: c.isJson ? 'json' : c.columnType };
}

/** What a zero or partly-zero date ('0000-00-00', '2024-00-10') becomes; see {@link decodeMysqlValue}. */
export const ZERO_DATE_SENTINEL = { date: '1970-01-01', timestamp: '1970-01-01T00:00:00', timestamptz: '1970-01-01T00:00:00Z' } as const;

export interface DecodeContext {
  /** Called once per value that could not be represented and was replaced (zero dates). */
  warn?(column: string, raw: string, replacement: unknown): void;
}

/**
 * A value as read by the snapshot (the text protocol gives text, binary columns a Buffer)
 * or from the binlog (zongji: numbers, strings, Buffers) → the logical representation.
 *
 * Zero dates ('0000-00-00', '0000-00-00 00:00:00', or a zero month/day) have no
 * value in any other database: they become NULL in a nullable column and the
 * Unix epoch (1970-01-01) in a NOT NULL one, with a warning — Debezium's rule.
 */
export function decodeMysqlValue(v: unknown, col: ColumnSchema, ctx: DecodeContext = {}): unknown {
  if (v === null || v === undefined) return null;
  const t = col.type;
  switch (t.kind) {
    case 'int16':
    case 'int32': {
      // YEAR: zongji reads a stored 0 (year 0000) as 1900, a year MySQL cannot hold.
      if (/^year/i.test(col.nativeType) && Number(v) === 1900) return 0;
      return Number(text(v));
    }
    case 'int64':
    case 'uint64':
      return BigInt(typeof v === 'number' ? v : text(v));
    case 'float32':
      return Math.fround(Number(text(v)));
    case 'float64':
      return Number(text(v));
    case 'decimal':
      return normaliseDecimal(text(v));
    case 'bool':
      return Buffer.isBuffer(v) || v instanceof Uint8Array ? v.some((b) => b !== 0) : Boolean(Number(v));
    case 'bytes':
      return toBytes(v, col);
    case 'date':
      return zeroDate(text(v).slice(0, 10), col, ctx) ?? null;
    case 'timestamp':
    case 'timestamptz': {
      const s = text(v);
      const zeroed = zeroDate(s.slice(0, 10), col, ctx);
      if (zeroed === undefined) return null;
      if (zeroed !== s.slice(0, 10)) return zeroed;
      return normaliseDateTime(s) + (t.kind === 'timestamptz' ? 'Z' : '');
    }
    case 'interval':
      return mysqlTimeToInterval(text(v));
    case 'enum':
    case 'text':
    case 'uuid':
    case 'json':
      return text(v);
    default:
      return text(v);
  }
}

function text(v: unknown): string {
  if (typeof v === 'string') return v;
  if (Buffer.isBuffer(v)) return v.toString('utf8');
  if (v instanceof Uint8Array) return Buffer.from(v).toString('utf8');
  return String(v);
}

function toBytes(v: unknown, col: ColumnSchema): Uint8Array {
  let b: Buffer;
  if (Buffer.isBuffer(v)) b = v;
  else if (v instanceof Uint8Array) b = Buffer.from(v);
  else b = Buffer.from(String(v), 'utf8');
  // BIT(n): always ceil(n/8) bytes, big-endian, whatever the reader trimmed.
  if (/^bit/i.test(col.nativeType)) {
    const width = Math.ceil(bitWidth(col.nativeType) / 8);
    if (b.length < width) b = Buffer.concat([Buffer.alloc(width - b.length), b]);
  }
  return new Uint8Array(b.buffer, b.byteOffset, b.length);
}

/** Canonical decimal text: no '+', no superfluous leading zeros, '-0.00' → '0.00'; trailing zeros (the scale) kept. */
export function normaliseDecimal(s: string): string {
  let out = s.trim();
  const neg = out.startsWith('-');
  if (neg || out.startsWith('+')) out = out.slice(1);
  out = out.replace(/^0+(?=\d)/, '');
  if (out.startsWith('.')) out = '0' + out;
  if (neg && /[1-9]/.test(out)) out = '-' + out;
  return out;
}

/** The date part if it is a real date, the sentinel for a NOT NULL zero date, undefined for NULL. */
function zeroDate(date: string, col: ColumnSchema, ctx: DecodeContext): string | undefined {
  if (!/^\d{4}-00-|-00$|^0000-/.test(date)) return date;
  const kind = col.type.kind as 'date' | 'timestamp' | 'timestamptz';
  const replacement = col.nullable ? undefined : ZERO_DATE_SENTINEL[kind];
  ctx.warn?.(col.name, date, replacement ?? null);
  return replacement;
}

/** "2024-02-29 12:34:56.789000" → "2024-02-29T12:34:56.789": fraction without trailing zeros. */
export function normaliseDateTime(s: string): string {
  const [date, time = '00:00:00'] = s.trim().split(/[ T]/);
  return `${date}T${trimFraction(time)}`;
}

function trimFraction(t: string): string {
  const dot = t.indexOf('.');
  if (dot < 0) return t;
  const frac = t.slice(dot + 1).replace(/0+$/, '');
  return frac ? `${t.slice(0, dot)}.${frac}` : t.slice(0, dot);
}

/**
 * MySQL TIME text ("-838:59:59.000001", "25:00:00") → ISO 8601 duration with
 * per-field signs, as PostgreSQL reads it: "PT-838H-59M-59.000001S", "PT25H".
 */
export function mysqlTimeToInterval(s: string): string {
  const m = /^(-)?(\d+):(\d{2}):(\d{2})(?:\.(\d+))?$/.exec(s.trim());
  if (!m) throw new Error(`not a MySQL TIME value: "${s}"`);
  const sign = m[1] ? '-' : '';
  const h = Number(m[2]);
  const min = Number(m[3]);
  const frac = (m[5] ?? '').replace(/0+$/, '');
  const sec = frac ? `${Number(m[4])}.${frac}` : String(Number(m[4]));
  let out = 'PT';
  if (h) out += `${sign}${h}H`;
  if (min) out += `${sign}${min}M`;
  if (sec !== '0' || out === 'PT') out += `${sec === '0' ? '' : sign}${sec}S`;
  return out;
}

/** Inverse of {@link mysqlTimeToInterval} for the forms it produces (and plain "PnDTnHnMnS"), for a MySQL sink. */
export function intervalToMysqlTime(iso: string): string {
  const m = /^(-)?P(?:(-?\d+)D)?(?:T(?:(-?\d+)H)?(?:(-?\d+)M)?(?:(-?\d+(?:\.\d+)?)S)?)?$/.exec(iso.trim());
  if (!m) throw new Error(`not an ISO 8601 day-time duration: "${iso}"`);
  const outer = m[1] ? -1n : 1n;
  const micros =
    outer *
    (BigInt(m[2] ?? 0) * 86_400_000_000n +
      BigInt(m[3] ?? 0) * 3_600_000_000n +
      BigInt(m[4] ?? 0) * 60_000_000n +
      secondsToMicros(m[5] ?? '0'));
  const neg = micros < 0n;
  let u = neg ? -micros : micros;
  const frac = u % 1_000_000n;
  u /= 1_000_000n;
  const s = u % 60n;
  u /= 60n;
  const min = u % 60n;
  const h = u / 60n;
  const pad = (n: bigint) => n.toString().padStart(2, '0');
  return `${neg ? '-' : ''}${pad(h)}:${pad(min)}:${pad(s)}${frac ? '.' + frac.toString().padStart(6, '0') : ''}`;
}

function secondsToMicros(s: string): bigint {
  const neg = s.startsWith('-');
  const [i, f = ''] = (neg ? s.slice(1) : s).split('.');
  const v = BigInt(i) * 1_000_000n + BigInt((f + '000000').slice(0, 6));
  return neg ? -v : v;
}

/**
 * A SQL literal for a logical value in a column of this type, for key ranges
 * and sinks. Strings and bytes go as hex literals (no escaping, whatever the
 * sql_mode); numbers as digits; temporal values in MySQL's text form (UTC for
 * timestamptz, which is what Nilus' sessions use).
 */
export function mysqlLiteral(v: unknown, col: ColumnSchema): string {
  if (v === null || v === undefined) return 'NULL';
  const t = col.type;
  switch (t.kind) {
    case 'int16':
    case 'int32':
    case 'int64':
    case 'uint64':
    case 'decimal': {
      const s = String(v);
      if (!/^-?\d+(\.\d+)?$/.test(s)) throw new Error(`not a number: ${s}`);
      return s;
    }
    case 'float32':
    case 'float64': {
      const n = Number(v);
      if (!Number.isFinite(n)) throw new Error(`MySQL has no ${n} for ${col.name}`);
      return n.toExponential(17).replace('e+', 'e');
    }
    case 'bool':
      return v ? "b'1'" : "b'0'";
    case 'bytes': {
      const b = v instanceof Uint8Array ? Buffer.from(v.buffer, v.byteOffset, v.length) : Buffer.from(String(v));
      return b.length ? `X'${b.toString('hex')}'` : "''";
    }
    case 'timestamp':
    case 'timestamptz':
      return hexText(String(v).replace('T', ' ').replace(/Z$/, ''));
    case 'interval':
      return hexText(intervalToMysqlTime(String(v)));
    default:
      return hexText(String(v));
  }
}

function hexText(s: string): string {
  return s.length ? `_utf8mb4 X'${Buffer.from(s, 'utf8').toString('hex')}'` : "''";
}
