import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../src/database/data-source-options';
import { runMigrations } from '../../src/database/migrate';
import { connectionLimits } from '../../src/database/connection-settings';
import { loadConfig } from '../../src/config/app-config';
import { realPostgres } from './hub';

/**
 * "Medium" tests (immich's term): a feature's repository or service against the run's real
 * PostgreSQL, migrated, without booting the whole hub. Data comes from the small factories below,
 * each making exactly the rows a test names (unique per call, so tests never collide on the shared
 * run database). The HTTP suite (test/integration) stays for what needs the whole service.
 */
export interface MediumDb {
  db: DataSource;
  close(): Promise<void>;
}

export async function mediumDb(): Promise<MediumDb> {
  const url = process.env.HUB_TEST_DATABASE_URL;
  if (!url) throw new Error('HUB_TEST_DATABASE_URL is not set: run through jest (test/support/global-setup.ts)');
  const waitIdle = (process as unknown as Record<string, (() => Promise<void>) | undefined>).__hubEmbeddedWaitIdle;
  if (waitIdle) await waitIdle();
  const config = loadConfig({ NODE_ENV: 'test', DATABASE_URL: url });
  await runMigrations(url, !realPostgres, connectionLimits(config, 'migrations'));
  // The embedded database takes one connection at a time: let the migration's close before opening ours.
  if (waitIdle) await waitIdle();
  const db = new DataSource(dataSourceOptions(url, !realPostgres, realPostgres ? 4 : 1, connectionLimits(config), 'hokatsu-hub medium test'));
  await db.initialize();
  return { db, close: () => db.destroy() };
}

let sequence = 0;
/** A value unique across test files and runs sharing the database (names, keys). */
export function unique(prefix: string): string {
  sequence += 1;
  return `${prefix}-${process.pid}-${Date.now().toString(36)}-${sequence}`;
}

/** A municipality with a valid code (check digit computed); participating unless told otherwise. */
export async function makeMunicipality(db: DataSource, opts: { code?: string; name?: string; participates?: boolean } = {}): Promise<string> {
  const code = opts.code ?? freshMunicipalityCode();
  await db.query(
    `INSERT INTO municipality (code, prefecture_code, prefecture, name, participates)
     VALUES ($1::char(6), substr($1::text, 1, 2), 'テスト県', $2, $3)
     ON CONFLICT (code) DO UPDATE SET participates = EXCLUDED.participates`,
    [code, opts.name ?? `テスト市${code}`, opts.participates ?? true],
  );
  return code;
}

/** A licensed nursery in the municipality, taking the given class ages. */
export async function makeFacility(
  db: DataSource,
  municipalityCode: string,
  opts: { name?: string; classAges?: number[]; latitude?: number; longitude?: number } = {},
): Promise<string> {
  const id = randomUUID();
  const name = opts.name ?? unique('テスト保育園');
  await db.query(
    `INSERT INTO facility (id, municipality_code, kind, name, search_text, source, source_key, source_updated_at, latitude, longitude)
     VALUES ($1::uuid, $2, 'LICENSED_NURSERY', $3, $3, 'TEST', $1::text, now(), $4, $5)`,
    [id, municipalityCode, name, opts.latitude ?? null, opts.longitude ?? null],
  );
  for (const age of opts.classAges ?? [0, 1, 2, 3, 4, 5]) {
    await db.query(`INSERT INTO facility_class_age (facility_id, class_age) VALUES ($1, $2)`, [id, age]);
  }
  return id;
}

/**
 * Codes 90000x–99999x are not used by any real municipality in the national list (prefecture codes
 * end at 47), so a generated one never collides with reference data.
 */
function freshMunicipalityCode(): string {
  const body = `9${String(Math.floor(Math.random() * 10_000)).padStart(4, '0')}`;
  const digits = [...body].map(Number);
  const sum = digits[0] * 6 + digits[1] * 5 + digits[2] * 4 + digits[3] * 3 + digits[4] * 2;
  return `${body}${(11 - (sum % 11)) % 10}`;
}
