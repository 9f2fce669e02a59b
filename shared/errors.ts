import { ClosedConnectionError, ConnectionError, DrainingConnectionError, NoRespondersError, RequestError, TimeoutError } from '@nats-io/transport-node';
import { JetStreamApiError } from '@nats-io/jetstream';

/**
 * Every error a user can cause or fix carries a stable code and a hint of what to do.
 * The CLI prints such errors as one paragraph without a stack trace; anything else
 * is a bug and is printed with its stack.
 */
export const ErrorCodes = {
  CONFIG_SYNTAX: 'the config file is not valid YAML',
  CONFIG_INVALID: 'the config does not match the schema',
  SOURCE_UNREACHABLE: 'the source database cannot be reached',
  SOURCE_AUTH: 'the source rejected the credentials',
  SOURCE_NOT_CAPTURABLE: 'the source is not set up for change data capture',
  SOURCE_TABLE_UNKNOWN: 'a configured table does not exist at the source',
  DEST_UNREACHABLE: 'the destination cannot be reached',
  DEST_AUTH: 'the destination rejected the credentials',
  NATS_UNREACHABLE: 'the NATS server cannot be reached',
  NATS_STREAM: 'the JetStream stream or consumer is missing or misconfigured',
  ENVELOPE_VERSION: 'a message was written by an incompatible Nilus version',
} as const;

export type ErrorCode = keyof typeof ErrorCodes;

export class NilusError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly hint?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'NilusError';
  }

  /** One paragraph for a human: what was wrong, and what to do. */
  describe(): string {
    return this.hint ? `${this.message}. ${capitalise(this.hint)}.` : `${this.message}.`;
  }
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

export function isNilusError(e: unknown): e is NilusError {
  return e instanceof NilusError;
}

/** Errors that go away by themselves (network, server restarts): the daemon retries them. */
export function isTransient(e: unknown): boolean {
  if (isNatsOutage(e)) return true;
  if (isNilusError(e)) return e.code === 'SOURCE_UNREACHABLE' || e.code === 'DEST_UNREACHABLE' || e.code === 'NATS_UNREACHABLE';
  const code = (e as { code?: string } | null)?.code;
  return (
    typeof code === 'string' &&
    (TRANSIENT_SYSCALL_CODES.has(code) || code.startsWith('08') || code === '57P01' || code === '57P02' || code === '57P03' || code === '40001' || code === '40P01' || code === '55006' || code === 'TIMEOUT' || code === '503')
  );
}

/** NATS client errors that mean "the server is not there right now", told apart by class, not text. */
function isNatsOutage(e: unknown): boolean {
  if (e instanceof TimeoutError || e instanceof ConnectionError || e instanceof ClosedConnectionError || e instanceof DrainingConnectionError || e instanceof NoRespondersError || e instanceof RequestError) return true;
  // 503 / 10008 (JetStream not ready or temporarily unavailable), 10023 insufficient resources during a restart.
  return e instanceof JetStreamApiError && (e.status === 503 || e.code === 10008 || e.code === 10023);
}

// Connection-level failures from Node sockets and the NATS client.
const TRANSIENT_SYSCALL_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', 'EAI_AGAIN',
  'CONNECTION_CLOSED', 'PUBLISH_FAILED', 'CONNECTION_REFUSED', 'DISCONNECT', 'CONNECTION_DRAINING', 'REQUEST_TIMEOUT',
]);
