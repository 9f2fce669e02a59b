import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { stringify } from 'yaml';
import { loadDaemonConfig, maskSettingsOf, resolveSink, resolveSource } from '../../shared/cli/load.js';
import { parseMaskSpec } from '../../shared/masking/index.js';
import { writeConfig } from '../support/daemons.js';

const SALT = 'config-test-salt-0123456789abcdef';
process.env.NILUS_TEST_MASK_SALT = SALT;
process.env.NILUS_TEST_HMAC_KEY = 'hmac-key-0123456789';
process.env.NILUS_TEST_SHORT_SALT = 'short';

function sinkFile(options: Record<string, unknown>): string {
  return writeConfig(stringify({ sink: { name: 'replica', from: 'shop', address: 'postgres://u@127.0.0.1/dst', options } }));
}

/** Loads the sink section and its masks: what `nilus validate` and `nilus sink` do before starting. */
function load(file: string) {
  const loaded = loadDaemonConfig(file);
  resolveSink(loaded);
  return maskSettingsOf(loaded, 'sink');
}

/** "nilus.yaml:7" for the first line holding `text`, as a regex source. */
const lineOf = (file: string, text: string) => (path.basename(file) + ':' + (readFileSync(file, 'utf8').split('\n').findIndex((l) => l.includes(text)) + 1)).replace(/[.]/g, '\\.');

describe('masking config', () => {
  it('parses algorithm[:parameter] and says what is wrong with a bad one', () => {
    const ok = parseMaskSpec('partial:3');
    assert.ok(typeof ok !== 'string' && ok.def.name === 'partial' && ok.param === 3);
    assert.match(parseMaskSpec('hashh') as string, /unknown mask algorithm "hashh" \(known: hash, sha256/);
    assert.match(parseMaskSpec('partial') as string, /partial needs a parameter: write partial:<a whole number/);
    assert.match(parseMaskSpec('partial:x') as string, /partial:x: the parameter must be a whole number/);
    assert.match(parseMaskSpec('round:-5') as string, /must be a positive number/);
    assert.match(parseMaskSpec('noise:2') as string, /fraction in \(0, 1\]/);
    assert.match(parseMaskSpec('date_shift:1.5') as string, /whole number/);
    assert.match(parseMaskSpec('hash:x') as string, /hash takes no parameter/);
    assert.match(parseMaskSpec('hmac') as string, /hmac needs a parameter/);
    assert.ok(typeof parseMaskSpec('sequential') !== 'string' && typeof parseMaskSpec('sequential:customers') !== 'string');
  });

  it('names the file line, table and column of an unknown algorithm or a bad parameter', () => {
    const file = sinkFile({ mask: { 'public.customers': { email: 'hash', phone: 'phoen' } } });
    assert.throws(() => load(file), (e: Error) => new RegExp(`${lineOf(file, 'phone:')}: sink\\.options\\.mask\\.public\\.customers\\.phone: unknown mask algorithm "phoen"`).test(e.message));
    const bad = sinkFile({ mask: { 'public.customers': { salary: 'round:lots' } } });
    assert.throws(() => load(bad), (e: Error) => new RegExp(`${lineOf(bad, 'salary:')}: .*customers\\.salary: round:lots: the parameter must be`).test(e.message));
    assert.throws(() => load(sinkFile({ mask: { customers: { a: 'hash' } } })), /write tables as schema\.table/);
  });

  it('requires mask.salt only for salted algorithms, as a reference, never echoing it', () => {
    assert.equal(load(sinkFile({ mask: { 'public.c': { email: 'hash', name: 'partial:1' } } })).salt, undefined);
    const missing = sinkFile({ mask: { 'public.c': { email: 'hash', salary: 'noise:0.1' } } });
    assert.throws(() => load(missing), (e: Error) => new RegExp(`${lineOf(missing, 'salary:')}: .*public\\.c\\.salary: noise needs mask\\.salt`).test(e.message));
    const inline = sinkFile({ 'mask.salt': 'literal-salt-0123456789', mask: { 'public.c': { salary: 'noise:0.1' } } });
    assert.throws(
      () => load(inline),
      (e: Error) => new RegExp(`${lineOf(inline, 'mask.salt')}: sink\\.options\\.mask\\.salt: must be a \\$\\{env:NAME\\} or \\$\\{file:path\\} reference`).test(e.message) && !e.message.includes('literal-salt'),
    );
    assert.throws(() => load(sinkFile({ 'mask.salt': '${env:NILUS_TEST_SHORT_SALT}', mask: { 'public.c': { salary: 'noise:0.1' } } })), (e: Error) => /too short/.test(e.message) && !e.message.includes('short,'));
    const ok = load(sinkFile({ 'mask.salt': '${env:NILUS_TEST_MASK_SALT}', mask: { 'public.c': { salary: 'noise:0.1' } } }));
    assert.equal(ok.salt, SALT);
  });

  it('accepts a salt from a file reference', () => {
    const file = sinkFile({ 'mask.salt': '${file:salt.txt}', mask: { 'public.c': { id: 'uuid' } } });
    writeFileSync(path.join(path.dirname(file), 'salt.txt'), SALT + '\n');
    assert.equal(load(file).salt, SALT);
  });

  it('requires the hmac key to be a reference, and keeps it out of messages', () => {
    const inline = sinkFile({ mask: { 'public.c': { ssn: 'hmac:my-inline-key' } } });
    assert.throws(() => load(inline), (e: Error) => /public\.c\.ssn: the key of hmac must be a \$\{env:NAME\}/.test(e.message) && !e.message.includes('my-inline-key'));
    const ok = load(sinkFile({ mask: { 'public.c': { ssn: 'hmac:${env:NILUS_TEST_HMAC_KEY}' } } }));
    assert.equal(ok.tables.get('public.c')!.get('ssn')!.param, 'hmac-key-0123456789');
  });

  it('takes masks in a capture config too, beside the connector options', () => {
    const file = writeConfig(stringify({ source: { name: 'shop', address: 'postgres://u@127.0.0.1/src', options: { 'slot.name': 'nilus_shop', mask: { 'public.c': { ssn: 'ssn' } } } } }));
    const loaded = loadDaemonConfig(file);
    assert.equal((resolveSource(loaded).options as Record<string, unknown>)['slot.name'], 'nilus_shop');
    const m = maskSettingsOf(loaded, 'source');
    assert.equal(m.tables.get('public.c')!.get('ssn')!.def.name, 'ssn');
    assert.equal(m.forbidKeyColumns, true);
  });
});
