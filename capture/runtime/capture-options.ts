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

/**
 * Options every capture has: which tables, whether and how fast to snapshot,
 * and how the publisher batches. A connector adds its own with `.extend()`
 * and ends with `.strict()`.
 */
export const captureOptions = z.object({
  /** Regexes over "schema.table" ("database.table" for MySQL), anchored. Default: every table the connector can see. */
  'table.include.list': regexList,
  'table.exclude.list': regexList,
  'snapshot.mode': z.enum(['initial', 'never']).default('initial'),
  // One message's worth: a page, the next one on its way and their decoded rows then fit V8's young
  // generation and die there; 10,000-row pages were promoted, and bulk loads ran ~15% slower.
  'snapshot.fetch.size': z.number().int().min(1).max(1_000_000).default(2000),
  'max.batch.size': z.number().int().min(1).max(100_000).default(2000),
  'max.in.flight': z.number().int().min(1).max(100_000).default(256),
  'linger.ms': z.number().int().min(0).max(10_000).default(5),
});

export type CaptureOptions = z.output<typeof captureOptions>;
