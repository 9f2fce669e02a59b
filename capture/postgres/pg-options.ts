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

export const pgCaptureOptions = z
  .object({
    'slot.name': z.string().regex(/^[a-z0-9_]{1,63}$/, 'lower-case letters, digits and "_" (PostgreSQL slot names)').optional(),
    'publication.name': z.string().min(1).optional(),
    /** filtered: the publication lists exactly the captured tables; disabled: use it as it is. */
    'publication.autocreate.mode': z.enum(['filtered', 'disabled']).default('filtered'),
    'table.include.list': regexList,
    'table.exclude.list': regexList,
    'snapshot.mode': z.enum(['initial', 'never']).default('initial'),
    'heartbeat.interval.ms': z.number().int().min(100).default(10_000),
    'max.batch.size': z.number().int().min(1).max(100_000).default(2000),
    'max.in.flight': z.number().int().min(1).max(100_000).default(256),
    'linger.ms': z.number().int().min(0).max(10_000).default(5),
    'snapshot.fetch.size': z.number().int().min(1).max(1_000_000).default(10_000),
  })
  .strict();

export type PgCaptureOptions = z.output<typeof pgCaptureOptions>;
