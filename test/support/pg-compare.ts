import pg from 'pg';
import { pgClientConfig } from '../../shared/postgres/pg-connect.js';
import { waitNoDifference, type Daemon } from './daemons.js';

/** Rows of a table as the server's text, in key order: equal text means equal values. */
export async function tableText(url: string, table: string, orderBy = 'id'): Promise<string[][]> {
  const client = new pg.Client(pgClientConfig(url));
  await client.connect();
  try {
    const { rows } = await client.query({ text: `SELECT * FROM ${table} ORDER BY ${orderBy}`, rowMode: 'array' });
    return rows as string[][];
  } finally {
    await client.end();
  }
}

export async function sql(url: string, text: string, params: unknown[] = []): Promise<pg.QueryResult> {
  const client = new pg.Client(pgClientConfig(url));
  await client.connect();
  try {
    return await client.query(text, params);
  } finally {
    await client.end();
  }
}

/** True when the destination holds exactly the source's rows (a missing table counts as different). */
export async function sameRows(sourceUrl: string, destUrl: string, table: string, orderBy = 'id'): Promise<boolean> {
  try {
    const [a, b] = await Promise.all([tableText(sourceUrl, table, orderBy), tableText(destUrl, table, orderBy)]);
    return JSON.stringify(a) === JSON.stringify(b);
  } catch {
    return false;
  }
}

/** The first difference between the source's and the destination's rows of a table, or null when they are equal. */
export async function pgDifference(sourceUrl: string, destUrl: string, table: string, orderBy = 'id'): Promise<string | null> {
  let a: string[][], b: string[][];
  try {
    [a, b] = await Promise.all([tableText(sourceUrl, table, orderBy), tableText(destUrl, table, orderBy)]);
  } catch (e) {
    return `cannot read both sides: ${(e as Error).message}`;
  }
  const key = (r: string[]) => r[0];
  const dest = new Map(b.map((r) => [key(r), r]));
  const missing: string[] = [];
  const stale: string[] = [];
  for (const r of a) {
    const d = dest.get(key(r));
    dest.delete(key(r));
    if (!d) missing.push(key(r));
    else if (JSON.stringify(d) !== JSON.stringify(r)) stale.push(`${key(r)}: source ${JSON.stringify(r)}, destination ${JSON.stringify(d)}`);
  }
  const extra = [...dest.keys()];
  if (!missing.length && !stale.length && !extra.length) return null;
  return `${table}: ${a.length} source rows, ${b.length} destination rows; missing ${missing.length} (${missing.slice(0, 5).join(', ')}), extra ${extra.length} (${extra.slice(0, 5).join(', ')}), stale ${stale.length}${stale.length ? ` (${stale.slice(0, 3).join('; ')})` : ''}`;
}

/** Waits until the destination holds exactly the source's rows; the error says how they differ last. */
export function waitSameRows(sourceUrl: string, destUrl: string, table: string, what: string, timeoutMs: number, daemons: Daemon[]): Promise<void> {
  return waitNoDifference(what, () => pgDifference(sourceUrl, destUrl, table), timeoutMs, daemons);
}
