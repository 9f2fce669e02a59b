import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { copyField } from '../../sink/postgres/pg-copy.js';

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
});
