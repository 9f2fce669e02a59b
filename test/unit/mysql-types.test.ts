import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ColumnSchema } from '../../shared/logical-types.js';
import { decodeMysqlValue, enumValues, intervalToMysqlTime, mysqlColumnSchema, mysqlLiteral, mysqlLogicalType, mysqlTimeToInterval, normaliseDecimal, type MysqlColumnInfo } from '../../shared/mysql/mysql-types.js';

// Column definitions and two rows as recorded from MariaDB 10.11: what zongji decoded from the
// binlog (with Nilus' connection options) and what the snapshot's text protocol returned.
const COLUMNS: [string, string, string, boolean?][] = [
  ['id', 'int', 'int(11)'],
  ['ti', 'tinyint', 'tinyint(4)'],
  ['tu', 'tinyint', 'tinyint(3) unsigned'],
  ['bu', 'bigint', 'bigint(20) unsigned'],
  ['bs', 'bigint', 'bigint(20)'],
  ['d65', 'decimal', 'decimal(65,30)'],
  ['f', 'float', 'float'],
  ['db', 'double', 'double'],
  ['b1', 'bit', 'bit(1)'],
  ['b10', 'bit', 'bit(10)'],
  ['bo', 'tinyint', 'tinyint(1)'],
  ['v', 'varchar', 'varchar(20)'],
  ['tx', 'text', 'text'],
  ['bin', 'binary', 'binary(4)'],
  ['vb', 'varbinary', 'varbinary(10)'],
  ['bl', 'blob', 'blob'],
  ['dt', 'date', 'date'],
  ['tm', 'time', 'time(6)'],
  ['dtm', 'datetime', 'datetime(6)'],
  ['ts', 'timestamp', 'timestamp(6)'],
  ['y', 'year', 'year(4)'],
  ['e', 'enum', "enum('a','b')"],
  ['s', 'set', "set('x','y','z')"],
  ['j', 'longtext', 'longtext', true],
];

const schema: ColumnSchema[] = COLUMNS.map(([name, dataType, columnType, isJson]) =>
  mysqlColumnSchema({ name, dataType, columnType, nullable: true, precision: dataType === 'decimal' ? 65 : null, scale: dataType === 'decimal' ? 30 : null, charLength: null, charset: null, isJson }),
);

const BINLOG_ROWS: Record<string, unknown>[] = [
  {
    id: 1, ti: -128, tu: 255, bu: '18446744073709551615', bs: '-9223372036854775808',
    d65: '-12345678901234567890123456789012345.123456789012345678901234567890', f: 3.402820018375656e38, db: 1.0000000000000002,
    b1: Buffer.from([1]), b10: Buffer.from([0x02, 0xaa]), bo: 1, v: 'emoji 😀', tx: 'x',
    bin: Buffer.from([0x61, 0x62, 0, 0]), vb: Buffer.from([0, 0xff]), bl: Buffer.from([1, 2]),
    dt: '2024-02-29', tm: '-838:59:59.000001', dtm: '2024-02-29 12:34:56.789012', ts: '2024-02-29 12:34:56.000001',
    y: 2024, e: 'b', s: 'x,z', j: '{"a": 1.000000000000000000001}',
  },
  {
    id: 2, ti: 0, tu: 0, bu: 0, bs: 0, d65: '0.500000000000000000000000000000', f: 0, db: 1e-300,
    b1: Buffer.from([0]), b10: Buffer.from([0, 0]), bo: 0, v: '', tx: '',
    bin: Buffer.from([0, 0, 0, 0]), vb: Buffer.alloc(0), bl: Buffer.alloc(0),
    dt: '0000-00-00', tm: '25:00:00.000000', dtm: '0000-00-00 00:00:00.000000', ts: '0000-00-00 00:00:00.000000',
    y: 1900, e: 'a', s: '', j: '[]',
  },
];

// The snapshot reads FLOAT as CAST(f AS DOUBLE) (the text protocol prints FLOAT with 6 digits), every value as raw bytes.
const SNAPSHOT_ROWS: (string | Buffer | null)[][] = [
  ['1', '-128', '255', '18446744073709551615', '-9223372036854775808', '-12345678901234567890123456789012345.123456789012345678901234567890', '3.402820018375656e38', '1.0000000000000002',
    Buffer.from([1]), Buffer.from([0x02, 0xaa]), '1', 'emoji 😀', 'x', Buffer.from('ab\0\0', 'latin1'), Buffer.from([0, 0xff]), Buffer.from([1, 2]),
    '2024-02-29', '-838:59:59.000001', '2024-02-29 12:34:56.789012', '2024-02-29 12:34:56.000001', '2024', 'b', 'x,z', '{"a": 1.000000000000000000001}'],
  ['2', '0', '0', '0', '0', '0.500000000000000000000000000000', '0', '1e-300',
    Buffer.from([0]), Buffer.from([0, 0]), '0', '', '', Buffer.from([0, 0, 0, 0]), Buffer.alloc(0), Buffer.alloc(0),
    '0000-00-00', '25:00:00.000000', '0000-00-00 00:00:00.000000', '0000-00-00 00:00:00.000000', '0000', 'a', '', '[]'],
];

const bytes = (...b: number[]) => new Uint8Array(b);

describe('MySQL values: snapshot and binlog agree', () => {
  const warnings: string[] = [];
  const ctx = { warn: (column: string) => warnings.push(column) };
  const fromBinlog = BINLOG_ROWS.map((r) => Object.fromEntries(schema.map((c) => [c.name, decodeMysqlValue(r[c.name], c, ctx)])));
  const fromSnapshot = SNAPSHOT_ROWS.map((r) => Object.fromEntries(schema.map((c, i) => [c.name, decodeMysqlValue(typeof r[i] === 'string' ? Buffer.from(r[i] as string) : r[i], c, ctx)])));

  it('gives identical values for the same rows', () => {
    assert.deepEqual(fromSnapshot, fromBinlog);
  });

  it('maps the edge row losslessly', () => {
    assert.deepEqual(fromBinlog[0], {
      id: 1, ti: -128, tu: 255, bu: 18446744073709551615n, bs: -9223372036854775808n,
      d65: '-12345678901234567890123456789012345.123456789012345678901234567890', f: Math.fround(3.40282e38), db: 1.0000000000000002,
      b1: true, b10: bytes(0x02, 0xaa), bo: 1, v: 'emoji 😀', tx: 'x', bin: bytes(0x61, 0x62, 0, 0), vb: bytes(0, 0xff), bl: bytes(1, 2),
      dt: '2024-02-29', tm: 'PT-838H-59M-59.000001S', dtm: '2024-02-29T12:34:56.789012', ts: '2024-02-29T12:34:56.000001Z',
      y: 2024, e: 'b', s: 'x,z', j: '{"a": 1.000000000000000000001}',
    });
  });

  it('turns zero dates into NULL in nullable columns (with a warning), >24h TIME into an interval, stored YEAR 0 into 0', () => {
    const r = fromBinlog[1];
    assert.equal(r.dt, null);
    assert.equal(r.dtm, null);
    assert.equal(r.ts, null);
    assert.equal(r.tm, 'PT25H');
    assert.equal(r.y, 0);
    assert.equal(r.bu, 0n);
    assert.ok(warnings.includes('dt') && warnings.includes('ts'));
  });

  it('turns a zero date in a NOT NULL column into the epoch', () => {
    const c = mysqlColumnSchema({ name: 'd', dataType: 'datetime', columnType: 'datetime', nullable: false, precision: null, scale: null, charLength: null, charset: null });
    assert.equal(decodeMysqlValue('0000-00-00 00:00:00', c), '1970-01-01T00:00:00');
    const d = mysqlColumnSchema({ name: 'd', dataType: 'date', columnType: 'date', nullable: false, precision: null, scale: null, charLength: null, charset: null });
    assert.equal(decodeMysqlValue('2024-00-10', d), '1970-01-01');
  });
});

describe('MySQL type mapping', () => {
  const t = (dataType: string, columnType: string, extra: Partial<MysqlColumnInfo> = {}) => mysqlLogicalType({ dataType, columnType, precision: null, scale: null, charLength: null, ...extra });
  it('widens unsigned integers and keeps BIGINT UNSIGNED as uint64', () => {
    assert.deepEqual(t('tinyint', 'tinyint(3) unsigned'), { kind: 'int16' });
    assert.deepEqual(t('smallint', 'smallint(5) unsigned'), { kind: 'int32' });
    assert.deepEqual(t('mediumint', 'mediumint(8) unsigned'), { kind: 'int32' });
    assert.deepEqual(t('int', 'int(10) unsigned'), { kind: 'int64' });
    assert.deepEqual(t('int', 'int(11)'), { kind: 'int32' });
    assert.deepEqual(t('bigint', 'bigint(20) unsigned'), { kind: 'uint64' });
    assert.deepEqual(t('bigint', 'bigint(20)'), { kind: 'int64' });
  });
  it('maps the rest', () => {
    assert.deepEqual(t('decimal', 'decimal(65,30)', { precision: 65, scale: 30 }), { kind: 'decimal', precision: 65, scale: 30 });
    assert.deepEqual(t('float', 'float'), { kind: 'float32' });
    assert.deepEqual(t('double', 'double'), { kind: 'float64' });
    assert.deepEqual(t('bit', 'bit(1)'), { kind: 'bool' });
    assert.deepEqual(t('bit', 'bit(10)'), { kind: 'bytes' });
    assert.deepEqual(t('tinyint', 'tinyint(1)'), { kind: 'int16' });
    assert.deepEqual(t('varchar', 'varchar(40)', { charLength: 40 }), { kind: 'text', length: 40 });
    assert.deepEqual(t('longtext', 'longtext', { isJson: true }), { kind: 'json' });
    assert.deepEqual(t('json', 'json'), { kind: 'json' });
    assert.deepEqual(t('varbinary', 'varbinary(10)'), { kind: 'bytes' });
    assert.deepEqual(t('time', 'time(6)'), { kind: 'interval' });
    assert.deepEqual(t('datetime', 'datetime(6)'), { kind: 'timestamp' });
    assert.deepEqual(t('timestamp', 'timestamp(6)'), { kind: 'timestamptz' });
    assert.deepEqual(t('year', 'year(4)'), { kind: 'int16' });
    assert.deepEqual(t('enum', "enum('a','it''s','c,d')"), { kind: 'enum', values: ['a', "it's", 'c,d'] });
    assert.deepEqual(t('set', "set('x','y')"), { kind: 'text' });
  });
  it('parses enum members with quotes and commas', () => {
    assert.deepEqual(enumValues("enum('','a b','x''y','p,q')"), ['', 'a b', "x'y", 'p,q']);
  });
});

describe('MySQL TIME ↔ interval', () => {
  it('converts both ways, negative and beyond 24 hours', () => {
    // [MySQL TIME, ISO interval, the TIME a MySQL sink writes back]
    for (const [time, iso, back] of [
      ['-838:59:59.000000', 'PT-838H-59M-59S', '-838:59:59'],
      ['838:59:59.999999', 'PT838H59M59.999999S', '838:59:59.999999'],
      ['00:00:00', 'PT0S', '00:00:00'],
      ['-00:00:00.000001', 'PT-0.000001S', '-00:00:00.000001'],
      ['25:00:00.5', 'PT25H0.5S', '25:00:00.500000'],
      ['01:02:03', 'PT1H2M3S', '01:02:03'],
    ]) {
      assert.equal(mysqlTimeToInterval(time), iso, time);
      assert.equal(intervalToMysqlTime(iso), back, iso);
    }
    assert.equal(intervalToMysqlTime('P1DT2H'), '26:00:00');
  });
});

describe('MySQL literals for key ranges', () => {
  const col = (dataType: string, columnType: string) => mysqlColumnSchema({ name: 'k', dataType, columnType, nullable: false, precision: 65, scale: 30, charLength: null, charset: null });
  it('writes numbers as digits, text and bytes as hex, times in MySQL form', () => {
    assert.equal(mysqlLiteral(18446744073709551615n, col('bigint', 'bigint unsigned')), '18446744073709551615');
    assert.equal(mysqlLiteral('-1.50', col('decimal', 'decimal(65,30)')), '-1.50');
    assert.equal(mysqlLiteral("it's 😀", col('varchar', 'varchar(10)')), `_utf8mb4 X'${Buffer.from("it's 😀").toString('hex')}'`);
    assert.equal(mysqlLiteral(new Uint8Array([0, 255]), col('varbinary', 'varbinary(4)')), "X'00ff'");
    assert.equal(mysqlLiteral('2024-02-29T12:00:00.5Z', col('timestamp', 'timestamp(6)')), `_utf8mb4 X'${Buffer.from('2024-02-29 12:00:00.5').toString('hex')}'`);
    assert.throws(() => mysqlLiteral('1; DROP TABLE x', col('int', 'int')));
  });
  it('normalises decimals without changing their scale', () => {
    assert.equal(normaliseDecimal('-0.00'), '0.00');
    assert.equal(normaliseDecimal('007.50'), '7.50');
    assert.equal(normaliseDecimal('-.5'), '-0.5');
  });
});
