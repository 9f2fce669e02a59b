import { decode } from '../../shared/codec.js';
import { Headers, type ChangeBatch, type RowsBatch } from '../../shared/envelope.js';
import { isNilusError, isTransient, NilusError } from '../../shared/errors.js';
import { ensureStream, streamTail, type Bus } from '../../shared/jetstream.js';
import type { Logger } from '../../shared/log.js';
import type { NatsConfig } from '../../shared/config/schema.js';
import { openStateStore } from '../../shared/state-store.js';
import { sourceSubjects, streamName } from '../../shared/subjects.js';
import { retryForever, SESSION_SETUP_DEADLINE_MS, withDeadline } from '../../shared/lifecycle.js';
import type { Masker } from '../../shared/masking/index.js';
import type { CaptureConnector } from './connector.js';
import { createEmitter } from './emitter.js';
import { createPublisher } from './publisher.js';

export interface CaptureRuntimeOptions {
  maxBatchRows: number;
  maxInFlight: number;
  lingerMs: number;
  /** Masks applied before publishing (values that must never leave the source). */
  masker?: Masker;
}

/**
 * Runs a capture until `signal` aborts: ensure the stream, find where it ends,
 * run a connector session from there; on a transient failure (NATS or the
 * source down, a lost publish) wait and start a new session, which resumes
 * from the source's last confirmed position and skips what the stream holds.
 */
export async function runCapture(connector: CaptureConnector, bus: Bus, nats: NatsConfig, opts: CaptureRuntimeOptions, log: Logger, signal: AbortSignal): Promise<void> {
  const source = connector.source;
  const stream = streamName(source.name);
  await connector.check();
  /** The stream, the capture's state, and where the stream ends: what a session starts from. */
  const openSession = async () => {
    await ensureStream(bus, stream, [sourceSubjects(source.name)], nats.stream);
    const state = await openStateStore(bus, 'nilus_state', nats.stream.replicas);
    const tail = await streamTail(bus, stream);
    let batch: ChangeBatch | RowsBatch | undefined;
    // The last change or rows message (a schema event may stand after it) tells a snapshot where to go on.
    for (let seq = tail.seq; seq > 0 && seq > tail.seq - 64 && !batch; seq--) {
      const msg = await bus.jsm.streams.getMessage(stream, { seq }).catch(() => null);
      const kind = msg?.header.get(Headers.kind);
      if (kind === 'change' || kind === 'rows') batch = decode<ChangeBatch | RowsBatch>(msg!.data);
    }
    return { state, tail, batch };
  };
  await retryForever(log, signal, 'capture session', async () => {
    // Each request has its own timeout; the deadline is for one that never settles (see withDeadline).
    const { state, tail, batch } = await withDeadline(openSession(), SESSION_SETUP_DEADLINE_MS, `opening a capture session on ${stream}`);
    const publisher = createPublisher(bus, stream, tail.seq, opts.maxInFlight);
    const inner = createEmitter({ publisher, source, resumeAfter: tail.position, maxBatchRows: opts.maxBatchRows, lingerMs: opts.lingerMs, maxMessageBytes: (bus.nc.info?.max_payload ?? 1024 * 1024) - 4096 });
    const masker = opts.masker;
    // The schema event announces the masked shape; the masked shape object is stable per source shape, so the emitter's identity check still holds.
    const emitter: typeof inner = masker
      ? {
          ...inner,
          // No promise unless masking or sending waits: the emitter's fast path stays free of them.
          change: (t, ch) => {
            const pending = masker.maskChange(t, ch);
            if (pending) return pending.then(() => inner.change(masker.schema(t), ch));
            return inner.change(masker.schema(t), ch);
          },
          rows: async (t, page) => {
            const pending = masker.maskRows(t, page.rows);
            if (pending) await pending;
            return inner.rows(masker.schema(t), page);
          },
        }
      : inner;
    log.info({ stream, tailSeq: tail.seq, resumeAfter: tail.position ?? null }, 'capture session starting');
    await connector.run({ emitter, tail: { position: tail.position, batch }, state, log, signal, publishFailed: publisher.failed });
    if (!signal.aborted) throw new NilusError('SOURCE_UNREACHABLE', 'the capture session ended without being asked to', 'it will be restarted');
    // Drain: what was published gets its PubAck and its checkpoint before we exit.
    await publisher.flush().catch(() => {});
  }, (e) => !isNilusError(e) || isTransient(e));
}
