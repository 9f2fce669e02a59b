import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { sql } from '../support/pg-compare.js';

export const exec = promisify(execFile);

/** pgbench and psql from the server's bin dir (Debian keeps them off PATH). */
export function pgTool(name: 'pgbench' | 'psql'): string {
  for (const major of readdirSync('/usr/lib/postgresql').sort().reverse()) {
    const p = `/usr/lib/postgresql/${major}/bin/${name}`;
    if (existsSync(p)) return p;
  }
  return name;
}

/** Polls until `done()` holds; returns the elapsed ms since `startedAt`. */
export async function timeUntil(startedAt: number, done: () => Promise<boolean>, timeoutMs: number, what: string): Promise<number> {
  const deadline = startedAt + timeoutMs;
  while (Date.now() < deadline) {
    if (await done().catch(() => false)) return Date.now() - startedAt;
    await sleep(50);
  }
  throw new Error(`bench: timed out waiting for ${what}`);
}

/** count and sum of a column, to tell when a copy has caught up with its source. */
export async function fingerprint(url: string, table: string, column: string): Promise<string> {
  const { rows } = await sql(url, `SELECT count(*)::text || ':' || coalesce(sum(${column}), 0)::text AS f FROM ${table}`);
  return rows[0].f;
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

export const fmt = (n: number) => Math.round(n).toLocaleString('en');
