import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decodePgText, encodePgText } from '../../shared/postgres/pg-text.js';
import type { LogicalType, ScalarType } from '../../shared/logical-types.js';

const arr = (of: ScalarType): LogicalType => ({ kind: 'array', of });

describe('decodePgText', () => {
  it('decodes int8 to bigint at both extremes', () => {
    assert.equal(decodePgText('9223372036854775807', { kind: 'int64' }), 9223372036854775807n);
    assert.equal(decodePgText('-9223372036854775808', { kind: 'int64' }), -9223372036854775808n);
  });

  it('decodes bool t/f', () => {
    assert.equal(decodePgText('t', { kind: 'bool' }), true);
    assert.equal(decodePgText('f', { kind: 'bool' }), false);
  });

  it('decodes hex bytea to a Buffer', () => {
    assert.deepEqual(decodePgText('\\x00ff', { kind: 'bytes' }), Buffer.from([0x00, 0xff]));
  });

  it('turns BC dates into astronomical years', () => {
    assert.equal(decodePgText('0044-03-15 BC', { kind: 'date' }), '-0043-03-15');
    assert.equal(decodePgText('0001-01-01 BC', { kind: 'date' }), '0000-01-01');
    assert.equal(decodePgText('2024-01-02', { kind: 'date' }), '2024-01-02');
  });

  it('turns a UTC timestamptz into ISO 8601 with Z, keeping microseconds', () => {
    assert.equal(decodePgText('2024-01-02 03:04:05.123456+00', { kind: 'timestamptz' }), '2024-01-02T03:04:05.123456Z');
    assert.equal(decodePgText('0044-03-15 10:00:00+00 BC', { kind: 'timestamptz' }), '-0043-03-15T10:00:00Z');
    assert.equal(decodePgText('2024-01-02 03:04:05', { kind: 'timestamp' }), '2024-01-02T03:04:05');
  });

  it('keeps infinity as is for dates and timestamps', () => {
    for (const kind of ['date', 'timestamp', 'timestamptz'] as const) {
      assert.equal(decodePgText('infinity', { kind }), 'infinity');
      assert.equal(decodePgText('-infinity', { kind }), '-infinity');
    }
  });

  it('decodes float NaN and infinities', () => {
    assert.ok(Number.isNaN(decodePgText('NaN', { kind: 'float64' })));
    assert.equal(decodePgText('Infinity', { kind: 'float64' }), Infinity);
    assert.equal(decodePgText('-Infinity', { kind: 'float32' }), -Infinity);
  });

  it('decodes text arrays with escaped quotes, backslashes, NULL and empty strings', () => {
    assert.deepEqual(decodePgText('{"a\\"b","c\\\\d",NULL,""}', arr({ kind: 'text' })), ['a"b', 'c\\d', null, '']);
    assert.deepEqual(decodePgText('{"NULL"}', arr({ kind: 'text' })), ['NULL']);
  });

  it('decodes int arrays, nested arrays and empty arrays element by element', () => {
    assert.deepEqual(decodePgText('{1,NULL,3}', arr({ kind: 'int64' })), [1n, null, 3n]);
    assert.deepEqual(decodePgText('{{1,2},{3,NULL}}', arr({ kind: 'int32' })), [[1, 2], [3, null]]);
    assert.deepEqual(decodePgText('{}', arr({ kind: 'int32' })), []);
    assert.deepEqual(decodePgText('{"0044-03-15 BC",2024-01-01}', arr({ kind: 'date' })), ['-0043-03-15', '2024-01-01']);
  });
});

describe('encodePgText', () => {
  it('encodes null and undefined as SQL NULL', () => {
    assert.equal(encodePgText(null, { kind: 'text' }), null);
    assert.equal(encodePgText(undefined, { kind: 'int64' }), null);
  });

  it('encodes bigint, bool and bytes', () => {
    assert.equal(encodePgText(-9223372036854775808n, { kind: 'int64' }), '-9223372036854775808');
    assert.equal(encodePgText(true, { kind: 'bool' }), 't');
    assert.equal(encodePgText(Buffer.from([0, 255]), { kind: 'bytes' }), '\\x00ff');
  });

  it('encodes float NaN and infinities in the server spelling', () => {
    assert.equal(encodePgText(NaN, { kind: 'float64' }), 'NaN');
    assert.equal(encodePgText(Infinity, { kind: 'float64' }), 'Infinity');
    assert.equal(encodePgText(-Infinity, { kind: 'float32' }), '-Infinity');
  });

  it('turns astronomical years back into BC notation', () => {
    assert.equal(encodePgText('-0043-03-15', { kind: 'date' }), '0044-03-15 BC');
    assert.equal(encodePgText('0000-01-01', { kind: 'date' }), '0001-01-01 BC');
    assert.equal(encodePgText('2024-01-02', { kind: 'date' }), '2024-01-02');
    assert.equal(encodePgText('infinity', { kind: 'date' }), 'infinity');
  });

  it('round-trips BC dates through decode and encode', () => {
    for (const text of ['0044-03-15 BC', '0001-01-01 BC', '4713-11-24 BC']) {
      assert.equal(encodePgText(decodePgText(text, { kind: 'date' }), { kind: 'date' }), text);
    }
  });

  it('encodes arrays with quoting, escaping, NULL and nesting that decode back to the same value', () => {
    const text = arr({ kind: 'text' });
    const value = ['a"b', 'c\\d', null, '', 'NULL', '{x,y}'];
    const encoded = encodePgText(value, text);
    assert.equal(encoded, '{"a\\"b","c\\\\d",NULL,"","NULL","{x,y}"}');
    assert.deepEqual(decodePgText(encoded!, text), value);

    const ints = arr({ kind: 'int64' });
    const nested = [[1n, null], [3n, 4n]];
    assert.deepEqual(decodePgText(encodePgText(nested, ints)!, ints), nested);
  });
});
