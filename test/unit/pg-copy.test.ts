import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { copyField, copyFieldWriter } from '../../sink/postgres/pg-copy.js';

describe('COPY text fields', () => {
  it('writes NULL as \\N and keeps a literal "\\N" string distinct from it', () => {
    assert.equal(copyField(null), '\\N');
    assert.equal(copyField('\\N'), '\\\\N');
  });

  it('escapes the backslash, tab, newline and carriage return, and nothing else', () => {
    assert.equal(copyField('a\tb\nc\rd\\e'), 'a\\tb\\nc\\rd\\\\e');
    assert.equal(copyField('plain 😀 "quoted" ,;|'), 'plain 😀 "quoted" ,;|');
    assert.equal(copyField(''), '');
  });

  it('writes each type as its server text, NULL as \\N, escaping what can hold a reserved character', () => {
    const w = (type: Parameters<typeof copyFieldWriter>[0], v: unknown) => copyFieldWriter(type)(v);
    assert.equal(w({ kind: 'int64' }, 9007199254740993n), '9007199254740993');
    assert.equal(w({ kind: 'float64' }, -Infinity), '-Infinity');
    assert.equal(w({ kind: 'bool' }, false), 'f');
    assert.equal(w({ kind: 'bytes' }, new Uint8Array([1, 0xab])), '\\\\x01ab', 'the \\x of bytea text is a backslash to escape');
    assert.equal(w({ kind: 'text' }, 'a\tb\\c'), 'a\\tb\\\\c');
    assert.equal(w({ kind: 'json' }, '{"k":"line\\nbreak"}'), '{"k":"line\\\\nbreak"}');
    assert.equal(w({ kind: 'array', of: { kind: 'text' } }, ['x"y', 'b\\s', null]), '{"x\\\\"y","b\\\\\\\\s",NULL}');
    assert.equal(w({ kind: 'date' }, '-0043-03-15'), '0044-03-15 BC');
    assert.equal(w({ kind: 'text' }, null), '\\N');
    assert.equal(w({ kind: 'int32' }, undefined), '\\N');
  });
});
