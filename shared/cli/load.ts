import { captureFor, type CaptureFactory } from '../../capture/index.js';
import { sinkFor, type SinkFactory } from '../../sink/index.js';
import { parseAddress } from '../config/address.js';
import { loadConfigFile, type ConfigDocument } from '../config/document.js';
import { daemonConfigSchema, type DaemonConfig } from '../config/schema.js';
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

export function resolveSource({ doc, config }: Loaded) {
  if (!config.source) throw doc.error(['source'], 'missing: this command needs a source section', 'add source: {name, address, options}');
  const section = config.source;
  const scheme = schemeOf(doc, 'source', section.address);
  const factory: CaptureFactory | undefined = captureFor(scheme);
  if (!factory) throw doc.error(['source', 'address'], `no capture connector for ${scheme}://`, 'use a postgres:// address');
  return { section, factory, options: doc.parse(['source', 'options'], orEmpty(factory.options)) };
}

export function resolveSink({ doc, config }: Loaded) {
  if (!config.sink) throw doc.error(['sink'], 'missing: this command needs a sink section', 'add sink: {name, from, address, options}');
  const section = config.sink;
  const scheme = schemeOf(doc, 'sink', section.address);
  const factory: SinkFactory | undefined = sinkFor(scheme);
  if (!factory) throw doc.error(['sink', 'address'], `no sink connector for ${scheme}://`, 'use a postgres:// address');
  return { section, factory, options: doc.parse(['sink', 'options'], orEmpty(factory.options)) };
}
