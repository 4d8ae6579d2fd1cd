import { Client, ClientConfig } from 'pg';
import { DataSourceOptions } from 'typeorm';
import { ALL_MIGRATIONS } from '../../migrations';
import { ConnectionLimits, pgConnectionSettings } from './connection-settings';
import { ALL_ENTITIES } from './entities';

const POOL_WAIT_MS = 30_000;

/** pg's Pool gives its own options to every Client it creates; this class puts the connect timeout back. */
function clientWithConnectTimeout(connectTimeoutMs: number): typeof Client {
  return class HubPoolClient extends Client {
    constructor(config?: ClientConfig) {
      super({ ...config, connectionTimeoutMillis: connectTimeoutMs });
    }
  };
}

/** One definition used by the app, the command line and the tests: migrations only, never synchronize. */
export function dataSourceOptions(url: string, embedded: boolean, poolSize: number, limits: ConnectionLimits, applicationName = 'hokatsu-hub'): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    entities: ALL_ENTITIES,
    migrations: ALL_MIGRATIONS,
    migrationsRun: false,
    migrationsTransactionMode: 'each',
    synchronize: false,
    logging: false,
    extra: {
      ...pgConnectionSettings(limits, applicationName),
      max: embedded ? 1 : poolSize,
      // For the pool this is how long a caller waits for a free connection (under a burst that can be
      // seconds; a deadlock on the single embedded connection still fails loudly instead of hanging)…
      connectionTimeoutMillis: Math.max(limits.connectTimeoutMs, POOL_WAIT_MS),
      // …while each new connection of the pool must be accepted within the connect timeout.
      Client: clientWithConnectTimeout(limits.connectTimeoutMs),
    },
  };
}
