import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import type { Change } from '../../shared/envelope.js';
import type { ColumnSchema, LogicalType, TableSchema } from '../../shared/logical-types.js';
import { algorithmNames, createMasker, createPrf, memorySequentialStore, settingsFromConfig, type SequentialStore } from '../../shared/masking/index.js';
import { people } from '../support/masking-fixtures.js';
import { seededRandom, Sfc32, unitFromHex, unitFromWords, wordsOf } from '../../shared/masking/prf.js';

const SALT = 'unit-test-salt-0123456789';
const NATIVE: Record<string, string> = { int16: 'smallint', int32: 'integer', int64: 'bigint', float32: 'real', float64: 'double precision', decimal: 'numeric', text: 'text', date: 'date', timestamp: 'timestamp without time zone', timestamptz: 'timestamp with time zone', bool: 'boolean', uuid: 'uuid', json: 'jsonb', bytes: 'bytea', enum: 'mood', time: 'time without time zone', interval: 'interval', array: 'text[]', uint64: 'numeric(20,0)' };

function table(type: LogicalType, opts: { key?: boolean; nativeType?: string } = {}): TableSchema {
  const cols: ColumnSchema[] = [
    { name: 'id', type: { kind: 'int32' }, nullable: false, nativeType: 'integer' },
    { name: 'c', type, nullable: true, nativeType: opts.nativeType ?? NATIVE[type.kind] },
  ];
  return { schema: 's', table: 't', version: 1, primaryKey: opts.key ? ['c'] : ['id'], columns: cols };
}

/** A masker of one column `s.t.c` of `type` with `spec`. */
function one(spec: string, type: LogicalType, opts: { key?: boolean; salt?: string; store?: SequentialStore; nativeType?: string } = {}) {
  const m = createMasker({ ...settingsFromConfig({ 's.t': { c: spec } }, opts.salt ?? SALT), sequentialStore: opts.store ?? memorySequentialStore() });
  const t = table(type, opts);
  const column = m.schema(t).columns[1];
  return {
    column,
    async mask(v: unknown): Promise<unknown> {
      const ch: Change = { op: 'c', pos: '1', after: { id: 1, c: v } };
      await m.maskChange(t, ch);
      return ch.after!.c;
    },
  };
}

const text: LogicalType = { kind: 'text' };
const sha = (s: string) => createHash('sha256').update(s).digest('hex');
const cpLen = (s: string) => Array.from(s).length;
const LONG = 'x'.repeat(100_000) + '😀' + 'y'.repeat(50_000);

describe('masking: PRF', () => {
  it('is HMAC-SHA256, for short, unicode and long messages', () => {
    const prf = createPrf(SALT);
    for (const m of ['', 'abc', 'jörg 😀 müller', 'z'.repeat(5000), LONG]) assert.equal(prf.hex(m), createHmac('sha256', SALT).update(m).digest('hex'));
    const longKey = 'k'.repeat(100);
    assert.equal(createPrf(longKey).hex('v'), createHmac('sha256', longKey).update('v').digest('hex'));
  });

  it('wordsAfter is HMAC-SHA256 of prefix + value as big-endian words, on every path (ASCII, UTF-8, lone surrogates, past one block)', () => {
    const hexOf = (w: Int32Array) => Array.from(w, (x) => (x >>> 0).toString(16).padStart(8, '0')).join('');
    for (const key of [SALT, '', 'k'.repeat(64), 'k'.repeat(100)]) {
      const prf = createPrf(key);
      for (const prefix of ['', 'noise|c|', 'ü|', 'p'.repeat(60)]) {
        const words = prf.wordsAfter!(prefix);
        const plain = wordsOf({ hex: (m) => prf.hex(m) }, prefix);
        for (let n = 0; n <= 60; n++) {
          for (const value of ['a'.repeat(n), 'ü'.repeat(n), '😀'.repeat(n >> 1), 'x'.repeat(n) + '\uD800']) {
            const want = createHmac('sha256', key).update(prefix + value).digest('hex');
            assert.equal(hexOf(words(value)), want, `${JSON.stringify(key)} ${JSON.stringify(prefix)} ${JSON.stringify(value)}`);
            assert.equal(hexOf(plain(value)), want);
          }
        }
      }
    }
  });

  it('numbers from words are the numbers from hex', () => {
    const prf = createPrf(SALT);
    for (let i = 0; i < 200; i++) {
      const hex = prf.hex(String(i));
      const w = prf.wordsAfter!('')(String(i));
      assert.equal(unitFromWords(w), unitFromHex(hex));
      const [a, b] = [new Sfc32().seedFromWords(w), seededRandom(hex)];
      for (let k = 0; k < 5; k++) assert.equal(a.next(), b());
    }
  });
});

describe('masking: irreversible', () => {
  it('hash and sha256 are SHA-256 hex of the value; the column becomes text when it was not', async () => {
    for (const alg of ['hash', 'sha256']) {
      const m = one(alg, text);
      assert.equal(await m.mask('abc'), sha('abc'));
      assert.equal(await m.mask(''), sha(''));
      assert.equal(await m.mask('jörg 😀'), sha('jörg 😀'));
      assert.equal(await m.mask(LONG), sha(LONG));
      assert.deepEqual(m.column.type, { kind: 'text' });
    }
    const n = one('hash', { kind: 'int64' });
    assert.equal(await n.mask(-42n), sha('-42'));
    assert.deepEqual([n.column.type, n.column.nativeType], [{ kind: 'text' }, 'text']);
    assert.equal((n.column as unknown as { mask: { algorithm: string } }).mask.algorithm, 'hash', 'the schema says the column is masked');
    const short = one('hash', { kind: 'text', length: 10 }, { nativeType: 'character varying(10)' });
    assert.equal(short.column.nativeType, 'text', 'a varchar too short for 64 hex digits becomes text');
    const dec = one('sha256', { kind: 'decimal' });
    assert.equal(await dec.mask('123456789012345678901234567890.0123456789'), sha('123456789012345678901234567890.0123456789'));
  });

  it('md5, hmac and redact', async () => {
    assert.equal(await one('md5', text).mask('abc'), createHash('md5').update('abc').digest('hex'));
    const key = 'hmac-key-from-a-secret-file';
    assert.equal(await one(`hmac:${key}`, text).mask('abc'), createHmac('sha256', key).update('abc').digest('hex'));
    assert.equal(await one(`hmac:${key}`, text).mask(''), createHmac('sha256', key).update('').digest('hex'));
    assert.equal(await one('redact', text).mask('secret'), 'REDACTED');
    assert.equal(one('redact', { kind: 'text', length: 4 }, { nativeType: 'character varying(4)' }).column.nativeType, 'text');
    const r = one('redact', { kind: 'int32' });
    assert.equal(await r.mask(-5), 'REDACTED');
    assert.equal(r.column.type.kind, 'text');
  });
});

describe('masking: format-preserving', () => {
  it('email keeps first and last character of the local part and the domain', async () => {
    const m = one('email', { kind: 'text', length: 40 }, { nativeType: 'character varying(40)' });
    assert.equal(m.column.nativeType, 'character varying(40)', 'same length: the type stays');
    assert.equal(await m.mask('alice.smith@example.com'), 'a*********h@example.com');
    assert.equal(await m.mask('ab@x.io'), 'a*@x.io');
    assert.equal(await m.mask('a@x.io'), 'a@x.io');
    assert.equal(await m.mask('@x.io'), '@x.io');
    assert.equal(await m.mask(''), '');
    assert.equal(await m.mask('jörg.müller@bücher.de'), 'j*********r@bücher.de');
    assert.equal(await m.mask('😀abc😀@e.com'), '😀***😀@e.com');
    assert.equal(await m.mask('no-at-sign'), 'n********n');
    const long = 'a'.repeat(10_000) + '@x.io';
    assert.equal(cpLen((await m.mask(long)) as string), cpLen(long));
  });

  it('phone keeps the country and area code and the layout', async () => {
    const m = one('phone', text);
    assert.equal(await m.mask('+1 (415) 555-2671'), '+1 (415) ***-****');
    assert.equal(await m.mask('+14155552671'), '+1415*******');
    assert.equal(await m.mask('+44 20 7946 0958'), '+44 20 **** ****');
    assert.equal(await m.mask('+353 1 234 5678'), '+353 1 *** ****');
    assert.equal(await m.mask('0049 30 1234567'), '0049 30 *******');
    assert.equal(await m.mask('(415) 555-2671'), '(415) ***-****');
    assert.equal(await m.mask('020 7946 0958'), '020 **** ****');
    assert.equal(await m.mask(''), '');
    assert.equal(await m.mask('unknown'), 'unknown');
  });

  it('credit_card and ssn keep the last 4 digits', async () => {
    assert.equal(await one('credit_card', text).mask('4111 1111 1111 1234'), '**** **** **** 1234');
    assert.equal(await one('credit_card', text).mask('4111-1111-1111-1234'), '****-****-****-1234');
    assert.equal(await one('credit_card', text).mask('123'), '123');
    assert.equal(await one('ssn', text).mask('123-45-6789'), '***-**-6789');
    assert.equal(await one('ssn', text).mask(''), '');
    const num = one('credit_card', { kind: 'decimal', precision: 16, scale: 0 });
    assert.equal(await num.mask('4111111111111234'), '************1234');
    assert.equal(num.column.type.kind, 'text', 'a number column becomes text');
  });
});

describe('masking: partial', () => {
  it('partial:N keeps the first and last N characters; short values keep only their first third', async () => {
    const m = one('partial:2', text);
    assert.equal(await m.mask('Alexander'), 'Al*****er');
    assert.equal(await m.mask('abcd'), 'a***');
    assert.equal(await m.mask('ab'), '**');
    assert.equal(await m.mask(''), '');
    assert.equal(await m.mask('😀😀😀😀😀😀'), '😀😀**😀😀');
    const long = (await m.mask(LONG)) as string;
    assert.equal(cpLen(long), cpLen(LONG));
    assert.ok(long.startsWith('xx*') && long.endsWith('*yy'));
  });

  it('first_letter, stars (same length, unicode counted by characters) and fixed', async () => {
    assert.equal(await one('first_letter', text).mask('Zoë'), 'Z**');
    assert.equal(await one('first_letter', text).mask(''), '');
    assert.equal(await one('stars', text).mask('日本語😀'), '****');
    assert.equal(await one('stars', text).mask(''), '');
    assert.equal(await one('fixed:anonymous', text).mask('bob'), 'anonymous');
    const i = one('fixed:-7', { kind: 'int64' });
    assert.equal(await i.mask(99n), -7n);
    assert.equal(i.column.type.kind, 'int64');
    assert.equal(await one('fixed:1900-01-01', { kind: 'date' }).mask('1850-05-05'), '1900-01-01');
    assert.equal(await one('fixed:0.10', { kind: 'decimal' }).mask('12.5'), '0.10');
    assert.throws(() => one('fixed:70000', { kind: 'int16' }), /out of range for int16/);
    assert.throws(() => one('fixed:yesterday', { kind: 'date' }), /not a valid date/);
    assert.throws(() => one('fixed:angry', { kind: 'enum', values: ['sad', 'ok'] }), /not a label/);
  });
});

describe('masking: tokens', () => {
  it('uuid: the same input gives the same UUID, on every instance and in every column; the salt matters', async () => {
    const a = one('uuid', text);
    const b = one('uuid', { kind: 'int64' });
    const u = await a.mask('42');
    assert.match(u as string, /^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.equal(await one('uuid', text).mask('42'), u);
    assert.equal(await b.mask(42n), u, 'a masked key and a masked foreign key still join');
    assert.notEqual(await one('uuid', text, { salt: 'another-salt-0123456789' }).mask('42'), u);
    assert.notEqual(await a.mask('43'), u);
    assert.equal(a.column.type.kind, 'uuid');
    assert.equal(b.column.nativeType, 'uuid');
  });

  it('sequential: 1, 2, 3 per distinct value, agreed by every masker sharing the store', async () => {
    const store = memorySequentialStore();
    const a = one('sequential', text, { store });
    assert.deepEqual([await a.mask('x'), await a.mask('y'), await a.mask('x'), await a.mask(''), await a.mask('😀')], [1n, 2n, 1n, 3n, 4n]);
    const b = one('sequential', text, { store });
    assert.deepEqual([await b.mask('😀'), await b.mask('y'), await b.mask('z')], [4n, 2n, 5n]);
    assert.equal(a.column.type.kind, 'int64');
    const scoped = one('sequential:customer', text, { store });
    assert.equal(await scoped.mask('x'), 1n, 'a named scope counts on its own');
  });

  it('random keeps type, sign and digits of integers, within the type', async () => {
    const m = one('random', { kind: 'int32' });
    const r = (await m.mask(-4567)) as number;
    assert.ok(Number.isInteger(r) && r <= -1000 && r >= -9999, String(r));
    assert.equal(await m.mask(-4567), r, 'deterministic');
    assert.equal(m.column.type.kind, 'int32');
    const small = one('random', { kind: 'int16' });
    const s = (await small.mask(32000)) as number;
    assert.ok(s >= 10000 && s <= 32767);
    const big = one('random', { kind: 'int64' });
    const bv = (await big.mask(9223372036854775807n)) as bigint;
    assert.equal(typeof bv, 'bigint');
    assert.ok(bv >= 10n ** 18n && bv <= 9223372036854775807n);
    assert.ok(((await big.mask(0n)) as bigint) >= 0n);
  });

  it('random on decimals beyond double precision keeps integer digits and scale exactly', async () => {
    const m = one('random', { kind: 'decimal', precision: 40, scale: 10 });
    const v = '123456789012345678901234567890.0123456789';
    const r = (await m.mask(v)) as string;
    assert.match(r, /^\d{30}\.\d{10}$/);
    assert.notEqual(r, v);
    assert.equal(await m.mask(v), r);
    assert.match((await m.mask('-0.000000000000000000000000001')) as string, /^-0\.\d{27}$/);
    assert.equal(await m.mask('NaN'), 'NaN');
  });

  it('random on text, floats, booleans, dates, timestamps, enums, uuids and bytes keeps the type and shape', async () => {
    const t = (await one('random', text).mask('Hello, Wörld 42!')) as string;
    assert.match(t, /^[A-Z][a-z]{4}, [A-Z][a-z]{4} \d{2}!$/);
    assert.equal(await one('random', text).mask(''), '');
    assert.equal(cpLen((await one('random', text).mask(LONG)) as string), cpLen(LONG));
    const f = (await one('random', { kind: 'float64' }).mask(-123.4)) as number;
    assert.ok(f < 0 && f > -1000);
    assert.ok(Number.isNaN(await one('random', { kind: 'float64' }).mask(NaN)));
    assert.equal(typeof (await one('random', { kind: 'bool' }).mask(true)), 'boolean');
    const d = (await one('random', { kind: 'date' }).mask('1850-02-28')) as string;
    assert.match(d, /^(19|20)\d\d-\d\d-\d\d$/);
    assert.equal(await one('random', { kind: 'date' }).mask('infinity'), 'infinity');
    assert.match((await one('random', { kind: 'timestamptz' }).mask('2024-02-29T12:34:56.789012Z')) as string, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    assert.match((await one('random', { kind: 'timestamp' }).mask('1969-12-31T23:59:59')) as string, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/);
    assert.ok(['sad', 'ok', 'happy'].includes((await one('random', { kind: 'enum', values: ['sad', 'ok', 'happy'] }).mask('ok')) as string));
    assert.match((await one('random', { kind: 'uuid' }).mask('6f1c0c52-94a6-4b47-9d0c-1f1d8f7e9d11')) as string, /^[0-9a-f-]{36}$/);
    const bytes = (await one('random', { kind: 'bytes' }).mask(new Uint8Array([1, 2, 3]))) as Uint8Array;
    assert.equal(bytes.length, 3);
    assert.throws(() => one('random', { kind: 'json' }), /random does not apply to json/);
  });
});

describe('masking: numeric', () => {
  it('round:N keeps the type, rounds half away from zero and stays inside the type', async () => {
    const m = one('round:100', { kind: 'int32' });
    assert.deepEqual([await m.mask(1234), await m.mask(1250), await m.mask(-1250), await m.mask(0)], [1200, 1300, -1300, 0]);
    assert.equal(await one('round:1000', { kind: 'int16' }).mask(32767), 32000);
    assert.equal(await one('round:5000', { kind: 'int64' }).mask(-9223372036854775807n), -9223372036854775000n);
    assert.equal(await one('round:10', { kind: 'int64' }).mask(9223372036854775807n), 9223372036854775800n, 'rounding up would overflow bigint');
    assert.equal(await one('round:0.5', { kind: 'float64' }).mask(1.3), 1.5);
    assert.ok(Number.isNaN(await one('round:0.5', { kind: 'float64' }).mask(NaN)));
    const d = one('round:0.01', { kind: 'decimal', precision: 40, scale: 10 });
    assert.equal(await d.mask('123456789012345678901234567890.0153456789'), '123456789012345678901234567890.0200000000');
    assert.equal(await one('round:1000', { kind: 'decimal', precision: 12, scale: 2 }).mask('-45500.00'), '-46000.00');
    assert.equal(await one('round:100', { kind: 'decimal', precision: 4, scale: 1 }).mask('999.9'), '900.0', 'rounding up would overflow numeric(4,1)');
    // A value with more integer digits than the column allows (a source that does not enforce them) comes back inside it, at once.
    assert.equal(await one('round:1', { kind: 'decimal', precision: 4, scale: 1 }).mask('123456789012345678901234567890.5'), '999.0');
    assert.equal(await one('round:1', { kind: 'decimal', precision: 4, scale: 1 }).mask('-123456789012345678901234567890.5'), '-999.0');
    assert.equal(await one('round:10', { kind: 'decimal' }).mask('NaN'), 'NaN');
    assert.throws(() => one('round:2.5', { kind: 'int32' }), /whole step/);
    assert.throws(() => one('round:10', text), /applies to number columns/);
  });

  it('range:N gives the bucket as text, negatives and decimals too', async () => {
    const m = one('range:10000', { kind: 'int32' });
    assert.equal(await m.mask(45123), '40000-50000');
    assert.equal(await m.mask(50000), '50000-60000');
    assert.equal(m.column.type.kind, 'text');
    assert.equal(await one('range:10', { kind: 'int64' }).mask(-7n), '-10-0');
    assert.equal(await one('range:10', { kind: 'int64' }).mask(-17n), '-20--10');
    assert.equal(await one('range:1000', { kind: 'decimal' }).mask('123456789012345678901234567890.5'), '123456789012345678901234567000-123456789012345678901234568000');
    assert.equal(await one('range:0.5', { kind: 'float64' }).mask(1.3), '1.0-1.5');
  });

  it('noise:F stays within ±F, keeps the type, and is the same for the same value', async () => {
    const m = one('noise:0.1', { kind: 'int32' });
    for (const v of [50000, -50000, 7, 0]) {
      const r = (await m.mask(v)) as number;
      assert.ok(Number.isInteger(r) && Math.abs(r - v) <= Math.abs(v) * 0.1 + 0.5, `${v} → ${r}`);
      assert.equal(await m.mask(v), r);
    }
    assert.equal(await one('noise:0.5', { kind: 'int16' }).mask(32767) as number <= 32767, true);
    const big = (await one('noise:0.1', { kind: 'int64' }).mask(9000000000000000000n)) as bigint;
    assert.ok(big >= 8100000000000000000n && big <= 9223372036854775807n);
    const d = (await one('noise:0.1', { kind: 'decimal', precision: 40, scale: 10 }).mask('123456789012345678901234567890.0123456789')) as string;
    assert.match(d, /^1\d{29}\.\d{10}$/);
    const ratio = Number(d) / 123456789012345678901234567890;
    assert.ok(ratio >= 0.9 && ratio <= 1.1, String(ratio));
    const f = (await one('noise:0.2', { kind: 'float32' }).mask(Math.fround(-1.5))) as number;
    assert.ok(f <= -1.2 && f >= -1.8 && Math.fround(f) === f);
    assert.equal(await one('noise:0.2', { kind: 'float64' }).mask(Infinity), Infinity);
    assert.equal(one('noise:0.1', { kind: 'decimal', precision: 12, scale: 2 }).column.nativeType, 'numeric');
  });
});

describe('masking: dates', () => {
  it('date_shift:D moves by at most D days, keeps the time and zone, handles BC and far years', async () => {
    const m = one('date_shift:30', { kind: 'date' });
    const day = (s: string) => {
      const [y, mo, d] = s.split(/(?<=\d)-/).map(Number);
      const dt = new Date(0);
      dt.setUTCFullYear(y, mo - 1, d);
      return dt.getTime() / 86_400_000;
    };
    for (const v of ['2024-02-29', '1850-02-28', '1899-12-31', '0001-01-01', '-0043-03-15']) {
      const r = (await m.mask(v)) as string;
      assert.ok(Math.abs(day(r) - day(v)) <= 30, `${v} → ${r}`);
      assert.equal(await m.mask(v), r);
    }
    assert.match((await m.mask('5874897-12-01')) as string, /^5874897-1[12]-\d\d$|^5874898-01-\d\d$/);
    assert.equal(await m.mask('infinity'), 'infinity');
    assert.equal(await m.mask('-infinity'), '-infinity');
    const ts = (await one('date_shift:3', { kind: 'timestamptz' }).mask('2024-02-29T12:34:56.789012Z')) as string;
    assert.match(ts, /^2024-0[23]-\d\dT12:34:56\.789012Z$/);
    assert.match((await one('date_shift:3', { kind: 'timestamptz' }).mask('2024-01-10T23:59:59+05:30')) as string, /^2024-01-(0[7-9]|1[0-3])T23:59:59\+05:30$/);
    assert.throws(() => one('date_shift:3', { kind: 'int32' }), /applies to date and timestamp columns/);
  });

  it('year_only gives an integer year (the column becomes integer); month_year keeps the type', async () => {
    const y = one('year_only', { kind: 'date' });
    assert.deepEqual([await y.mask('2024-02-29'), await y.mask('1850-01-01'), await y.mask('-0043-03-15'), await y.mask('infinity')], [2024, 1850, -43, null]);
    assert.deepEqual([y.column.type, y.column.nativeType, y.column.nullable], [{ kind: 'int32' }, 'integer', true]);
    assert.equal(await one('year_only', { kind: 'timestamptz' }).mask('1899-12-31T23:59:59.5Z'), 1899);
    assert.equal(await one('month_year', { kind: 'date' }).mask('1850-02-28'), '1850-02-01');
    assert.equal(await one('month_year', { kind: 'timestamp' }).mask('2024-02-29T12:34:56'), '2024-02-01T00:00:00');
    assert.equal(await one('month_year', { kind: 'timestamptz' }).mask('-0043-03-15T01:00:00Z'), '-0043-03-01T00:00:00Z');
    assert.equal(one('month_year', { kind: 'date' }).column.type.kind, 'date');
  });
});

describe('masking: exact outputs', () => {
  // Masked data already written must keep joining after an upgrade: these outputs may never change.
  it('are pinned for the salted and format-preserving algorithms', async () => {
    const cases: [string, LogicalType, [unknown, unknown][]][] = [
      ['hmac:k', { kind: 'text' }, [['user123@example.com', '66dfa10b88db32696bf4015f72afb1f79d1a1707ef1d8f7b35f730f3500c4744'], ['', '8bb990c40a7d61cb97597a942125025be50ac8beb74436e3735b98893a7f6620']]],
      ['uuid', { kind: 'text' }, [['user123@example.com', '7a5a9b29-bdee-8610-835e-1085c4a69fbd'], ['😀', 'a7455dbe-8d91-88bb-b08e-2d761f19524a']]],
      ['uuid', { kind: 'int64' }, [[42n, 'fe425a9f-c08e-835e-9fdb-ae56cef31fcb']]],
      ['noise:0.1', { kind: 'int32' }, [[30000, 32474], [119999, 127257], [-7, -7], [0, 0]]],
      ['noise:0.1', { kind: 'int64' }, [[9000000000000000000n, 9123193819512000000n], [-12345n, -11345n]]],
      ['noise:0.2', { kind: 'float64' }, [[-123.4, -111.70634114072028], [1e-300, 1.027716781561864e-300]]],
      ['noise:0.1', { kind: 'float32' }, [[1.5, 1.4586037397384644]]],
      ['noise:0.1', { kind: 'decimal', precision: 12, scale: 2 }, [['12345.67', '11675.08'], ['-0.01', '-0.01']]],
      ['date_shift:30', { kind: 'date' }, [['1950-01-01', '1950-01-01'], ['1850-02-28', '1850-03-15'], ['-0043-03-15', '-0043-03-27'], ['5874897-12-01', '5874897-11-11']]],
      ['date_shift:3', { kind: 'timestamptz' }, [['2024-02-29T12:34:56.789012Z', '2024-02-28T12:34:56.789012Z'], ['2024-01-10T23:59:59+05:30', '2024-01-12T23:59:59+05:30']]],
      ['random', { kind: 'text' }, [['Name 0cc175b9c0f1b6a831c399e269772661', 'Dybv 6iy163l7s7h6a9l099a450a611362138'], ['Hello, Wörld 42! ΣΑΣ σας 😀', 'Optsq, Eqshe 25! CQF snv 😀'], ['', '']]],
      ['random', { kind: 'int32' }, [[30000, 92788], [-4567, -6370], [0, 2], [2147483647, 2147483647]]],
      ['random', { kind: 'int16' }, [[32000, 32767]]],
      ['random', { kind: 'int64' }, [[9223372036854775807n, 9223372036854775807n], [-1234567890123n, -2510845741744n]]],
      ['random', { kind: 'uint64' }, [[18446744073709551615n, 18446744073709551615n]]],
      ['random', { kind: 'float64' }, [[-123.4, -34.11709554029252], [0.001, 0.007532011176782503]]],
      ['random', { kind: 'decimal', precision: 40, scale: 10 }, [['123456789012345678901234567890.0123456789', '146943407983971634415388671998.7680346422'], ['-0.05', '-0.82']]],
      ['random', { kind: 'bool' }, [[true, false], [false, false]]],
      ['random', { kind: 'uuid' }, [['6f1c0c52-94a6-4b47-9d0c-1f1d8f7e9d11', 'b58e60a5-aafe-8ff4-93f8-80b2ece79f81']]],
      ['random', { kind: 'enum', values: ['sad', 'ok', 'happy'] }, [['ok', 'sad']]],
      ['random', { kind: 'date' }, [['1950-01-01', '2029-05-04']]],
      ['random', { kind: 'timestamptz' }, [['2024-02-29T12:34:56.789012Z', '1956-07-18T14:49:12.255184Z']]],
      ['random', { kind: 'time' }, [['12:34:56.5', '07:22:42.1']]],
      ['random', { kind: 'bytes' }, [[new Uint8Array([1, 2, 3]), new Uint8Array([199, 39, 85])]]],
      ['range:10000', { kind: 'int32' }, [[45123, '40000-50000'], [-1, '-10000-0']]],
      ['range:0.5', { kind: 'float64' }, [[-1.3, '-1.5--1.0']]],
      ['range:10.0', { kind: 'int64' }, [[-17n, '-20.0--10.0']]],
      ['round:0.01', { kind: 'decimal' }, [['-0.005', '-0.010']]],
      ['phone', { kind: 'text' }, [['+999 12', '+999 12'], [' 00 49 (30) 123-45', ' 00 49 (30) ***-**'], ['+1-800-FLOWERS', '+1-800-FLOWERS'], ['0044 😀 20 7946', '0044 😀 20 ****'], ['+7 ٣٤٥ 123 45 67', '+7 ٣٤٥ 123 ** **']]],
      ['credit_card', { kind: 'text' }, [['4111 😀 1111 1234', '**** 😀 **** 1234'], ['12', '12']]],
      ['email', { kind: 'text' }, [['a@b@c.de', 'a*b@c.de'], ['\ud800x@y', '\ud800*@y']]],
      ['partial:3', { kind: 'text' }, [['ab😀cdef😀gh', 'ab😀****😀gh'], ['abcdefg', 'abc*efg']]],
      ['first_letter', { kind: 'text' }, [['😀abc', '😀***']]],
    ];
    for (const [spec, type, pairs] of cases) {
      const m = one(spec, type);
      for (const [input, output] of pairs) assert.deepEqual(await m.mask(input), output, `${spec} of ${String(input)}`);
    }
  });

  it('are the same for values longer than the char-code paths take', async () => {
    assert.equal(await one('phone', text).mask('+1 (415) 555-0123 '.repeat(100)), '+1 (415) ***-**** ' + '+* (***) ***-**** '.repeat(99));
    assert.equal(await one('credit_card', text).mask('4111 1111 '.repeat(200)), '**** **** '.repeat(199) + '**** 1111 ');
    assert.equal(await one('email', text).mask('a'.repeat(2000) + '@x.io'), 'a' + '*'.repeat(1998) + 'a@x.io');
    assert.equal(sha((await one('random', text).mask('Ab1 ö😀 '.repeat(200))) as string), '927e6cb5a4e4946725bfaab702e102560d729f74eb89b25555ec74c7f380d454');
  });
});

describe('masking: every algorithm', () => {
  const specFor = (name: string) => ({ partial: 'partial:2', hmac: 'hmac:k', round: 'round:10', range: 'range:10', noise: 'noise:0.1', date_shift: 'date_shift:5', fixed: 'fixed:1' })[name] ?? name;
  const typeFor = (name: string): LogicalType => (['round', 'range', 'noise', 'fixed'].includes(name) ? { kind: 'int32' } : ['date_shift', 'year_only', 'month_year'].includes(name) ? { kind: 'date' } : text);
  const valueFor = (name: string) => (['round', 'range', 'noise', 'fixed'].includes(name) ? 12345 : ['date_shift', 'year_only', 'month_year'].includes(name) ? '1899-06-15' : 'alice@example.com');

  it('leave NULL as NULL and an absent (unchanged) column absent', async () => {
    for (const name of algorithmNames) {
      const m = one(specFor(name), typeFor(name));
      assert.equal(await m.mask(null), null, name);
    }
    const m = createMasker({ ...settingsFromConfig({ 's.t': { c: 'hash' } }), sequentialStore: memorySequentialStore() });
    const t = table(text);
    const ch: Change = { op: 'u', pos: '1', key: { id: 1 }, after: { id: 1 }, unchanged: ['c'] };
    await m.maskChange(t, ch);
    assert.deepEqual(ch.after, { id: 1 });
  });

  it('give the same output for the same input on a fresh masker (a replay, a restart, another instance)', async () => {
    const store = memorySequentialStore();
    for (const name of algorithmNames) {
      const first = await one(specFor(name), typeFor(name), { store }).mask(valueFor(name));
      const again = await one(specFor(name), typeFor(name), { store }).mask(valueFor(name));
      assert.deepEqual(again, first, name);
    }
  });
});

describe('masking: tables', () => {

  it('masks key, before and after alike, so a masked key still finds its row', async () => {
    const m = createMasker({ ...settingsFromConfig({ 'public.people': { id: 'uuid', email: 'email', salary: 'noise:0.1' } }, SALT), sequentialStore: memorySequentialStore() });
    const masked = m.schema(people);
    assert.equal(masked.columns[0].type.kind, 'uuid');
    assert.equal(masked.version, 3);
    const ins: Change = { op: 'c', pos: '1', after: { id: 7n, email: 'bob@x.org', salary: 1000 } };
    const upd: Change = { op: 'u', pos: '2', key: { id: 7n }, before: { id: 7n, email: 'bob@x.org', salary: 1000 }, after: { id: 7n, email: 'bobby@x.org', salary: 1000 } };
    const del: Change = { op: 'd', pos: '3', key: { id: 7n }, before: { id: 7n, email: 'bobby@x.org', salary: 1000 } };
    await m.mask([{ kind: 'schema', table: people }, { kind: 'change', batch: { v: 1, source: { kind: 'postgres', name: 's', db: 'd' }, schema: 'public', table: 'people', schemaVersion: 3, capturedAt: 0, changes: [ins, upd, del] } }]);
    const id = ins.after!.id;
    assert.deepEqual([upd.key!.id, upd.before!.id, upd.after!.id, del.key!.id, del.before!.id], [id, id, id, id, id]);
    assert.equal(upd.before!.salary, ins.after!.salary);
    assert.equal(upd.after!.email, 'b***y@x.org');
  });

  it('refuses a mask that can merge keys on a primary-key column, a missing column, and a type that does not fit', () => {
    const mk = (cols: Record<string, string>) => createMasker(settingsFromConfig({ 'public.people': cols }, SALT));
    assert.throws(() => mk({ id: 'round:10' }).schema(people), /public\.people\.id: round cannot mask primary-key column "id"/);
    assert.throws(() => mk({ emial: 'hash' }).schema(people), (e: Error) => /public\.people\.emial/.test(e.message) && /column "emial" does not exist in public\.people/.test(e.message));
    assert.throws(() => mk({ email: 'round:10' }).schema(people), /round does not fit column "email" of type text/);
    assert.throws(() => mk({ salary: 'year_only' }).schema(people), /applies to date and timestamp columns/);
  });

  it('masks columns whose names hold quotes, backslashes, newlines or code', async () => {
    const names = ['we"ird', "it's", 'back\\slash', 'new\nline', '"]; throw new Error("injected"); //', '\u2028sep', 'ünï 😀'];
    const t: TableSchema = { schema: 'public', table: 'odd', version: 1, primaryKey: [], columns: names.map((name) => ({ name, type: { kind: 'text' }, nullable: true, nativeType: 'text' })) };
    const m = createMasker(settingsFromConfig({ 'public.odd': Object.fromEntries(names.map((n) => [n, 'stars'])) }));
    m.schema(t);
    const after = Object.fromEntries(names.map((n) => [n, 'abc']));
    await m.maskChange(t, { op: 'c', pos: '1', after });
    assert.deepEqual(after, Object.fromEntries(names.map((n) => [n, '***'])));
  });

  it('changes before their table\'s schema are an error, not a leak', () => {
    const m = createMasker(settingsFromConfig({ 'public.people': { email: 'hash' } }, SALT));
    assert.throws(() => m.mask([{ kind: 'change', batch: { v: 1, source: { kind: 'postgres', name: 's', db: 'd' }, schema: 'public', table: 'people', schemaVersion: 3, capturedAt: 0, changes: [] } }]), /before its schema/);
  });

  it('after a restart, a stored masked schema gives back the source types', async () => {
    const settings = settingsFromConfig({ 'public.people': { salary: 'noise:0.1', email: 'hash' } }, SALT);
    const before = createMasker(settings);
    const stored = JSON.parse(JSON.stringify(before.schema(people))) as TableSchema;
    const after = createMasker(settings);
    after.restore(stored);
    const a: Change = { op: 'c', pos: '1', after: { id: 1n, email: 'x', salary: 1000 } };
    const b: Change = { op: 'c', pos: '1', after: { id: 1n, email: 'x', salary: 1000 } };
    await before.mask([{ kind: 'change', batch: { v: 1, source: { kind: 'postgres', name: 's', db: 'd' }, schema: 'public', table: 'people', schemaVersion: 3, capturedAt: 0, changes: [a] } }]);
    await after.mask([{ kind: 'change', batch: { v: 1, source: { kind: 'postgres', name: 's', db: 'd' }, schema: 'public', table: 'people', schemaVersion: 3, capturedAt: 0, changes: [b] } }]);
    assert.deepEqual(b.after, a.after);
    assert.equal(typeof b.after!.salary, 'number');
  });

  it('resolves sequential numbers once per batch, in order of first appearance', async () => {
    let calls = 0;
    const inner = memorySequentialStore();
    const store: SequentialStore = { resolve: (s, d) => (calls++, inner.resolve(s, d)) };
    const m = createMasker({ ...settingsFromConfig({ 'public.people': { email: 'sequential' } }, SALT), sequentialStore: store });
    const changes: Change[] = ['a', 'b', 'a', 'c', null].map((e, i) => ({ op: 'c', pos: String(i), after: { id: BigInt(i), email: e, salary: 1 } }));
    await m.mask([{ kind: 'schema', table: people }, { kind: 'change', batch: { v: 1, source: { kind: 'postgres', name: 's', db: 'd' }, schema: 'public', table: 'people', schemaVersion: 3, capturedAt: 0, changes } }]);
    assert.deepEqual(changes.map((c) => c.after!.email), [1n, 2n, 1n, 3n, null]);
    assert.equal(calls, 1);
    const res = m.mask([{ kind: 'change', batch: { v: 1, source: { kind: 'postgres', name: 's', db: 'd' }, schema: 'public', table: 'people', schemaVersion: 3, capturedAt: 0, changes: [{ op: 'c', pos: '9', after: { id: 9n, email: 'b', salary: 1 } }] } }]);
    assert.equal(res, undefined, 'all cached: no await needed');
    assert.equal(calls, 1);
  });
});
