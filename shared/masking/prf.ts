import { createHmac, hash } from 'node:crypto';

/**
 * Keyed pseudo-random function: HMAC-SHA256(key, message), hex. Every choice a
 * mask makes "at random" (random, noise, date_shift, uuid, sequential keys) is
 * derived from it, keyed by the secret salt, so the same input gives the same
 * output on every sink instance, after restarts and on replay.
 *
 * HMAC is computed from two one-shot `crypto.hash` calls over preallocated
 * pad buffers: about twice as fast as `createHmac` per value, which matters on
 * the sink's hot path (and gives the same bytes: a unit test checks it).
 */
export interface Prf {
  /** 64 hex digits. */
  hex(message: string): string;
}

const SCRATCH = 4096;

export function createPrf(key: string | Uint8Array): Prf {
  let k = typeof key === 'string' ? Buffer.from(key, 'utf8') : Buffer.from(key);
  if (k.length > 64) k = hash('sha256', k, 'buffer');
  const inner = Buffer.alloc(64 + SCRATCH, 0);
  const outer = Buffer.alloc(64 + 32, 0);
  for (let i = 0; i < 64; i++) {
    const b = i < k.length ? k[i] : 0;
    inner[i] = b ^ 0x36;
    outer[i] = b ^ 0x5c;
  }
  const keyCopy = Buffer.from(k);
  // One view of the scratch buffer per message length, made once (a subarray per call costs as much as a hash).
  const views: Buffer[] = [];
  return {
    hex(message) {
      // Worst case 3 bytes per UTF-16 unit: a message that might not fit goes the slow way.
      if (message.length * 3 > SCRATCH) return createHmac('sha256', keyCopy).update(message, 'utf8').digest('hex');
      const n = inner.write(message, 64, 'utf8');
      const view = (views[n] ??= inner.subarray(0, 64 + n));
      outer.write(hash('sha256', view, 'binary'), 64, 'binary');
      return hash('sha256', outer, 'hex');
    },
  };
}

/** A number in [0, 1) from 52 bits of a PRF output (hex digits `offset`…`offset+13`). */
export function unitFromHex(hex: string, offset = 0): number {
  return parseInt(hex.slice(offset, offset + 13), 16) / 2 ** 52;
}

/**
 * A small deterministic generator (sfc32) seeded from a PRF output, for values
 * that need more randomness than one digest holds (a long random string).
 */
export function seededRandom(hex: string): () => number {
  let a = parseInt(hex.slice(0, 8), 16) | 0;
  let b = parseInt(hex.slice(8, 16), 16) | 0;
  let c = parseInt(hex.slice(16, 24), 16) | 0;
  let d = parseInt(hex.slice(24, 32), 16) | 0;
  const next = () => {
    a |= 0;
    b |= 0;
    c |= 0;
    d |= 0;
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
  for (let i = 0; i < 12; i++) next();
  return next;
}
