import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { ConnectionLimits, pgConnectionSettings } from './connection-settings';
import { dataSourceOptions } from './data-source-options';

const MIGRATION_LOCK = 7_140_001;

/**
 * Runs pending migrations. On a real server several instances may start at once: a session-level
 * advisory lock on a separate connection makes them take turns. The embedded database has one
 * connection and one process, so it needs no lock. Both connections carry the migration limits
 * (connect timeout, a statement timeout long enough for a migration, and for the lock's wait).
 */
export async function runMigrations(url: string, embedded: boolean, limits: ConnectionLimits): Promise<string[]> {
  let lock: Client | undefined;
  if (!embedded) {
    lock = new Client({ connectionString: url, ...pgConnectionSettings(limits, 'hokatsu-hub migration lock') });
    try {
      await lock.connect();
      await lock.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    } catch (err) {
      await lock.end().catch(() => undefined);
      throw err;
    }
  }
  const ds = new DataSource(dataSourceOptions(url, embedded, 1, limits, 'hokatsu-hub migrations'));
  try {
    await ds.initialize();
    const ran = await ds.runMigrations({ transaction: 'each' });
    return ran.map((m) => m.name);
  } finally {
    if (ds.isInitialized) await ds.destroy();
    if (lock) {
      await lock.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
      await lock.end();
    }
  }
}
