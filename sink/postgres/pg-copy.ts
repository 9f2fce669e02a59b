import { once } from 'node:events';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { LogicalType } from '../../shared/logical-types.js';
import { pgTextEncoder } from '../../shared/postgres/pg-text.js';

const SPECIAL = /[\\\t\n\r]/;
const ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

/** One value in COPY's text format: NULL as \N, and the four characters the format reserves escaped. */
export function copyField(v: string | null): string {
  if (v === null) return '\\N';
  return SPECIAL.test(v) ? v.replace(/[\\\t\n\r]/g, (c) => ESCAPES[c]) : v;
}

/** Portable value → COPY text field, for one column. */
export type CopyFieldWriter = (v: unknown) => string;

/** Types whose server text never holds a backslash, tab or newline: no escaping pass needed. */
const PLAIN_TEXT = new Set<LogicalType['kind']>(['bool', 'int16', 'int32', 'int64', 'uint64', 'float32', 'float64', 'decimal', 'uuid', 'date', 'time', 'timestamp', 'timestamptz', 'interval']);

/** The field writer of a column type, resolved once per table rather than per value. */
export function copyFieldWriter(type: LogicalType): CopyFieldWriter {
  const text = pgTextEncoder(type);
  if (PLAIN_TEXT.has(type.kind)) return (v) => (v === null || v === undefined ? '\\N' : text(v));
  return (v) => (v === null || v === undefined ? '\\N' : copyField(text(v)));
}

/** Text is handed to the COPY stream in pieces of about this many characters. */
const CHUNK_CHARS = 256 * 1024;

/**
 * COPY … FROM STDIN of rows given as arrays of portable values (one writer
 * per column). Several times cheaper for the server than INSERT … SELECT
 * unnest(…) ON CONFLICT, as it neither parses arrays nor probes for conflicts
 * before inserting. `chunks` are row lists taken in order (e.g. one per message).
 */
export async function copyRows(client: pg.Client, table: string, columns: string[], writers: CopyFieldWriter[], chunks: readonly (readonly unknown[])[][]): Promise<void> {
  const stream = client.query(copyFrom(`COPY ${table} (${columns.join(', ')}) FROM STDIN`));
  // Listens for an error from the start (also while waiting for 'drain'); the error is thrown by `await done`.
  const done = once(stream, 'finish');
  done.catch(() => {});
  const n = writers.length;
  let text = '';
  for (const rows of chunks) {
    for (const row of rows) {
      let line = writers[0](row[0]);
      for (let c = 1; c < n; c++) line += '\t' + writers[c](row[c]);
      text += line + '\n';
      if (text.length >= CHUNK_CHARS) {
        // Past what the socket takes at once, wait for it: the server reads this chunk while the next is built.
        if (!stream.write(text)) await once(stream, 'drain');
        text = '';
      }
    }
  }
  stream.end(text);
  await done;
}
