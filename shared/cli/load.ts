import { captureConnectors, captureFor, type CaptureFactory } from '../../capture/index.js';
import { sinkConnectors, sinkFor, type SinkFactory } from '../../sink/index.js';
import { parseAddress } from '../config/address.js';
import { loadConfigFile, type ConfigDocument } from '../config/document.js';
import { daemonConfigSchema, type DaemonConfig } from '../config/schema.js';
import { maskOptions, maskOptionsSchema, maskSettings, type MaskSettings } from '../masking/index.js';
import { z } from 'zod';

/** An absent `options:` is an empty one, so every option gets its default. */
const orEmpty = <S extends z.ZodTypeAny>(schema: S) => z.preprocess((v) => v ?? {}, schema);

export interface Loaded {
  doc: ConfigDocument;
  config: DaemonConfig;
}

export function loadDaemonConfig(file: string): Loaded {
  const doc = loadConfigFile(file);
  return { doc, config: doc.parse([], daemonConfigSchema) };
}

function schemeOf(doc: ConfigDocument, section: 'source' | 'sink', address: string): string {
  try {
    return parseAddress(address).scheme;
  } catch (e) {
    throw doc.error([section, 'address'], (e as Error).message, 'write it as scheme://user:password@host:port/database, percent-encoding special characters');
  }
}

interface Factory<S extends z.ZodTypeAny> {
  kind: string;
  schemes: string[];
  options: S;
}

/** The section of one daemon side, its connector (by address scheme) and its parsed options. */
function resolve<F extends Factory<z.ZodTypeAny>, T extends { name: string; address: string }>(
  { doc }: Loaded,
  key: 'source' | 'sink',
  section: T | undefined,
  lookup: (scheme: string) => F | undefined,
  known: readonly F[],
  fields: string,
) {
  if (!section) throw doc.error([key], `missing: this command needs a ${key} section`, `add ${key}: {${fields}}`);
  const scheme = schemeOf(doc, key, section.address);
  const factory = lookup(scheme);
  if (!factory) throw doc.error([key, 'address'], `no ${key === 'source' ? 'capture' : 'sink'} connector for ${scheme}://`, `use one of: ${known.flatMap((f) => f.schemes.map((s) => `${s}://`)).join(', ')}`);
  // A capture's mask options are the runtime's (see sourceMasks), not its connector's.
  const schema = key === 'source' ? z.preprocess(withoutMaskOptions, factory.options) : factory.options;
  return { section, factory, options: doc.parse([key, 'options'], orEmpty(schema)) as z.output<F['options']> };
}

const MASK_KEYS = new Set(Object.keys(maskOptions));
const withoutMaskOptions = (v: unknown) => (v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).filter(([k]) => !MASK_KEYS.has(k))) : v);

/** Masks of one side (`source`: applied at capture; `sink`: before writing), checked against the raw file for inline secrets. */
export function maskSettingsOf({ doc }: Loaded, key: 'source' | 'sink'): MaskSettings {
  return { ...maskSettings(doc, [key, 'options'], doc.parse([key, 'options'], orEmpty(maskOptionsSchema))), forbidKeyColumns: key === 'source' };
}

export const resolveSource = (loaded: Loaded) => resolve<CaptureFactory, NonNullable<DaemonConfig['source']>>(loaded, 'source', loaded.config.source, captureFor, captureConnectors, 'name, address, options');
export const resolveSink = (loaded: Loaded) => resolve<SinkFactory, NonNullable<DaemonConfig['sink']>>(loaded, 'sink', loaded.config.sink, sinkFor, sinkConnectors, 'name, from, address, options');
