import { createHmac, hash } from 'node:crypto';

/**
 * Keyed pseudo-random function: HMAC-SHA256(key, message). Every choice a
 * mask makes "at random" (random, noise, date_shift, uuid, sequential keys) is
 * derived from it, keyed by the secret salt, so the same input gives the same
 * output on every sink instance, after restarts and on replay.
 *
 * `hex` is computed from two one-shot `crypto.hash` calls over preallocated
 * pad buffers: about twice as fast as `createHmac` per value, which matters
 * on the sink's hot path. Masks that want numbers rather than text use
 * `wordsAfter`: for a short message (a per-column prefix and one value, what
 * masks hash) it runs SHA-256 in JavaScript from the key's precomputed inner
 * and outer states, two compressions that cost about what the two hash calls
 * do, and saves the rest: the prefix concatenation, the UTF-8 copies, the hex
 * text and parsing it back. Every path gives HMAC-SHA256's bytes exactly
 * (unit tests compare them with `createHmac`).
 */
export interface Prf {
  /** 64 hex digits. */
  hex(message: string): string;
  /**
   * HMAC(prefix + value) per value, as the digest's 8 big-endian 32-bit
   * words (signed), in an array the next call overwrites: for masks that want
   * numbers, not text. Optional, so a stand-in Prf (one that only throws)
   * need not have it; see `wordsOf`.
   */
  wordsAfter?(prefix: string): (value: string) => Int32Array;
}

// ---- SHA-256 (FIPS 180-4) compression ------------------------------------------

const K = Int32Array.from([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);
const IV = Int32Array.from([0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]);

/** The message schedule; callers put the block's 16 words in W[0..15]. Shared: nothing here is re-entered. */
const W = new Int32Array(64);

/** out = state `from` after one compression of the block in W[0..15] (out and from may be the same array). */
function compress(out: Int32Array, from: Int32Array): void {
  const w = W;
  for (let i = 16; i < 64; i++) {
    const x = w[i - 15];
    const y = w[i - 2];
    w[i] = ((((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3)) + (((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10)) + w[i - 7] + w[i - 16]) | 0;
  }
  let a = from[0], b = from[1], c = from[2], d = from[3], e = from[4], f = from[5], g = from[6], h = from[7];
  for (let i = 0; i < 64; i++) {
    const t1 = (h + (((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7))) + (g ^ (e & (f ^ g))) + K[i] + w[i]) | 0;
    const t2 = ((((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10))) + ((a & b) | (c & (a | b)))) | 0;
    h = g;
    g = f;
    f = e;
    e = (d + t1) | 0;
    d = c;
    c = b;
    b = a;
    a = (t1 + t2) | 0;
  }
  out[0] = (from[0] + a) | 0;
  out[1] = (from[1] + b) | 0;
  out[2] = (from[2] + c) | 0;
  out[3] = (from[3] + d) | 0;
  out[4] = (from[4] + e) | 0;
  out[5] = (from[5] + f) | 0;
  out[6] = (from[6] + g) | 0;
  out[7] = (from[7] + h) | 0;
}

/** The state after one 64-byte block (the key XOR a pad). */
function midstate(block: Uint8Array): Int32Array {
  for (let i = 0; i < 16; i++) W[i] = (block[4 * i] << 24) | (block[4 * i + 1] << 16) | (block[4 * i + 2] << 8) | block[4 * i + 3];
  const s = new Int32Array(8);
  compress(s, IV);
  return s;
}

// ---- the PRF ----------------------------------------------------------------------

/** Longest message (in UTF-8 bytes) that, after the 64-byte inner pad, fits one block with SHA-256's padding. */
const ONE_BLOCK = 55;
const SCRATCH = 4096;

/** Scratch for encoding a non-ASCII short message (3 bytes per UTF-16 unit at most). */
const bytes = Buffer.alloc(3 * ONE_BLOCK);

/** Puts `s` (ASCII only) in W as message bytes from byte `at` on; false at the first non-ASCII unit. */
function packAscii(s: string, at: number): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x80) return false;
    const p = at + i;
    W[p >> 2] |= c << (24 - ((p & 3) << 3));
  }
  return true;
}

/** HMAC of the n-byte message in W[0..15] (n ≤ ONE_BLOCK, zeros after it) from the key's pad states, into `out`. */
function hmacOneBlock(n: number, innerState: Int32Array, outerState: Int32Array, out: Int32Array): void {
  // SHA-256 padding: 0x80, zeros, the length in bits of pad block + message.
  W[n >> 2] |= 0x80 << (24 - ((n & 3) << 3));
  W[15] = (64 + n) * 8;
  compress(out, innerState);
  // The outer hash of the inner digest: one block of 32 bytes, padded.
  for (let j = 0; j < 8; j++) W[j] = out[j];
  W[8] = 0x80000000;
  W.fill(0, 9, 15);
  W[15] = (64 + 32) * 8;
  compress(out, outerState);
}

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
  const innerState = midstate(inner);
  const outerState = midstate(outer);
  const out = new Int32Array(8);
  // One view of the scratch buffer per message length, made once (a subarray per call costs as much as a hash).
  const views: Buffer[] = [];

  /** Two one-shot hashes over the pad buffers (or createHmac for what may not fit them), hex. */
  function hexOf(message: string): string {
    // Worst case 3 bytes per UTF-16 unit: a message that might not fit goes the slow way.
    if (message.length * 3 > SCRATCH) return createHmac('sha256', keyCopy).update(message, 'utf8').digest('hex');
    const n = inner.write(message, 64, 'utf8');
    const view = (views[n] ??= inner.subarray(0, 64 + n));
    outer.write(hash('sha256', view, 'binary'), 64, 'binary');
    return hash('sha256', outer, 'hex');
  }

  /** The HMAC into `out` when the message's UTF-8 fits one block after the inner pad; false when it does not. */
  function oneBlock(message: string): boolean {
    if (message.length > ONE_BLOCK) return false;
    W.fill(0, 0, 16);
    let n = message.length;
    if (!packAscii(message, 0)) {
      // Node encodes the UTF-8 (a lone surrogate becomes U+FFFD, as in createHmac).
      n = bytes.write(message, 0, 'utf8');
      if (n > ONE_BLOCK) return false;
      W.fill(0, 0, 16);
      for (let j = 0; j < n; j++) W[j >> 2] |= bytes[j] << (24 - ((j & 3) << 3));
    }
    hmacOneBlock(n, innerState, outerState, out);
    return true;
  }

  function words(message: string): Int32Array {
    if (!oneBlock(message)) {
      const hex = hexOf(message);
      for (let j = 0; j < 8; j++) out[j] = parseInt(hex.slice(8 * j, 8 * j + 8), 16) | 0;
    }
    return out;
  }

  return {
    // Hex is as cheap this way as from the JavaScript compression plus a hex encoding.
    hex: hexOf,
    wordsAfter(prefix) {
      const pre = Buffer.from(prefix, 'utf8');
      const p = pre.length;
      if (p > ONE_BLOCK) return (value) => words(prefix + value);
      // The prefix's bytes, packed once.
      const head = new Int32Array(16);
      for (let j = 0; j < p; j++) head[j >> 2] |= pre[j] << (24 - ((j & 3) << 3));
      return (value) => {
        if (p + value.length > ONE_BLOCK) return words(prefix + value);
        for (let j = 0; j < 16; j++) W[j] = head[j]; // a loop: TypedArray#set costs more for 16 words
        if (!packAscii(value, p)) return words(prefix + value);
        hmacOneBlock(p + value.length, innerState, outerState, out);
        return out;
      };
    },
  };
}

/**
 * HMAC(prefix + value) as words, per value: through the Prf's `wordsAfter`
 * (no string concatenation: the prefix is encoded once), or, for a Prf
 * without it, parsed from its hex. Resolved once per column.
 */
export function wordsOf(prf: Prf, prefix: string): (value: string) => Int32Array {
  if (prf.wordsAfter) return prf.wordsAfter(prefix);
  return (value) => {
    const hex = prf.hex(prefix + value);
    const w = new Int32Array(8);
    for (let j = 0; j < 8; j++) w[j] = parseInt(hex.slice(8 * j, 8 * j + 8), 16) | 0;
    return w;
  };
}

/** A number in [0, 1) from 52 bits of a PRF output (hex digits `offset`…`offset+13`). */
export function unitFromHex(hex: string, offset = 0): number {
  return parseInt(hex.slice(offset, offset + 13), 16) / 2 ** 52;
}

/** unitFromHex(hex) from the digest's words: its first 52 bits, 32 of the first word and 20 of the second. */
export function unitFromWords(w: Int32Array): number {
  return ((w[0] >>> 0) * 2 ** 20 + (w[1] >>> 12)) / 2 ** 52;
}

/**
 * sfc32, a small deterministic generator seeded from a PRF output, for values
 * that need more randomness than one digest holds (a long random string).
 * Reseedable, so a mask keeps one per column rather than making a closure per value.
 */
export class Sfc32 {
  private a = 0;
  private b = 0;
  private c = 0;
  private d = 0;

  /** Seeds from four 32-bit numbers and skips the first 12 outputs. */
  seed(a: number, b: number, c: number, d: number): this {
    this.a = a | 0;
    this.b = b | 0;
    this.c = c | 0;
    this.d = d | 0;
    for (let i = 0; i < 12; i++) this.next();
    return this;
  }

  /** Seeded as seededRandom(hex) is, from the digest's first four words. */
  seedFromWords(w: Int32Array): this {
    return this.seed(w[0], w[1], w[2], w[3]);
  }

  /** A number in [0, 1). */
  next(): number {
    const a = this.a;
    const b = this.b;
    const c = this.c;
    const d = this.d;
    const t = (((a + b) | 0) + d) | 0;
    this.d = (d + 1) | 0;
    this.a = b ^ (b >>> 9);
    this.b = (c + (c << 3)) | 0;
    this.c = (((c << 21) | (c >>> 11)) + t) | 0;
    return (t >>> 0) / 4294967296;
  }
}

/** An Sfc32 seeded from a PRF output's first 32 hex digits, as a function. */
export function seededRandom(hex: string): () => number {
  const g = new Sfc32().seed(parseInt(hex.slice(0, 8), 16), parseInt(hex.slice(8, 16), 16), parseInt(hex.slice(16, 24), 16), parseInt(hex.slice(24, 32), 16));
  return () => g.next();
}
