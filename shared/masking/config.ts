import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { z } from 'zod';
import type { ConfigDocument, KeyPath } from '../config/document.js';
import { parseMaskSpec, WHOLE_REFERENCE, type MaskSpec } from './params.js';
import type { MaskSettings } from './masker.js';

/** `column: algorithm[:parameter]`, checked as the config is parsed (so errors carry the file line). */
const maskSpecSchema = z.string().superRefine((s, ctx) => {
  const r = parseMaskSpec(s);
  if (typeof r === 'string') ctx.addIssue({ code: 'custom', message: r });
});

/** `mask: { "schema.table": { column: "algorithm[:parameter]" } }` */
export const maskConfigSchema = z
  .record(z.string(), z.record(z.string(), maskSpecSchema))
  .superRefine((tables, ctx) => {
    for (const t of Object.keys(tables)) if (!/^[^.]+\..+$/.test(t)) ctx.addIssue({ code: 'custom', path: [t], message: `write tables as schema.table ("public.${t}")` });
  })
  .default({});

export type MaskConfig = z.output<typeof maskConfigSchema>;

export const DEFAULT_SEQUENTIAL_BUCKET = 'nilus_mask_sequential';

/** The mask options a sink (and a capture) accepts beside its own. */
export const maskOptions = {
  mask: maskConfigSchema,
  /** Secret key of every salted mask (random, noise, date_shift, uuid, sequential): a ${env:…}/${file:…} reference. */
  'mask.salt': z.string().optional(),
  /** JetStream KV bucket of the sequential mask's numbers. */
  'mask.sequential.bucket': z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'letters, digits, "_" or "-"').default(DEFAULT_SEQUENTIAL_BUCKET),
};

export const maskOptionsSchema = z.object(maskOptions);
export type MaskOptions = z.output<typeof maskOptionsSchema>;

export const MIN_SALT_LENGTH = 16;

/**
 * Mask settings from parsed options, checked against the raw config text:
 * mask.salt and hmac keys must be ${env:…}/${file:…} references (the loader
 * has already replaced them, so only the file says whether a secret was
 * written inline), and a salted algorithm needs mask.salt. Errors name the
 * file line, table and column, never a secret.
 */
export function maskSettings(doc: ConfigDocument, optionsPath: KeyPath, options: MaskOptions): MaskSettings {
  const raw = rawValue(doc.file, optionsPath) as Record<string, unknown> | undefined;
  const rawMask = (raw?.mask ?? {}) as Record<string, Record<string, unknown>>;
  const at = (table: string, column: string) => [...optionsPath, 'mask', table, column];
  const refHint = 'put the secret in an environment variable or a file only the daemon can read, and write ${env:NAME} or ${file:path}';
  const tables = new Map<string, Map<string, MaskSpec>>();
  let salted: [string, string, string] | null = null;
  for (const [table, cols] of Object.entries(options.mask)) {
    const specs = new Map<string, MaskSpec>();
    for (const [column, text] of Object.entries(cols)) {
      const spec = parseMaskSpec(text);
      if (typeof spec === 'string') throw doc.error(at(table, column), spec); // already checked by the schema; kept for callers that skip it
      if (spec.def.param === 'secret') {
        const rawText = rawMask[table]?.[column];
        const rawParam = typeof rawText === 'string' ? rawText.slice(rawText.indexOf(':') + 1).trim() : '';
        if (!WHOLE_REFERENCE.test(rawParam)) throw doc.error(at(table, column), `the key of ${spec.def.name} must be a \${env:NAME} or \${file:path} reference, not written in the config`, refHint);
      }
      if (spec.def.salted) salted ??= [table, column, spec.def.name];
      specs.set(column, spec);
    }
    tables.set(table, specs);
  }
  const salt = options['mask.salt'];
  if (salt !== undefined) {
    const rawSalt = raw?.['mask.salt'];
    if (typeof rawSalt !== 'string' || !WHOLE_REFERENCE.test(rawSalt.trim())) throw doc.error([...optionsPath, 'mask.salt'], 'must be a ${env:NAME} or ${file:path} reference, not the secret itself', refHint);
    if (salt.length < MIN_SALT_LENGTH) throw doc.error([...optionsPath, 'mask.salt'], `the referenced salt is too short (${salt.length} characters; at least ${MIN_SALT_LENGTH})`, 'use a long random value, e.g. openssl rand -hex 32');
  } else if (salted) {
    const [table, column, alg] = salted;
    throw doc.error(at(table, column), `${alg} needs mask.salt (a secret that keeps its output the same on every instance and replay)`, 'add mask.salt: ${env:NILUS_MASK_SALT} to the same options');
  }
  return {
    tables,
    salt,
    error: (table, column, message, hint) => doc.error(at(table, column), message, hint),
  };
}

/** The value at `path` as written in the file, references unresolved (undefined when the file cannot be read). */
function rawValue(file: string, path: KeyPath): unknown {
  let data: unknown;
  try {
    data = parse(readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
  for (const k of path) data = data && typeof data === 'object' ? (data as Record<string | number, unknown>)[k] : undefined;
  return data;
}

/** Settings without a config file (tests, embedding): secrets given directly. */
export function settingsFromConfig(mask: MaskConfig, salt?: string): MaskSettings {
  const tables = new Map<string, Map<string, MaskSpec>>();
  for (const [table, cols] of Object.entries(mask)) {
    const specs = new Map<string, MaskSpec>();
    for (const [column, text] of Object.entries(cols)) {
      const spec = parseMaskSpec(text);
      if (typeof spec === 'string') throw new Error(`mask of ${table}.${column}: ${spec}`);
      specs.set(column, spec);
    }
    tables.set(table, specs);
  }
  return { tables, salt };
}
