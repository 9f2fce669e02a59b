import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { withDeadline } from '../../shared/lifecycle.js';

describe('withDeadline', () => {
  it('gives back the answer of a call that settles in time', async () => {
    assert.equal(await withDeadline(Promise.resolve(7), 1000, 'a call'), 7);
    await assert.rejects(withDeadline(Promise.reject(new Error('refused')), 1000, 'a call'), /refused/);
  });

  it('fails a call that never settles, as a transient error naming what waited', async () => {
    const never = new Promise<void>(() => {});
    await assert.rejects(withDeadline(never, 50, 'positioning consumer c'), (e: Error & { code?: string }) => /positioning consumer c: no answer within 0.05 s/.test(e.message) && e.code === 'CONNECTION_CLOSED');
  });
});
