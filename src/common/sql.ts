import { createHash } from 'node:crypto';
import type { Pool, QueryResultRow } from 'pg';
import type { DataSource } from 'typeorm';

/**
 * TypeORM's postgres driver returns `[rows, affectedCount]` for UPDATE and DELETE … RETURNING but
 * plain rows for SELECT and INSERT; this gives the rows either way.
 */
export function returnedRows<T>(result: unknown): T[] {
  if (Array.isArray(result) && result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number') return result[0] as T[];
  return result as T[];
}

/**
 * Runs a hot read as a named prepared statement: PostgreSQL parses and plans it once per
 * connection instead of on every call (the search's planning cost more than its execution). The
 * name is derived from the text, so every variant of a generated statement gets its own. Outside
 * a transaction only (it takes any pooled connection).
 */
export async function preparedQuery<T>(db: DataSource, sql: string, params: unknown[]): Promise<T[]> {
  if (!namedStatements) return db.query(sql, params);
  let name = preparedNames.get(sql);
  if (!name) {
    name = `hub_${createHash('sha1').update(sql).digest('hex').slice(0, 20)}`;
    preparedNames.set(sql, name);
  }
  const pool = (db.driver as unknown as { master: Pool }).master;
  const result = await pool.query<T & QueryResultRow>({ name, text: sql, values: params });
  return result.rows;
}

const preparedNames = new Map<string, string>();

let namedStatements = true;

/**
 * Whether hot statements are prepared under a name. Off on the embedded database: PGlite is one
 * session shared by every connection made to it over the process's life, so a statement a closed
 * connection prepared is still there when a new connection prepares it again (a new pg client
 * does not know it), and PostgreSQL refuses the second PREPARE. Set once at start.
 */
export function useNamedStatements(on: boolean): void {
  namedStatements = on;
}

export function namedStatementsInUse(): boolean {
  return namedStatements;
}
