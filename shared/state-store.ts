import { Kvm, type KV } from '@nats-io/kv';
import type { Bus } from './jetstream.js';

/** Small JSON documents kept in a JetStream KV bucket (capture checkpoints, snapshot progress). */
export interface StateStore {
  get<T>(key: string): Promise<T | undefined>;
  put(key: string, value: unknown): Promise<void>;
}

export async function openStateStore(bus: Bus, bucket: string, replicas: number): Promise<StateStore> {
  const kv: KV = await new Kvm(bus.nc).create(bucket, { history: 1, replicas });
  return {
    async get<T>(key: string) {
      const e = await kv.get(key);
      return e && e.operation === 'PUT' && e.value.length > 0 ? (e.json() as T) : undefined;
    },
    async put(key, value) {
      await kv.put(key, JSON.stringify(value));
    },
  };
}
