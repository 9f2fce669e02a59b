import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { createLogger, redactUris } from '../../shared/log.js';

function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      lines.push(String(chunk));
      cb();
    },
  });
  return { lines, stream };
}

describe('logging', () => {
  it('blanks passwords and addresses passed as fields', () => {
    const out = capture();
    const log = createLogger('t', 'info', out.stream);
    log.info({ password: 'hunter2', source: { address: 'postgres://u:hunter2@h/db' } }, 'starting');
    assert.equal(out.lines.length, 1);
    assert.ok(!out.lines[0].includes('hunter2'), out.lines[0]);
  });

  it('strips the password of any URI inside a message text', () => {
    const out = capture();
    const log = createLogger('t', 'info', out.stream);
    log.warn({ err: 'connect failed for postgres://app:s3cr%40t@db:5432/x' }, 'cannot reach mysql://root:pw@127.0.0.1/db');
    assert.ok(!out.lines[0].includes('s3cr') && !out.lines[0].includes(':pw@'), out.lines[0]);
  });

  it('keeps user and host when it removes a password', () => {
    assert.equal(redactUris('postgres://app:p%40ss@db:5432/x'), 'postgres://app:[redacted]@db:5432/x');
  });
});
