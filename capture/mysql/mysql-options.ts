import { z } from 'zod';
import { captureOptions } from '../runtime/capture-options.js';

/** The options every capture has (table.include.list is over "database.table"; default: every table of the address's database), plus MySQL's own. */
export const mysqlCaptureOptions = captureOptions
  .extend({
    /** Replication server id of the capture: unique among the server's replicas. Default: derived from the source name. */
    'server.id': z.number().int().min(1).max(4_294_967_295).optional(),
    /**
     * minimal: FLUSH TABLES WITH READ LOCK for the instant it takes to open the snapshot and read the
     * binlog position (needs RELOAD); none: never lock (MariaDB reads the exact position of the snapshot
     * from binlog_snapshot_file/position; MySQL reads it just before the snapshot, so a few changes may
     * be applied twice, harmlessly). Without RELOAD, minimal falls back to none with a warning.
     */
    'snapshot.locking.mode': z.enum(['minimal', 'none']).default('minimal'),
  })
  .strict();

export type MysqlCaptureOptions = z.output<typeof mysqlCaptureOptions>;
