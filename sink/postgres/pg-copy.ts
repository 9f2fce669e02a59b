import { once } from 'node:events';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';

const SPECIAL = /[\\\t\n\r]/;
const ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

/** One value in COPY's text format: NULL as \N, and the four characters the format reserves escaped. */
export function copyField(v: string | null): string {
  if (v === null) return '\\N';
  return SPECIAL.test(v) ? v.replace(/[\\\t\n\r]/g, (c) => ESCAPES[c]) : v;
}

/**
 * COPY … FROM STDIN of rows given column by column as server text. Several
 * times cheaper for the server than INSERT … SELECT unnest(…) ON CONFLICT, as
 * it neither parses arrays nor probes for conflicts before inserting.
 */
export async function copyInto(client: pg.Client, table: string, columns: string[], values: (string | null)[][]): Promise<void> {
  const rows = values[0]?.length ?? 0;
  const lines: string[] = new Array(rows);
  for (let r = 0; r < rows; r++) {
    let line = copyField(values[0][r]);
    for (let c = 1; c < values.length; c++) line += '\t' + copyField(values[c][r]);
    lines[r] = line;
  }
  const stream = client.query(copyFrom(`COPY ${table} (${columns.join(', ')}) FROM STDIN`));
  const done = once(stream, 'finish');
  stream.end(lines.join('\n') + '\n');
  await done;
}
