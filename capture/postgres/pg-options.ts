import { z } from 'zod';
import { captureOptions } from '../runtime/capture-options.js';

/** The options every capture has, plus PostgreSQL's own: the slot, the publication and the heartbeat. */
export const pgCaptureOptions = captureOptions
  .extend({
    'slot.name': z.string().regex(/^[a-z0-9_]{1,63}$/, 'lower-case letters, digits and "_" (PostgreSQL slot names)').optional(),
    'publication.name': z.string().min(1).optional(),
    /** filtered: the publication lists exactly the captured tables; disabled: use it as it is. */
    'publication.autocreate.mode': z.enum(['filtered', 'disabled']).default('filtered'),
    'heartbeat.interval.ms': z.number().int().min(100).default(10_000),
  })
  .strict();

export type PgCaptureOptions = z.output<typeof pgCaptureOptions>;
