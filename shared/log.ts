import { pino, type DestinationStream, type Logger } from 'pino';

export type { Logger };

/** Key paths pino blanks out wherever they appear in a log record. */
const REDACT = ['password', '*.password', 'address', '*.address', 'url', '*.url', 'secret', '*.secret', 'salt', '*.salt', 'connectionString', '*.connectionString'];

/**
 * Structured JSON logs on stderr (stdout stays free for command output). Values
 * that are secrets by name are redacted; messages built from errors pass through
 * {@link redactUris} so a connection string in a driver's message loses its password.
 */
export function createLogger(name: string, level = process.env.NILUS_LOG_LEVEL ?? 'info', destination: DestinationStream = pino.destination(2)): Logger {
  return pino({ name, level, redact: { paths: REDACT, censor: '[redacted]' }, hooks: { logMethod: redactArguments } }, destination);
}

/** Strings passed to a log call (the message, and string fields such as error summaries) lose URI passwords too. */
function redactArguments(this: Logger, args: Parameters<Logger['info']>, method: (...a: unknown[]) => void) {
  method.apply(
    this,
    args.map((a) => {
      if (typeof a === 'string') return redactUris(a);
      if (a && typeof a === 'object' && !(a instanceof Error)) return Object.fromEntries(Object.entries(a).map(([k, v]) => [k, typeof v === 'string' ? redactUris(v) : v]));
      return a;
    }),
  );
}

/** Replaces the password part of any URI in a text. */
export function redactUris(text: string): string {
  return text.replace(/([a-z][a-z0-9+.-]*:\/\/[^:/@\s]*:)[^@\s]*@/gi, '$1[redacted]@');
}
