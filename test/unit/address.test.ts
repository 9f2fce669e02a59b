import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { describeAddress, parseAddress } from '../../shared/config/address.js';

describe('parseAddress', () => {
  it('splits a full address into its parts', () => {
    assert.deepEqual(parseAddress('postgres://app:secret@db.example.com:5432/shop?sslmode=require&application_name=nilus'), {
      scheme: 'postgres',
      user: 'app',
      password: 'secret',
      host: 'db.example.com',
      port: 5432,
      path: 'shop',
      params: { sslmode: 'require', application_name: 'nilus' },
    });
  });

  it('percent-decodes user and password', () => {
    const a = parseAddress('postgres://us%40er:p%40ss%3Aw%2Fo%3Frd%25%23@h/db');
    assert.equal(a.user, 'us@er');
    assert.equal(a.password, 'p@ss:w/o?rd%#');
  });

  it('keeps an empty password distinct from a missing one', () => {
    assert.equal(parseAddress('postgres://u:@h/db').password, '');
    assert.equal(parseAddress('postgres://u@h/db').password, undefined);
    assert.equal(parseAddress('postgres://h/db').user, undefined);
  });

  it('strips the brackets of an IPv6 host and reads its port', () => {
    const a = parseAddress('postgres://u:p@[::1]:6543/db');
    assert.equal(a.host, '::1');
    assert.equal(a.port, 6543);
    assert.equal(parseAddress('mysql://[2001:db8::1]/db').host, '2001:db8::1');
  });

  it('leaves the port undefined when it is missing', () => {
    const a = parseAddress('postgres://u:p@localhost/db');
    assert.equal(a.port, undefined);
    assert.equal(a.host, 'localhost');
  });

  it('decodes query parameters and an empty path', () => {
    const a = parseAddress('nats://h:4222?name=a%20b&x=1');
    assert.equal(a.path, '');
    assert.deepEqual(a.params, { name: 'a b', x: '1' });
  });

  it('lower-cases the scheme', () => {
    assert.equal(parseAddress('POSTGRES://h/db').scheme, 'postgres');
  });

  it('explains a lone "%" in a credential instead of throwing a URIError', () => {
    assert.throws(() => parseAddress('postgres://u:100%@h/db'), (e: unknown) => e instanceof Error && !(e instanceof URIError) && /%25/.test(e.message));
  });

  it('rejects text that is not a URI', () => {
    assert.throws(() => parseAddress('just-a-host:5432'), /not a URI/);
  });

  it('hides the password when describing the address', () => {
    const text = describeAddress(parseAddress('postgres://u:topsecret@h:5432/db'));
    assert.equal(text, 'postgres://u:***@h:5432/db');
  });
});
