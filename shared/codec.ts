import { Packr } from 'msgpackr';
import { ENVELOPE_VERSION } from './envelope.js';
import { NilusError } from './errors.js';

// int64AsType keeps 64-bit integers as bigint on the way back; plain objects, no records,
// so any msgpack reader (Python, Go) can read the stream without msgpackr extensions.
const packr = new Packr({ useRecords: false, int64AsType: 'bigint', mapsAsObjects: true, moreTypes: false });

export function encode(body: unknown): Uint8Array {
  return packr.pack(body);
}

export function decode<T extends { v: number }>(data: Uint8Array): T {
  const body = packr.unpack(data) as T;
  if (body?.v !== ENVELOPE_VERSION) {
    throw new NilusError('ENVELOPE_VERSION', `message has envelope version ${String(body?.v)}, this Nilus reads version ${ENVELOPE_VERSION}`, 'upgrade the reading daemon to the version of the capture that wrote the stream');
  }
  return body;
}
