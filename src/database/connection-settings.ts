import type { ClientConfig } from 'pg';
import type { AppConfig } from '../config/app-config';

/**
 * The limits every database connection of the hub carries (pool, migrations and their lock, the
 * search cache's LISTEN connection, the command line), so that no start, request or job waits on
 * the database for ever: a connection that is not accepted and answered within `connectTimeoutMs`
 * fails; the server ends a statement after `statementTimeoutMs` and a session left idle inside a
 * transaction after `idleInTransactionTimeoutMs`. (The embedded PGlite enforces neither of the
 * last two: it is one single-threaded session without timers.)
 */
export interface ConnectionLimits {
  connectTimeoutMs: number;
  statementTimeoutMs: number;
  idleInTransactionTimeoutMs: number;
}

export function connectionLimits(config: AppConfig, use: 'service' | 'migrations' = 'service'): ConnectionLimits {
  return {
    connectTimeoutMs: config.HUB_DB_CONNECT_TIMEOUT_MS,
    statementTimeoutMs: use === 'migrations' ? config.HUB_MIGRATION_STATEMENT_TIMEOUT_MS : config.HUB_DB_STATEMENT_TIMEOUT_MS,
    idleInTransactionTimeoutMs: config.HUB_DB_IDLE_IN_TRANSACTION_TIMEOUT_MS,
  };
}

/** node-postgres settings for one connection (a Client, or each connection of a Pool). */
export function pgConnectionSettings(limits: ConnectionLimits, applicationName: string): ClientConfig {
  return {
    connectionTimeoutMillis: limits.connectTimeoutMs,
    // Sent in the start-up packet: in force from the first statement, on every connection of a pool.
    statement_timeout: limits.statementTimeoutMs,
    idle_in_transaction_session_timeout: limits.idleInTransactionTimeoutMs,
    application_name: applicationName,
  };
}

/** Where DATABASE_URL points, without the user name or password (for log lines and messages). */
export function describeDatabase(url: string): string {
  try {
    const u = new URL(url);
    const socket = u.searchParams.get('host');
    const where = socket ? `${socket} (socket)` : `${u.hostname || 'localhost'}:${u.port || '5432'}`;
    return `${where}${u.pathname && u.pathname !== '/' ? u.pathname : ''}`;
  } catch {
    return '(unparsable URL)';
  }
}
