import { Client } from 'pg';
import type { Logger } from 'pino';
import { StartupError } from '../config/startup-error';
import { ConnectionLimits, describeDatabase, pgConnectionSettings } from './connection-settings';

/** Errors after which asking again cannot help: wrong credentials, no such database, a refused option. */
const FINAL_CODES = new Set(['28P01', '28000', '3D000', '42501', '42704', '22023']);

/** PostgreSQL does not answer: `exitCode` 1 when it may come (a supervisor can start again), 2 when DATABASE_URL itself is wrong. */
export class DatabaseUnavailableError extends StartupError {}

/**
 * Waits at start until the database at `url` accepts a connection and answers `SELECT 1`, trying
 * again every second for up to `waitSeconds` (a database started together with the hub is often a
 * few seconds later), with one log line per failed attempt naming host, port and database (never
 * the user or password). Each attempt is bounded by the connect timeout, so a server that accepts
 * and never answers is an attempt that failed, not a hang. Gives up at once when the answer says
 * retrying cannot help (authentication, no such database).
 */
export async function waitForDatabase(url: string, limits: ConnectionLimits, waitSeconds: number, log: Logger): Promise<void> {
  const where = describeDatabase(url);
  const until = Date.now() + waitSeconds * 1000;
  for (let attempt = 1; ; attempt++) {
    const error = await tryOnce(url, limits);
    if (!error) {
      if (attempt > 1) log.info({ database: where, attempt }, 'database answers');
      return;
    }
    const reason = describeError(error);
    const code = (error as { code?: string }).code;
    if (code && FINAL_CODES.has(code)) {
      throw new DatabaseUnavailableError(`DATABASE_URL: the PostgreSQL at ${where} refused the hub: ${reason}.`, 2);
    }
    const left = until - Date.now();
    if (left <= 0) {
      throw new DatabaseUnavailableError(
        `DATABASE_URL: no PostgreSQL answered at ${where} within ${waitSeconds} s (HUB_DB_WAIT_SECONDS; ${attempt} attempt${attempt > 1 ? 's' : ''}, last: ${reason}).`,
        1,
      );
    }
    const retryInMs = Math.min(RETRY_MS, left);
    log.warn({ database: where, attempt, error: reason, retryInMs, waitSeconds }, `database at ${where} not answering yet (attempt ${attempt}): ${reason}; trying again`);
    await new Promise((r) => setTimeout(r, retryInMs));
  }
}

const RETRY_MS = 1000;

async function tryOnce(url: string, limits: ConnectionLimits): Promise<Error | undefined> {
  const client = new Client({ connectionString: url, ...pgConnectionSettings(limits, 'hokatsu-hub start-up check') });
  client.on('error', () => undefined); // reported through the promise below
  let timer: NodeJS.Timeout | undefined;
  // The connect timeout covers the handshake up to the server's first "ready"; the query gets the same bound.
  const timeout = new Promise<Error>((resolve) => {
    timer = setTimeout(() => resolve(new Error(`no answer within ${limits.connectTimeoutMs} ms (HUB_DB_CONNECT_TIMEOUT_MS)`)), limits.connectTimeoutMs * 2);
  });
  const attempt = (async () => {
    await client.connect();
    await client.query('SELECT 1');
    return undefined;
  })().catch((err: Error) => err);
  const result = await Promise.race([attempt, timeout]);
  clearTimeout(timer);
  if (result) {
    // Never wait for a server that does not answer to acknowledge the goodbye.
    (client as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream?.destroy();
    return result;
  }
  await client.end().catch(() => undefined);
  return undefined;
}

function describeError(err: Error): string {
  const e = err as Error & { code?: string };
  if (e.message === 'timeout expired') return `no answer within the connect timeout (HUB_DB_CONNECT_TIMEOUT_MS)`;
  const text = e.message || String(e);
  return e.code && !text.includes(e.code) ? `${text} (${e.code})` : text;
}
