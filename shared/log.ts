import { pino, type Logger } from 'pino';

export type { Logger };

/** Key paths pino blanks out wherever they appear in a log record. */
const REDACT = ['password', '*.password', 'address', '*.address', 'url', '*.url', 'secret', '*.secret', 'salt', '*.salt', 'connectionString', '*.connectionString'];

/**
 * Structured JSON logs on stderr (stdout stays free for command output). Values
 * that are secrets by name are redacted; messages built from errors pass through
 * {@link redactUris} so a connection string in a driver's message loses its password.
 */
export function createLogger(name: string, level = process.env.NILUS_LOG_LEVEL ?? 'info'): Logger {
  return pino({ name, level, redact: { paths: REDACT, censor: '[redacted]' } }, pino.destination(2));
}

/** Replaces the password part of any URI in a text. */
export function redactUris(text: string): string {
  return text.replace(/([a-z][a-z0-9+.-]*:\/\/[^:/@\s]*:)[^@\s]*@/gi, '$1[redacted]@');
}
