import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { escapeToken, parseTableSubject, tableSubject, unescapeToken } from '../../shared/subjects.js';

const NAMES = ['plain', 'with.dot', 'with space', 'star*', 'gt>', 'tilde~', '~7E', 'Ünïcødé', '日本語', 'emoji😀🎉', '', '~', 'a-b_c', 'tab\tnl\n', '%41', 'MiXeD123'];
const TOKEN = /^[A-Za-z0-9_~-]+$/;

describe('subject tokens', () => {
  it('round-trips every name through escapeToken/unescapeToken', () => {
    for (const name of NAMES) assert.equal(unescapeToken(escapeToken(name)), name, JSON.stringify(name));
  });

  it('produces tokens of only [A-Za-z0-9_~-] and never empty', () => {
    for (const name of NAMES) assert.match(escapeToken(name), TOKEN, JSON.stringify(name));
  });

  it('leaves safe names unchanged and escapes "~" itself', () => {
    assert.equal(escapeToken('orders_2024-x'), 'orders_2024-x');
    assert.equal(escapeToken('~'), '~7E');
    assert.equal(escapeToken('a.b'), 'a~2Eb');
  });

  it('gives distinct tokens for distinct names', () => {
    const tokens = new Set(NAMES.map(escapeToken));
    assert.equal(tokens.size, NAMES.length);
  });

  it('round-trips source, schema and table through tableSubject/parseTableSubject', () => {
    for (const [source, schema, table] of [['shop', 'public', 'orders'], ['s.1', 'my schema', 'tbl>*'], ['😀', '', '~x']]) {
      const subject = tableSubject(source, schema, table);
      assert.equal(subject.split('.').length, 4);
      assert.deepEqual(parseTableSubject(subject), { source, schema, table });
    }
  });

  it('rejects subjects that are not Nilus table subjects', () => {
    assert.throws(() => parseTableSubject('other.a.b.c'));
    assert.throws(() => parseTableSubject('nilus.a.b'));
  });
});
