import pg from 'pg';
import { pgClientConfig } from '../../shared/postgres/pg-connect.js';

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
