import { connect, type NatsConnection } from '@nats-io/transport-node';
import {
  DiscardPolicy,
  jetstream,
  jetstreamManager,
  JetStreamApiCodes,
  JetStreamApiError,
  RetentionPolicy,
  StorageType,
  type JetStreamClient,
  type JetStreamManager,
  type StreamConfig,
} from '@nats-io/jetstream';
import { NilusError } from './errors.js';
import type { NatsConfig } from './config/schema.js';
import { Headers } from './envelope.js';
import type { Logger } from './log.js';
import { retryForever } from './lifecycle.js';

export interface Bus {
  nc: NatsConnection;
  js: JetStreamClient;
  jsm: JetStreamManager;
  close(): Promise<void>;
}

const nanos = (ms: number) => ms * 1_000_000;

/**
 * Connects with endless reconnects: a NATS outage is something to wait out,
 * never a reason to exit — also at start-up, where each failed attempt is
 * logged with what to check.
 */
export async function connectBus(cfg: NatsConfig, log: Logger, name: string, signal: AbortSignal): Promise<Bus> {
  let bus: Bus | null = null;
  await retryForever(log, signal, `connecting to NATS at ${cfg.url}`, async () => {
    bus = await connectOnce(cfg, log, name);
  }, () => true);
  if (!bus) throw new NilusError('NATS_UNREACHABLE', `gave up connecting to NATS at ${cfg.url}: shutting down`);
  return bus;
}

async function connectOnce(cfg: NatsConfig, log: Logger, name: string): Promise<Bus> {
  let nc: NatsConnection;
  try {
    nc = await connect({ servers: cfg.url, name, maxReconnectAttempts: -1, reconnectTimeWait: 500, timeout: 5000, ignoreClusterUpdates: true });
  } catch (e) {
    throw new NilusError('NATS_UNREACHABLE', `cannot connect to NATS at ${cfg.url} (${(e as Error).message})`, 'start nats-server with JetStream enabled (nats-server -js) or fix nats.url', { cause: e });
  }
  void (async () => {
    for await (const s of nc.status()) {
      if (s.type === 'disconnect') log.warn({ server: s.server }, 'NATS disconnected; reconnecting');
      else if (s.type === 'reconnect') log.info({ server: s.server }, 'NATS reconnected');
    }
  })();
  try {
    const jsm = await jetstreamManager(nc, { timeout: 10_000 });
    return { nc, js: jetstream(nc, { timeout: 10_000 }), jsm, close: () => nc.drain().catch(() => nc.close()) };
  } catch (e) {
    await nc.close();
    throw new NilusError('NATS_UNREACHABLE', `NATS at ${cfg.url} does not offer JetStream (${(e as Error).message})`, 'start nats-server with -js', { cause: e });
  }
}

/** Creates the stream, or brings its limits in line with the config. */
export async function ensureStream(bus: Bus, name: string, subjects: string[], cfg: NatsConfig['stream']): Promise<void> {
  const wanted: Partial<StreamConfig> & { name: string } = {
    name,
    subjects,
    storage: StorageType.File,
    retention: RetentionPolicy.Limits,
    discard: DiscardPolicy.Old,
    max_age: nanos(cfg['max-age']),
    max_bytes: cfg['max-bytes'],
    num_replicas: cfg.replicas,
    duplicate_window: nanos(Math.min(cfg['duplicate-window'], cfg['max-age'] || Infinity)),
  };
  try {
    const info = await bus.jsm.streams.info(name);
    const c = info.config;
    if (c.max_age !== wanted.max_age || c.max_bytes !== wanted.max_bytes || c.duplicate_window !== wanted.duplicate_window || c.num_replicas !== wanted.num_replicas || c.subjects.join() !== subjects.join()) {
      await bus.jsm.streams.update(name, { ...c, ...wanted } as StreamConfig);
    }
  } catch (e) {
    if (!isNotFound(e)) throw e;
    await bus.jsm.streams.add(wanted);
  }
}

export interface StreamTail {
  /** Last stream sequence (0 for an empty stream). */
  seq: number;
  /** Nilus-Position header of that message, if any. */
  position?: string;
}

/** Where the stream ends: lets a restarting capture skip what it already published. */
export async function streamTail(bus: Bus, stream: string): Promise<StreamTail> {
  const info = await bus.jsm.streams.info(stream);
  const seq = info.state.last_seq;
  if (seq === 0 || info.state.messages === 0) return { seq };
  const msg = await bus.jsm.streams.getMessage(stream, { seq });
  return { seq, position: msg?.header.get(Headers.position) || undefined };
}

export function isNotFound(e: unknown): boolean {
  return e instanceof JetStreamApiError && (e.code === JetStreamApiCodes.StreamNotFound || e.code === JetStreamApiCodes.ConsumerNotFound);
}
