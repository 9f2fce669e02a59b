import type { z } from 'zod';
import { tableSinkOptions } from '../runtime/table-sink.js';

/** The options every table sink has (`dest-schema` is a Postgres schema; by default each table keeps its source schema). */
export const pgSinkOptions = tableSinkOptions.strict();

export type PgSinkOptions = z.output<typeof pgSinkOptions>;
