import { DataSourceOptions } from 'typeorm';
import { ALL_MIGRATIONS } from '../../migrations';
import { ALL_ENTITIES } from './entities';

/** One definition used by the app, the command line and the tests: migrations only, never synchronize. */
export function dataSourceOptions(url: string, embedded: boolean, poolSize: number): DataSourceOptions {
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
      max: embedded ? 1 : poolSize,
      // A deadlock on the single embedded connection should fail loudly, not hang.
      connectionTimeoutMillis: 30_000,
      application_name: 'hokatsu-hub',
    },
  };
}
