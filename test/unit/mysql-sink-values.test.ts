import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { LogicalType } from '../../shared/logical-types.js';
import { planColumn, type MySqlDialect } from '../../sink/mysql/mysql-ddl.js';
import { isPermanentMySqlError, UnrepresentableValueError } from '../../sink/mysql/mysql-sink-errors.js';
import { literal, UNREPRESENTABLE } from '../../sink/mysql/mysql-values.js';

const maria: MySqlDialect = { flavor: 'mariadb', textCollation: 'utf8mb4_nopad_bin' };
const lit = (value: unknown, type: LogicalType) => literal(value, planColumn({ name: 'c', type, nullable: true, nativeType: '' }, undefined, maria));

describe('MySQL sink: portable value → SQL literal', () => {
  it('writes numbers exactly', () => {
    assert.equal(lit(-9223372036854775808n, { kind: 'int64' }), '-9223372036854775808');
    assert.equal(lit(18446744073709551615n, { kind: 'uint64' }), '18446744073709551615');
    assert.equal(lit(-32768, { kind: 'int16' }), '-32768');
    assert.equal(lit(1.0000000000000002, { kind: 'float64' }), '1.0000000000000002e+0');
    assert.equal(lit(3.40282347e38, { kind: 'float32' }), '3.40282347e+38');
    assert.equal(lit(5e-324, { kind: 'float64' }), '5e-324');
    assert.equal(lit('123456789012345678901234567890.0123456789', { kind: 'decimal', precision: 40, scale: 10 }), '123456789012345678901234567890.0123456789');
    assert.equal(lit('-0.5', { kind: 'decimal', precision: 5, scale: 2 }), '-0.5');
    // A decimal stored as text keeps every digit, and NaN.
    assert.equal(lit('NaN', { kind: 'decimal' }), "'NaN'");
    assert.equal(lit(true, { kind: 'bool' }), 'TRUE');
    assert.equal(lit(null, { kind: 'int32' }), 'NULL');
  });

  it('marks values MySQL cannot hold', () => {
    for (const [v, t] of [
      [NaN, { kind: 'float64' }],
      [Infinity, { kind: 'float32' }],
      [-Infinity, { kind: 'float64' }],
      ['NaN', { kind: 'decimal', precision: 10, scale: 2 }],
      ['-0043-03-15', { kind: 'date' }],
      ['0000-01-01', { kind: 'date' }],
      ['5874897-12-31', { kind: 'date' }],
      ['infinity', { kind: 'date' }],
      ['-infinity', { kind: 'timestamp' }],
      ['10000-01-01T00:00:00Z', { kind: 'timestamptz' }],
    ] as [unknown, LogicalType][]) {
      assert.equal(lit(v, t), UNREPRESENTABLE, `${String(v)} as ${t.kind}`);
    }
  });

  it('quotes text by doubling single quotes only (NO_BACKSLASH_ESCAPES), and writes bytes as hex', () => {
    assert.equal(lit("it's a \\ \"test\"\n✓", { kind: 'text' }), "'it''s a \\ \"test\"\n✓'");
    assert.equal(lit(new Uint8Array([0, 255, 16]), { kind: 'bytes' }), "X'00ff10'");
    assert.equal(lit(Buffer.alloc(0), { kind: 'bytes' }), "X''");
    assert.equal(lit('{"a": 1.000000000000000000001}', { kind: 'json' }), `'{"a": 1.000000000000000000001}'`);
  });

  it('writes dates, times and timestamps (timestamptz in UTC) to the microsecond', () => {
    assert.equal(lit('1900-02-28', { kind: 'date' }), "'1900-02-28'");
    assert.equal(lit('0001-01-01', { kind: 'date' }), "'0001-01-01'");
    assert.equal(lit('23:59:59.999999', { kind: 'time' }), "'23:59:59.999999'");
    assert.equal(lit('1969-12-31T23:59:59.000001', { kind: 'timestamp' }), "'1969-12-31 23:59:59.000001'");
    assert.equal(lit('2024-02-29T07:04:56.789012Z', { kind: 'timestamptz' }), "'2024-02-29 07:04:56.789012'");
    assert.equal(lit('9999-12-31T23:59:59Z', { kind: 'timestamptz' }), "'9999-12-31 23:59:59'");
  });

  it('writes arrays as JSON without losing anything', () => {
    assert.equal(lit(['a"b', 'c\\d', null, ''], { kind: 'array', of: { kind: 'text' } }), `'["a\\"b","c\\\\d",null,""]'`);
    assert.equal(lit([1, null, -3], { kind: 'array', of: { kind: 'int32' } }), "'[1,null,-3]'");
    assert.equal(lit([9223372036854775807n], { kind: 'array', of: { kind: 'int64' } }), "'[9223372036854775807]'");
    assert.equal(lit([NaN, 1.5, -Infinity], { kind: 'array', of: { kind: 'float64' } }), `'["NaN",1.5,"-Infinity"]'`);
    assert.equal(lit([[1, 2], [3, 4]], { kind: 'array', of: { kind: 'int32' } }), "'[[1,2],[3,4]]'");
    assert.equal(lit(['12.50', 'NaN'], { kind: 'array', of: { kind: 'decimal' } }), `'["12.50","NaN"]'`);
    assert.equal(lit([new Uint8Array([1, 2])], { kind: 'array', of: { kind: 'bytes' } }), `'["AQI="]'`);
    assert.equal(lit(["it's"], { kind: 'array', of: { kind: 'text' } }), `'["it''s"]'`);
  });
});

describe('MySQL sink: error classes', () => {
  it('parks rows the server rejects for good and retries outages', () => {
    for (const errno of [1406, 1264, 1366, 1292, 1048, 1062, 1452, 3819, 4025, 1690]) assert.equal(isPermanentMySqlError({ errno }), true, String(errno));
    for (const errno of [1205, 1213, 2013, 1040, 1146, 1054, 1142]) assert.equal(isPermanentMySqlError({ errno }), false, String(errno));
    assert.equal(isPermanentMySqlError(Object.assign(new Error('x'), { code: 'ECONNRESET' })), false);
    assert.equal(isPermanentMySqlError(new UnrepresentableValueError('NaN in a key')), true);
  });
});
