import assert from 'node:assert/strict';

/** A user's mistake: a non-zero exit, one paragraph on stderr, no stack trace, and each of `mentions` in it. */
export function assertClearError(r: { code: number | null; stderr: string }, ...mentions: RegExp[]): void {
  assert.notEqual(r.code, 0, 'exit code is non-zero');
  const text = r.stderr.trim();
  assert.ok(!/\n\s+at /.test(text), `no stack trace:\n${text}`);
  assert.ok(text.split('\n').length <= 2, `one paragraph:\n${text}`);
  for (const m of mentions) assert.match(text, m);
}
