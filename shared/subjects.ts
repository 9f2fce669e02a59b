/**
 * Subject naming: nilus.<source>.<schema>.<table>. A NATS token may not contain
 * '.', '*', '>', whitespace or control characters, so each token is escaped
 * reversibly: bytes outside [A-Za-z0-9_-] become ~XX (uppercase hex of UTF-8),
 * and '~' itself is escaped, so any legal identifier survives the round trip.
 */
const SAFE = /^[A-Za-z0-9_-]$/;

export function escapeToken(name: string): string {
  if (name.length === 0) return '~';
  let out = '';
  for (const ch of name) {
    if (SAFE.test(ch)) out += ch;
    else for (const b of Buffer.from(ch, 'utf8')) out += '~' + b.toString(16).toUpperCase().padStart(2, '0');
  }
  return out;
}

export function unescapeToken(token: string): string {
  if (token === '~') return '';
  const bytes: number[] = [];
  for (let i = 0; i < token.length; i++) {
    if (token[i] === '~') {
      bytes.push(parseInt(token.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(token.charCodeAt(i));
  }
  return Buffer.from(bytes).toString('utf8');
}

export function tableSubject(source: string, schema: string, table: string): string {
  return `nilus.${escapeToken(source)}.${escapeToken(schema)}.${escapeToken(table)}`;
}

/** Every table subject of one source. */
export function sourceSubjects(source: string): string {
  return `nilus.${escapeToken(source)}.>`;
}

export function parseTableSubject(subject: string): { source: string; schema: string; table: string } {
  const parts = subject.split('.');
  if (parts.length !== 4 || parts[0] !== 'nilus') throw new Error(`not a Nilus table subject: ${subject}`);
  return { source: unescapeToken(parts[1]), schema: unescapeToken(parts[2]), table: unescapeToken(parts[3]) };
}

export function deadLetterSubject(sink: string, schema: string, table: string): string {
  return `nilus._dlq.${escapeToken(sink)}.${escapeToken(schema)}.${escapeToken(table)}`;
}

/** Stream names allow fewer characters than subjects: upper-case and map the rest to '_'. */
export function streamName(source: string): string {
  return `NILUS_${source.toUpperCase().replace(/[^A-Z0-9_-]/g, '_')}`;
}

/** Every dead-letter subject (the dead-letter stream's filter). */
export const DEAD_LETTER_SUBJECTS = 'nilus._dlq.>';

export function deadLetterStreamName(): string {
  return 'NILUS_DLQ';
}
