import { z } from 'zod';
import { sinkRuntimeOptions } from '../runtime/sink-options.js';

export const pgSinkOptions = sinkRuntimeOptions
  .extend({
    /** Destination schema for every table; by default each table keeps its source schema. */
    'dest-schema': z.string().min(1).optional(),
    /** hard: DELETE the row; soft: keep it and set the soft-delete column to true. */
    'delete.mode': z.enum(['hard', 'soft']).default('hard'),
    'soft-delete-column': z.string().min(1).default('_nilus_deleted'),
    /** Adds _nilus_op, _nilus_position and _nilus_synced_at to every destination table. */
    'metadata-columns': z.boolean().default(false),
  })
  .strict();

export type PgSinkOptions = z.output<typeof pgSinkOptions>;
