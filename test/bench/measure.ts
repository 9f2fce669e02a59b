import { execFile, execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import pg from 'pg';
import { pgClientConfig } from '../../shared/postgres/pg-connect.js';
import type { Daemon } from '../support/daemons.js';

export const exec = promisify(execFile);

let binDir: string | null | undefined;
/**
 * pgbench and psql from the server's bin dir, looked up the way the harness
 * finds initdb: pg_config --bindir, then the newest /usr/lib/postgresql/<major>
 * (Debian keeps them off PATH), then PATH.
 */
export function pgTool(name: 'pgbench' | 'psql'): string {
  if (binDir === undefined) {
    binDir = null;
    const dirs: string[] = [];
    try {
      dirs.push(execFileSync('pg_config', ['--bindir'], { encoding: 'utf8' }).trim());
    } catch {
      // pg_config is optional
    }
    try {
      const majors = readdirSync('/usr/lib/postgresql').sort((a, b) => Number(b) - Number(a));
      dirs.push(...majors.map((m) => `/usr/lib/postgresql/${m}/bin`));
    } catch {
      // not a Debian layout
    }
    binDir = dirs.find((d) => existsSync(path.join(d, 'pgbench'))) ?? null;
  }
  return binDir && existsSync(path.join(binDir, name)) ? path.join(binDir, name) : name;
}

/** One long-lived connection for polling, so a poll does not fork a backend. */
export class Db {
  private readonly client: pg.Client;
  private ready: Promise<void>;
  constructor(readonly url: string) {
    this.client = new pg.Client(pgClientConfig(url));
    this.client.on('error', () => {});
    this.ready = this.client.connect().then(() => {});
  }
  async query(text: string, params: unknown[] = []): Promise<Record<string, string | null>[]> {
    await this.ready;
    return (await this.client.query(text, params)).rows;
  }
  /** First column of the first row, as a number (NaN for null or no row). */
  async num(text: string, params: unknown[] = []): Promise<number> {
    const rows = await this.query(text, params);
    const v = rows[0] ? Object.values(rows[0])[0] : null;
    return v === null || v === undefined ? NaN : Number(v);
  }
  async end(): Promise<void> {
    await this.ready.catch(() => {});
    await this.client.end().catch(() => {});
  }
}

/** Polls every `everyMs` until `done()` holds (errors count as "not yet"); returns performance.now() of the first true poll. */
export async function waitUntil(what: string, done: () => Promise<boolean>, timeoutMs: number, everyMs = 20): Promise<number> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    // An error means "not yet" (a table not created yet), unless it says it is fatal.
    if (await done().catch((e) => (e?.fatal ? Promise.reject(e) : false))) return performance.now();
    await sleep(everyMs);
  }
  throw new Error(`bench: timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${what}`);
}

/**
 * Waits until a capture's snapshot is all at the destination (`reached()`),
 * failing at once if either daemon exits, with both logs' tails. Returns when
 * the last row was seen and when the capture logged 'snapshot starting'.
 */
export async function waitForSnapshot(what: string, capture: Daemon, sink: Daemon, reached: () => Promise<boolean>, timeoutMs: number): Promise<{ done: number; snapshotStarted: number }> {
  let snapshotStarted = NaN;
  const done = await waitUntil(
    what,
    async () => {
      if (Number.isNaN(snapshotStarted) && capture.log.includes('snapshot starting')) snapshotStarted = performance.now();
      if (!capture.running || !sink.running) throw Object.assign(new Error('a daemon exited'), { fatal: true });
      return reached();
    },
    timeoutMs,
    100,
  ).catch((e) => {
    throw new Error(`${(e as Error).message}\n--- capture ---\n${capture.log.slice(-2000)}\n--- sink ---\n${sink.log.slice(-2000)}`);
  });
  return { done, snapshotStarted };
}

/** count and sum of a column, to tell that a copy equals its source. */
export async function fingerprint(db: Db, table: string, column: string): Promise<string> {
  const rows = await db.query(`SELECT count(*)::text || ':' || coalesce(sum(${column}), 0)::text AS f FROM ${table}`);
  return rows[0].f!;
}

/** Nearest-rank percentile of an ascending array. */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

export const fmt = (n: number) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en') : String(n));
export const ms1 = (n: number) => (Number.isFinite(n) ? n.toFixed(1) : String(n));
export const round2 = (n: number) => Math.round(n * 100) / 100;
