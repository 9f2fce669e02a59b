import { Kvm, type KV } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import { JetStreamApiError } from '@nats-io/jetstream';

/**
 * Durable value → number assignments of the `sequential` mask. Keys are PRF
 * digests of the values (the KV bucket never holds a value in clear):
 * `<scope>.v.<digest>` holds the number, `<scope>.next` the next free one.
 */
export interface SequentialStore {
  /** Numbers for value digests of one scope, in order; digests seen for the first time get new numbers, in this order. */
  resolve(scope: string, digests: string[]): Promise<bigint[]>;
}

/** JetStream KV: create-if-absent per value, so two sink instances agree on every number. */
export function kvSequentialStore(open: () => Promise<KV>): SequentialStore {
  let kvP: Promise<KV> | null = null;
  const kvOnce = () => (kvP ??= open().catch((e) => {
    kvP = null;
    throw e;
  }));
  return {
    async resolve(scope, digests) {
      const kv = await kvOnce();
      const out: bigint[] = new Array(digests.length);
      const missing: number[] = [];
      const read = async (i: number) => {
        const e = await kv.get(`${scope}.v.${digests[i]}`);
        return e && e.operation === 'PUT' ? BigInt(e.string()) : null;
      };
      await pool(digests.length, async (i) => {
        const n = await read(i);
        if (n === null) missing.push(i);
        else out[i] = n;
      });
      if (missing.length === 0) return out;
      missing.sort((a, b) => a - b);
      const first = await reserve(kv, `${scope}.next`, missing.length);
      await pool(missing.length, async (j) => {
        const i = missing[j];
        try {
          await kv.create(`${scope}.v.${digests[i]}`, String(first + BigInt(j)));
          out[i] = first + BigInt(j);
        } catch (e) {
          // Another instance assigned it first: use its number (ours stays unused, a gap).
          const n = await read(i);
          if (n === null) throw e;
          out[i] = n;
        }
      });
      return out;
    },
  };
}

/** Takes `count` numbers from the scope's counter by compare-and-set; returns the first. */
async function reserve(kv: KV, key: string, count: number): Promise<bigint> {
  for (let attempt = 0; ; attempt++) {
    const e = await kv.get(key);
    const base = e && e.operation === 'PUT' ? BigInt(e.string()) : 1n;
    try {
      if (e) await kv.update(key, String(base + BigInt(count)), e.revision);
      else await kv.create(key, String(base + BigInt(count)));
      return base;
    } catch (err) {
      if (!(err instanceof JetStreamApiError) || attempt > 1000) throw err;
      // wrong last sequence: someone else reserved meanwhile; read again
    }
  }
}

/** Runs `fn(0…n-1)` with at most 256 in flight. */
async function pool(n: number, fn: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < n) await fn(next++);
  };
  await Promise.all(Array.from({ length: Math.min(256, n) }, worker));
}

/** In memory, for tests and for a capture without NATS access to KV. */
export function memorySequentialStore(): SequentialStore {
  const scopes = new Map<string, { next: bigint; values: Map<string, bigint> }>();
  return {
    async resolve(scope, digests) {
      let s = scopes.get(scope);
      if (!s) scopes.set(scope, (s = { next: 1n, values: new Map() }));
      return digests.map((d) => {
        let n = s.values.get(d);
        if (n === undefined) s.values.set(d, (n = s.next++));
        return n;
      });
    },
  };
}

/** The KV store of a daemon's NATS connection: bucket created on first use. */
export function sequentialStoreOn(bus: { nc: NatsConnection }, bucket: string, replicas: number): SequentialStore {
  return kvSequentialStore(() => new Kvm(bus.nc).create(bucket, { history: 1, replicas }));
}
