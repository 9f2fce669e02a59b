import { z } from 'zod';
import { byteSize, duration } from './units.js';

/** Source and sink names become subject tokens and consumer names: keep them simple. */
const name = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'a name of letters, digits, "_" or "-" (at most 64)');

export const natsSchema = z
  .object({
    url: z.string().default('nats://127.0.0.1:4222'),
    stream: z
      .object({
        'max-age': duration.default(7 * 86_400_000),
        'max-bytes': byteSize.default(-1),
        replicas: z.number().int().min(1).max(5).default(1),
        /** How long the server remembers msg-ids: long enough to cover a capture restart. */
        'duplicate-window': duration.default(10 * 60_000),
      })
      .strict()
      // prefault: an absent section is parsed as {}, so every inner default applies (zod 4's default() skips parsing).
      .prefault({}),
  })
  .strict();

export const metricsSchema = z
  .object({
    /** 0 turns the HTTP endpoint (/healthz, /readyz, /metrics) off. */
    port: z.number().int().min(0).max(65535).default(0),
    host: z.string().default('127.0.0.1'),
  })
  .strict();

const endpoint = z.object({
  name,
  address: z.string().min(1),
  options: z.record(z.string(), z.unknown()).default({}),
});

export const sourceSchema = endpoint.strict();
export const sinkSchema = endpoint.extend({ from: name }).strict();

export const daemonConfigSchema = z
  .object({
    nats: natsSchema.prefault({}),
    metrics: metricsSchema.prefault({}),
    source: sourceSchema.optional(),
    sink: sinkSchema.optional(),
  })
  .strict();

export type NatsConfig = z.output<typeof natsSchema>;
export type MetricsConfig = z.output<typeof metricsSchema>;
export type SourceSection = z.output<typeof sourceSchema>;
export type SinkSection = z.output<typeof sinkSchema>;
export type DaemonConfig = z.output<typeof daemonConfigSchema>;
