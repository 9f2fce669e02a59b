import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decode, encode } from '../../shared/codec.js';
import { ENVELOPE_VERSION } from '../../shared/envelope.js';
import { NilusError } from '../../shared/errors.js';

type Body = { v: number; x: unknown };
const roundTrip = (x: unknown): unknown => decode<Body>(encode({ v: ENVELOPE_VERSION, x })).x;

describe('codec', () => {
  it('keeps int8 extremes as bigint through the codec', () => {
    for (const n of [-(2n ** 63n), 2n ** 63n - 1n, 0n, 1n, -1n]) {
      const back = roundTrip(n);
      assert.equal(typeof back, 'bigint');
      assert.equal(back, n);
    }
  });

  it('keeps uint64 values above 2^63 as exact bigint', () => {
    for (const n of [2n ** 63n, 2n ** 64n - 1n]) assert.equal(roundTrip(n), n);
  });

  it('keeps NaN and both infinities as numbers', () => {
    assert.ok(Number.isNaN(roundTrip(NaN)));
    assert.equal(roundTrip(Infinity), Infinity);
    assert.equal(roundTrip(-Infinity), -Infinity);
  });

  it('returns bytes as a Uint8Array with the same content', () => {
    const back = roundTrip(Buffer.from([0x00, 0xff, 0x10]));
    assert.ok(back instanceof Uint8Array);
    assert.deepEqual(Buffer.from(back), Buffer.from([0x00, 0xff, 0x10]));
  });

  it('keeps nested arrays with nulls, unicode text and decimal strings intact', () => {
    const value = { arr: [[1, null], [null, 'a']], text: 'Grüße, 日本, 😀', dec: ['12.50', '-0.000001', 'NaN'] };
    assert.deepEqual(roundTrip(value), value);
  });

  it('refuses a body of another envelope version with an ENVELOPE_VERSION NilusError', () => {
    assert.throws(
      () => decode(encode({ v: ENVELOPE_VERSION + 1 })),
      (e: unknown) => e instanceof NilusError && e.code === 'ENVELOPE_VERSION' && e.message.includes(String(ENVELOPE_VERSION + 1)),
    );
  });

  it('refuses a body without a version instead of crashing', () => {
    for (const body of [{}, null, 5, 'text']) {
      assert.throws(() => decode(encode(body)), (e: unknown) => e instanceof NilusError && e.code === 'ENVELOPE_VERSION');
    }
  });
});
