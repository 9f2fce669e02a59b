import { z } from 'zod';

/** Regex list as YAML list or comma-separated string, as Debezium users write it. */
const regexList = z
  .union([z.array(z.string()), z.string().transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean))])
  .default([])
  .superRefine((list, ctx) => {
    for (const [i, re] of list.entries()) {
      try {
        new RegExp(re);
      } catch {
        ctx.addIssue({ code: 'custom', path: [i], message: `"${re}" is not a valid regular expression` });
      }
    }
  });

export const mysqlCaptureOptions = z
  .object({
    /** Replication server id of the capture: unique among the server's replicas. Default: derived from the source name. */
    'server.id': z.number().int().min(1).max(4_294_967_295).optional(),
    /** Regexes over "database.table", anchored. Default: every table of the address's database. */
    'table.include.list': regexList,
    'table.exclude.list': regexList,
    'snapshot.mode': z.enum(['initial', 'never']).default('initial'),
    /**
     * minimal: FLUSH TABLES WITH READ LOCK for the instant it takes to open the snapshot and read the
     * binlog position (needs RELOAD); none: never lock (MariaDB reads the exact position of the snapshot
     * from binlog_snapshot_file/position; MySQL reads it just before the snapshot, so a few changes may
     * be applied twice, harmlessly). Without RELOAD, minimal falls back to none with a warning.
     */
    'snapshot.locking.mode': z.enum(['minimal', 'none']).default('minimal'),
    'snapshot.fetch.size': z.number().int().min(1).max(1_000_000).default(10_000),
    'max.batch.size': z.number().int().min(1).max(100_000).default(2000),
    'max.in.flight': z.number().int().min(1).max(100_000).default(256),
    'linger.ms': z.number().int().min(0).max(10_000).default(5),
  })
  .strict();

export type MysqlCaptureOptions = z.output<typeof mysqlCaptureOptions>;
