import { setTimeout as sleep } from 'node:timers/promises';
import { isNilusError } from './errors.js';
import { redactUris, type Logger } from './log.js';

/**
 * The one retry loop of every daemon: runs `session` until it returns; a
 * retryable failure waits (exponential back-off, capped at 30 s, reset after a
 * session that ran a minute) and runs it again; anything else is thrown.
 * An abort during the wait ends the loop quietly.
 */
export async function retryForever(log: Logger, signal: AbortSignal, what: string, session: () => Promise<void>, retryable: (e: unknown) => boolean): Promise<void> {
  let delay = 250;
  while (!signal.aborted) {
    const started = Date.now();
    try {
      await session();
      return;
    } catch (e) {
      if (signal.aborted) return;
      if (!retryable(e)) throw e;
      if (Date.now() - started > 60_000) delay = 250;
      log.warn({ err: errorSummary(e), retryInMs: delay }, `${what} failed; retrying`);
      await sleep(delay, undefined, { signal }).catch(() => {});
      delay = Math.min(delay * 2, 30_000);
    }
  }
}

/**
 * How long a capture or sink session may take to set itself up against
 * JetStream (stream, state, consumer): longer than it takes when every request
 * times out, since the first timeout already ends the session.
 */
export const SESSION_SETUP_DEADLINE_MS = 30_000;

/**
 * Rejects (a transient error) when `work` has not settled within `ms`: for
 * calls whose own timeout was seen to fail. A JetStream consumer delete sent
 * just before nats-server was killed never settled (nats.js 3.4, no timer left
 * behind it), which left a sink session waiting for ever.
 */
export async function withDeadline<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(Object.assign(new Error(`${what}: no answer within ${ms / 1000} s`), { code: 'CONNECTION_CLOSED' })), ms);
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

export function errorSummary(e: unknown): string {
  if (isNilusError(e)) return e.describe();
  const err = e as { message?: string; code?: string };
  return redactUris(`${err?.message ?? String(e)}${err?.code ? ` (${err.code})` : ''}`);
}

/**
 * Turns SIGTERM/SIGINT into an abort so the daemon drains in-flight work and
 * exits cleanly; a second signal exits at once.
 */
export function shutdownSignal(log: Logger): AbortSignal {
  const controller = new AbortController();
  const onSignal = (sig: string) => {
    if (controller.signal.aborted) {
      log.warn({ sig }, 'second signal: exiting now');
      process.exit(130);
    }
    log.info({ sig }, 'shutting down: draining in-flight work');
    controller.abort();
  };
  process.on('SIGTERM', () => onSignal('SIGTERM'));
  process.on('SIGINT', () => onSignal('SIGINT'));
  return controller.signal;
}
