import { createHash } from 'node:crypto';
import type { Pool, QueryResultRow } from 'pg';
import { DataSource, EntityManager } from 'typeorm';

/**
 * TypeORM's postgres driver returns `[rows, affectedCount]` for UPDATE and DELETE … RETURNING but
 * plain rows for SELECT and INSERT; this gives the rows either way.
 */
export function returnedRows<T>(result: unknown): T[] {
  if (Array.isArray(result) && result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number') return result[0] as T[];
  return result as T[];
}

/**
 * Runs a hot statement as a named prepared statement: PostgreSQL parses and plans it once per
 * connection instead of on every call (planning the search cost more than executing it, planning the
 * import's writer about a millisecond per file). The name is derived from the text, so every variant
 * of a generated statement gets its own. On a DataSource it takes any pooled connection; on an
 * EntityManager inside a transaction, the transaction's own connection.
 */
export async function preparedQuery<T>(on: DataSource | EntityManager, sql: string, params: unknown[]): Promise<T[]> {
  const client = namedStatements ? clientOf(on) : undefined;
  if (!client) return on.query(sql, params);
  let name = preparedNames.get(sql);
  if (!name) {
    name = `hub_${createHash('sha1').update(sql).digest('hex').slice(0, 20)}`;
    preparedNames.set(sql, name);
  }
  return (await client.query<T & QueryResultRow>({ name, text: sql, values: params })).rows;
}

/** The pg pool of a DataSource, or the connection of a transaction's EntityManager (none outside one). */
function clientOf(on: DataSource | EntityManager): Pick<Pool, 'query'> | undefined {
  if (on instanceof DataSource) return (on.driver as unknown as { master: Pool }).master;
  return (on.queryRunner as unknown as { databaseConnection?: Pick<Pool, 'query'> } | undefined)?.databaseConnection;
}

const preparedNames = new Map<string, string>();

let namedStatements = true;

/**
 * Whether hot statements are prepared under a name. Off on a single-session database (the embedded
 * PGlite): it is one session shared by every connection made to it over the process's life, so a
 * statement a closed connection prepared is still there when a new connection prepares it again (a
 * new pg client does not know it), and PostgreSQL refuses the second PREPARE. Set once at start.
 */
export function useNamedStatements(on: boolean): void {
  namedStatements = on;
}
