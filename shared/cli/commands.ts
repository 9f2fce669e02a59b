import { runCapture, type CaptureConnector } from '../../capture/index.js';
import { runSink } from '../../sink/index.js';
import type { SinkRuntimeConfig } from '../../sink/runtime/sink-options.js';
import { createTelemetry } from '../health.js';
import { connectBus } from '../jetstream.js';
import { shutdownSignal } from '../lifecycle.js';
import { createLogger } from '../log.js';
import { checkMasksAgainst, createMasker, DEFAULT_SEQUENTIAL_BUCKET, sequentialStoreOn, type MaskSettings } from '../masking/index.js';
import { streamName } from '../subjects.js';
import { loadDaemonConfig, maskSettingsOf, resolveSink, resolveSource, type Loaded } from './load.js';
import type { Bus } from '../jetstream.js';
import type { Logger } from '../log.js';

type Telemetry = ReturnType<typeof createTelemetry>;

/**
 * What every daemon does around its runtime: metrics endpoint, shutdown
 * signal, NATS connection; and, however it ends, the connector and the
 * connection closed.
 */
async function runDaemon(
  kind: 'capture' | 'sink',
  name: string,
  config: Loaded['config'],
  connector: { close(): Promise<void> },
  log: Logger,
  run: (ctx: { bus: Bus; signal: AbortSignal; telemetry: Telemetry }) => Promise<void>,
): Promise<void> {
  const telemetry = createTelemetry(kind);
  const server = telemetry.listen(config.metrics);
  const signal = shutdownSignal(log);
  const bus = await connectBus(config.nats, log, `nilus-${kind}-${name}`, signal);
  telemetry.setReady(true);
  try {
    await run({ bus, signal, telemetry });
  } finally {
    await connector.close();
    await bus.close();
    server?.close();
  }
  log.info(`${kind} stopped`);
}

export async function captureCommand(file: string): Promise<void> {
  const loaded = loadDaemonConfig(file);
  const { section, factory, options } = resolveSource(loaded);
  const log = createLogger(`capture:${section.name}`);
  const masks = maskSettingsOf(loaded, 'source');
  const connector = await factory.create(section, options, log);
  await connector.check();
  const o = options as { 'max.batch.size': number; 'max.in.flight': number; 'linger.ms': number };
  await runDaemon('capture', section.name, loaded.config, connector, log, ({ bus, signal }) =>
    runCapture(connector, bus, loaded.config.nats, { maxBatchRows: o['max.batch.size'], maxInFlight: o['max.in.flight'], lingerMs: o['linger.ms'], masker: masks.tables.size ? createMasker({ ...masks, sequentialStore: sequentialStoreOn(bus, maskBucket(loaded, 'source'), loaded.config.nats.stream.replicas) }) : undefined }, log, signal),
  );
}

export async function sinkCommand(file: string): Promise<void> {
  const loaded = loadDaemonConfig(file);
  const { section, factory, options } = resolveSink(loaded);
  const log = createLogger(`sink:${section.name}`);
  const masks = maskSettingsOf(loaded, 'sink');
  const connector = await factory.create(section, options, log);
  const o = options as SinkRuntimeConfig;
  await runDaemon('sink', section.name, loaded.config, connector, log, ({ bus, signal, telemetry }) =>
    runSink(
      connector,
      bus,
      {
        name: section.name,
        from: section.from,
        maxBatchMessages: o['max.batch.size'],
        maxBatchBytes: o['max.batch.bytes'],
        maxRetries: o['max.retries'],
        ackWaitMs: o['ack.wait.ms'],
        masker: createMasker({ ...masks, sequentialStore: sequentialStoreOn(bus, o['mask.sequential.bucket'], loaded.config.nats.stream.replicas) }),
        include: o['table.include.list'].map((re) => new RegExp(`^(?:${re})$`)),
      },
      log,
      signal,
      {
        applied(messages, rows, lastSeq) {
          telemetry.metrics.messages.inc(messages);
          telemetry.metrics.rows.inc(rows);
          telemetry.metrics.lastSeq.set(lastSeq);
        },
        deadLettered: (rows) => telemetry.metrics.deadLettered.inc(rows),
      },
    ),
  );
}

/** Checks a config without running anything: schema, options, and that the source can be captured. */
export async function validateCommand(file: string): Promise<void> {
  const loaded = loadDaemonConfig(file);
  const parts: string[] = [];
  let source: CaptureConnector | null = null;
  if (loaded.config.source) {
    const { section, factory, options } = resolveSource(loaded);
    const masks = maskSettingsOf(loaded, 'source');
    source = await factory.create(section, options, createLogger('validate', 'warn'));
    await source.check();
    parts.push(`source ${section.name} (${factory.kind}) can be captured`);
    if (masks.tables.size) parts.push(await checkMasks(masks, source, 'capture'));
  }
  if (loaded.config.sink) {
    const { section, factory } = resolveSink(loaded);
    const masks = maskSettingsOf(loaded, 'sink');
    parts.push(`sink ${section.name} (${factory.kind}) config is valid`);
    if (masks.tables.size) {
      // Columns can be checked only against the source; without it, the sink checks them when each table's schema event arrives.
      parts.push(source && loaded.config.source?.name === section.from ? await checkMasks(masks, source, 'sink') : `sink masks not checked against source ${section.from}'s tables (not in this file); the sink checks them when each table's schema arrives`);
    }
  }
  if (parts.length === 0) throw loaded.doc.error([], 'the config has neither a source nor a sink section', 'add one of them');
  process.stdout.write(`${file}: ok — ${parts.join('; ')}\n`);
}

async function checkMasks(masks: MaskSettings, source: CaptureConnector, side: string): Promise<string> {
  const tables = await source.describer();
  try {
    return `${await checkMasksAgainst(masks, tables.describe)} ${side} masks fit the source's columns`;
  } finally {
    await tables.close();
  }
}

const maskBucket = (loaded: Loaded, key: 'source' | 'sink') => String((loaded.config[key]?.options as Record<string, unknown> | undefined)?.['mask.sequential.bucket'] ?? DEFAULT_SEQUENTIAL_BUCKET);

/** Stream depth, consumer lag and source lag, for a human. */
export async function statusCommand(file: string): Promise<void> {
  const loaded = loadDaemonConfig(file);
  const log = createLogger('status', 'warn');
  const bus = await connectBus(loaded.config.nats, log, 'nilus-status', AbortSignal.timeout(15_000));
  const out: string[] = [];
  try {
    const names = new Set<string>();
    if (loaded.config.source) names.add(loaded.config.source.name);
    if (loaded.config.sink) names.add(loaded.config.sink.from);
    for (const n of names) {
      const stream = streamName(n);
      try {
        const info = await bus.jsm.streams.info(stream);
        out.push(`stream ${stream}: ${info.state.messages} messages, ${info.state.bytes} bytes, sequences ${info.state.first_seq}..${info.state.last_seq}`);
        for await (const c of bus.jsm.consumers.list(stream)) {
          out.push(`  consumer ${c.name}: ack floor ${c.ack_floor.stream_seq}, pending ${c.num_pending}, unacked ${c.num_ack_pending}`);
        }
      } catch {
        out.push(`stream ${stream}: not created yet (start the capture)`);
      }
    }
    if (loaded.config.source) {
      const { section, factory, options } = resolveSource(loaded);
      const lag = await (await factory.create(section, options, log)).lag?.().catch(() => null);
      out.push(`source ${section.name}: ${lag ? `replication lag ${lag.bytes} bytes` : 'lag unknown (no slot yet)'}`);
    }
  } finally {
    await bus.close();
  }
  process.stdout.write(out.join('\n') + '\n');
}
