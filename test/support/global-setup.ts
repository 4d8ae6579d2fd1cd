import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';

/**
 * One database per test run. With TEST_DATABASE_URL (or DATABASE_URL) a fresh database is created
 * on that server; without, an embedded PGlite is started in this process (jest runs in band, so the
 * tests reach it over its single loopback connection). Migrations and demo data are loaded once,
 * by the first hub a test starts.
 */
export default async function globalSetup() {
  const server = process.env.TEST_DATABASE_URL || process.env.DATABASE_URL;
  if (server) {
    const name = `hub_test_${Date.now()}_${process.pid}`;
    const admin = new Client({ connectionString: server });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    const url = new URL(server);
    url.pathname = `/${name}`;
    process.env.HUB_TEST_DATABASE_URL = url.toString();
    process.env.HUB_TEST_REAL_POSTGRES = '1';
    (globalThis as Record<string, unknown>).__hubTestDrop = async () => {
      const c = new Client({ connectionString: server });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => undefined);
      await c.end();
    };
  } else {
    const { startEmbeddedPostgres } = await import('../../src/database/embedded-postgres');
    const embedded = await startEmbeddedPostgres(mkdtempSync(join(tmpdir(), 'hub-test-')));
    process.env.HUB_TEST_DATABASE_URL = embedded.url;
    (globalThis as Record<string, unknown>).__hubTestDrop = () => embedded.stop();
    // Shared with the test files (same process when running in band; globalThis is per test file).
    (process as unknown as Record<string, unknown>).__hubEmbeddedWaitIdle = () => embedded.waitIdle();
  }
}
