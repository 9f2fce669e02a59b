import { readFileSync } from 'node:fs';
import { isAbsolute, resolve, dirname } from 'node:path';

export class ReferenceError_ extends Error {}

const REF = /\$\{(env|file):([^}]+)\}/g;

/**
 * Replaces ${env:NAME} and ${file:/path} in a string value. A reference that is the
 * whole value is inserted as it is; one embedded in a URI (e.g. the password part
 * of an address) is percent-encoded, so secrets with @ : / ? # % … still parse.
 */
export function resolveReferences(value: string, configFile: string | undefined): string {
  const whole = /^\$\{(env|file):([^}]+)\}$/.test(value);
  const inUri = !whole && /^[a-z][a-z0-9+.-]*:\/\//i.test(value);
  return value.replace(REF, (_m, kind: string, name: string) => {
    const resolved = kind === 'env' ? readEnv(name) : readSecretFile(name, configFile);
    return inUri ? encodeURIComponent(resolved) : resolved;
  });
}

function readEnv(name: string): string {
  const v = process.env[name];
  if (v === undefined) throw new ReferenceError_(`environment variable ${name} is not set`);
  return v;
}

function readSecretFile(path: string, configFile: string | undefined): string {
  const full = isAbsolute(path) || !configFile ? path : resolve(dirname(configFile), path);
  try {
    // A trailing newline is an artefact of editors and `echo`, never part of a secret.
    return readFileSync(full, 'utf8').replace(/\r?\n$/, '');
  } catch (e) {
    throw new ReferenceError_(`secret file ${full} cannot be read (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}

export function hasReference(value: string): boolean {
  return /\$\{(env|file):[^}]+\}/.test(value);
}
