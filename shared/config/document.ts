import { readFileSync } from 'node:fs';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document } from 'yaml';
import type { z } from 'zod';
import { NilusError } from '../errors.js';
import { hasReference, ReferenceError_, resolveReferences } from './references.js';

export type KeyPath = (string | number)[];

/**
 * A loaded YAML config that remembers where every value came from, so a
 * validation error can name the file, the line and the key path.
 */
export interface ConfigDocument {
  file: string;
  /** The plain data, with ${env:…}/${file:…} references resolved. */
  data: unknown;
  /** Parses the value at `path` with a schema; errors point into the file. */
  parse<S extends z.ZodTypeAny>(path: KeyPath, schema: S): z.output<S>;
  /** Builds a config error for the value at `path`. */
  error(path: KeyPath, message: string, hint?: string): NilusError;
}

export function loadConfigFile(file: string): ConfigDocument {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new NilusError('CONFIG_INVALID', `config file ${file} cannot be read (${(e as NodeJS.ErrnoException).code ?? 'error'})`, 'check the path given with -c');
  }
  return loadConfigText(text, file);
}

export function loadConfigText(text: string, file: string): ConfigDocument {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const err = doc.errors[0];
    const { line, col } = lines.linePos(err.pos[0]);
    throw new NilusError('CONFIG_SYNTAX', `${file}:${line}:${col}: ${err.message.split('\n')[0]}`, 'fix the YAML syntax at that line (indentation, a missing colon or an unclosed quote)');
  }
  const where = (path: KeyPath): string => {
    const node = nearestNode(doc, path);
    const range = (node as { range?: [number, number, number] } | undefined)?.range;
    if (!range) return file;
    const { line } = lines.linePos(range[0]);
    return `${file}:${line}`;
  };
  const error = (path: KeyPath, message: string, hint?: string) =>
    new NilusError('CONFIG_INVALID', `${where(path)}: ${path.length ? formatPath(path) + ': ' : ''}${message}`, hint);

  const data = resolveTree(doc.toJS({ maxAliasCount: 100 }), [], file, error);
  return {
    file,
    data,
    error,
    parse(path, schema) {
      const result = schema.safeParse(valueAt(data, path));
      if (result.success) return result.data;
      const issue = result.error.issues[0] as Issue;
      const full = [...path, ...(issue.path as KeyPath)];
      return fail(error(full, describeIssue(issue), 'see config/README.md for every key and its meaning'));
    },
  };
}

function fail(e: Error): never {
  throw e;
}

function resolveTree(value: unknown, path: KeyPath, file: string, error: ConfigDocument['error']): unknown {
  if (typeof value === 'string' && hasReference(value)) {
    try {
      return resolveReferences(value, file);
    } catch (e) {
      if (e instanceof ReferenceError_) throw error(path, e.message, 'set the variable or create the file, or change the reference');
      throw e;
    }
  }
  if (Array.isArray(value)) return value.map((v, i) => resolveTree(v, [...path, i], file, error));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolveTree(v, [...path, k], file, error)]));
  }
  return value;
}

function valueAt(data: unknown, path: KeyPath): unknown {
  let v = data;
  for (const k of path) v = v && typeof v === 'object' ? (v as Record<string | number, unknown>)[k] : undefined;
  return v;
}

/** The node at `path`, or its deepest existing ancestor (a missing key is reported where its parent is). */
function nearestNode(doc: Document, path: KeyPath): unknown {
  for (let n = path.length; n >= 0; n--) {
    const node = doc.getIn(path.slice(0, n), true);
    if (node && (isScalar(node) || isMap(node) || isSeq(node))) return node;
  }
  return doc.contents;
}

function formatPath(path: KeyPath): string {
  return path.map((k, i) => (typeof k === 'number' ? `[${k}]` : i === 0 ? k : `.${k}`)).join('');
}

type Issue = z.core.$ZodIssue;

function describeIssue(issue: Issue): string {
  switch (issue.code) {
    case 'invalid_type':
      return /received undefined/.test(issue.message) ? `missing (expected ${issue.expected})` : `expected ${issue.expected}`;
    case 'unrecognized_keys':
      return `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
    case 'invalid_value':
      return `expected one of ${issue.values.map((o) => JSON.stringify(o)).join(', ')}`;
    case 'invalid_union': {
      // The branch that got furthest says most: prefer one that is not a plain type mismatch.
      const branches = issue.errors.map((b) => b[0]).filter(Boolean);
      const best = branches.find((b) => b.code !== 'invalid_type') ?? branches[0];
      return best ? describeIssue(best) : issue.message;
    }
    default:
      return issue.message;
  }
}
