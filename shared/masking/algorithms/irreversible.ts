import { hash } from 'node:crypto';
import type { AlgorithmDef } from '../types.js';
import { canonical } from '../values.js';
import { textOut } from './common.js';

const sha256: AlgorithmDef = {
  name: 'sha256',
  param: 'none',
  keySafe: true,
  summary: 'SHA-256 of the value, 64 hex digits (unkeyed: equal values join across systems; use hmac against dictionary attacks)',
  output: (ctx) => textOut(ctx, false, 64),
  make: () => (v) => hash('sha256', canonical(v), 'hex'),
};

export const irreversible: AlgorithmDef[] = [
  { ...sha256, name: 'hash', summary: 'same as sha256' },
  sha256,
  {
    name: 'md5',
    param: 'none',
    keySafe: true,
    summary: 'MD5 of the value, 32 hex digits',
    output: (ctx) => textOut(ctx, false, 32),
    make: () => (v) => hash('md5', canonical(v), 'hex'),
  },
  {
    name: 'hmac',
    param: 'secret',
    keySafe: true,
    summary: 'HMAC-SHA256 keyed by the referenced secret, 64 hex digits',
    output: (ctx) => textOut(ctx, false, 64),
    make: (ctx) => {
      const prf = ctx.secretPrf;
      return (v) => prf.hex(canonical(v));
    },
  },
  {
    name: 'redact',
    param: 'none',
    summary: "the text 'REDACTED'",
    output: (ctx) => textOut(ctx, false, 8),
    make: () => () => 'REDACTED',
  },
];
