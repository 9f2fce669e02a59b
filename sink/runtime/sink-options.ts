import { z } from 'zod';
import { maskOptions } from '../../shared/masking/index.js';

/** Options every sink has: the runtime reads them; a connector adds its own with `.extend()`. */
export const sinkRuntimeOptions = z.object({
  'table.include.list': z.union([z.array(z.string()), z.string().transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean))]).default([]),
  /** Messages applied per destination transaction. */
  'max.batch.size': z.number().int().min(1).max(10_000).default(200),
  /** Message bytes per destination transaction, at most: large messages make smaller batches. */
  'max.batch.bytes': z.number().int().min(1024).default(4 * 1024 * 1024),
  /** Tries of a rejected row before it goes to the dead-letter subject. */
  'max.retries': z.number().int().min(1).max(100).default(3),
  'ack.wait.ms': z.number().int().min(1000).default(120_000),
  /** Column masks, mask.salt, mask.sequential.bucket (see shared/masking). */
  ...maskOptions,
});

export type SinkRuntimeConfig = z.output<typeof sinkRuntimeOptions>;
