import { z } from 'zod';
import { tableSinkOptions } from '../runtime/table-sink.js';

/**
 * The options every table sink has, plus MySQL's own. `dest-schema` names the
 * destination *database* (MySQL has no schemas inside one): by default the
 * database of the address, or, when the address names none, a database per
 * source schema.
 */
export const mysqlSinkOptions = tableSinkOptions
  .extend({
    /**
     * What to write for a value the column's MySQL type can never hold (float
     * NaN/±Infinity, decimal NaN, dates and timestamps outside years 0001–9999
     * or ±infinity): `null` writes NULL and logs a count; `dead-letter` parks the row.
     */
    'unrepresentable-values': z.enum(['null', 'dead-letter']).default('null'),
  })
  .strict();

export type MySqlSinkOptions = z.output<typeof mysqlSinkOptions>;
