import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { realPostgres } from '../support/hub';
import { buildOnce, cli as runCli, killLeftovers, gql, linesOf, projectRoot as root, run, started } from '../support/process';

/**
 * The service as a user runs it: `node <flags> dist/src/main.js` (what `npm start` runs after building).
 * Start-up configuration errors, the embedded database surviving a restart, and SIGTERM.
 */
beforeAll(buildOnce, 120_000);
afterAll(killLeftovers);

describe('the service process', () => {
  it.each([
    [{ PORT: 'not-a-port' }, /PORT:/],
    [{ NODE_ENV: 'production' }, /DATABASE_URL: production needs a real PostgreSQL/],
    [{ NODE_ENV: 'production', DATABASE_URL: 'postgres://x@127.0.0.1:1/x', HUB_ADMIN_KEY: 'demo-admin-key-demo-admin-key-demo' }, /HUB_ENCRYPTION_KEYS/],
    [{ HUB_DB_WAIT_SECONDS: 'forever' }, /^Invalid configuration: HUB_DB_WAIT_SECONDS:/],
    [{ HUB_DB_CONNECT_TIMEOUT_MS: '0' }, /^Invalid configuration: HUB_DB_CONNECT_TIMEOUT_MS:/],
  ])('refuses to start on %j in one line naming the variable (exit 2, no stack)', async (env, message) => {
    const r = run(env);
    expect(await r.exited).toBe(2);
    // One line per bad variable (production also names the missing admin key and the demo key ring).
    const lines = linesOf(r.output());
    expect(lines.every((line) => /^Invalid configuration: [A-Z_]+: /.test(line))).toBe(true);
    expect(lines.filter((line) => message.test(line))).toHaveLength(1);
  });

  it('starts on the embedded database with demo data, keeps data across restarts, and stops cleanly on SIGTERM', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'hub-process-'));
    const first = run({ HUB_DATA_DIR: dataDir });
    const url = await started(first);
    expect(first.output()).toContain('demo-partner-key');
    const created = await gql(url, `mutation { createApiClient(input: { name: "kept", role: PARTNER }) { key } }`, 'demo-admin-key');
    const key = created.data.createApiClient.key;
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);

    const second = run({ HUB_DATA_DIR: dataDir });
    const url2 = await started(second);
    const viewer = await gql(url2, `{ viewer { client { name } } }`, key);
    expect(viewer.data.viewer.client.name).toBe('kept');
    const live = await fetch(`${url2}/health/ready`);
    expect(live.status).toBe(200);
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  }, 180_000);
});

describe('the command line (npm run hub -- …)', () => {
  // A database of its own, so that what these commands write is not seen by other test files:
  // a fresh database on the real server, or an embedded one in a temporary folder.
  let dbEnv: Record<string, string>;
  let dropDatabase: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    if (realPostgres) {
      const url = new URL(process.env.HUB_TEST_DATABASE_URL!);
      const name = `hub_cli_${Date.now()}_${process.pid}`;
      const admin = new Client({ connectionString: url.toString() });
      await admin.connect();
      await admin.query(`CREATE DATABASE ${name}`);
      await admin.end();
      url.pathname = `/${name}`;
      dbEnv = { DATABASE_URL: url.toString() };
      dropDatabase = async () => {
        const c = new Client({ connectionString: process.env.HUB_TEST_DATABASE_URL });
        await c.connect();
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        await c.end();
      };
    } else {
      dbEnv = { HUB_DATA_DIR: mkdtempSync(join(tmpdir(), 'hub-cli-db-')) };
    }
  });
  afterAll(() => dropDatabase?.());

  const cli = (args: string[]) => runCli(args, dbEnv);

  it('imports a 子育て施設一覧 file, and the same file again changes nothing', async () => {
    const text = readFileSync(join(root, 'data/facilities/hachioji_kosodate_shisetsu_ichiran.csv'), 'utf8').split(/\r?\n/);
    const file = join(mkdtempSync(join(tmpdir(), 'hub-cli-')), 'daycare.csv');
    writeFileSync(file, [text[0], ...text.slice(1).filter((l) => l && !l.includes('幼稚園'))].join('\n'));
    const first = await cli(['import-facilities', file]);
    expect(first.code).toBe(0);
    expect(first.out).toMatch(/^applied: \d+ rows, \d+ created/m);
    const again = await cli(['import-facilities', file]);
    expect(again.code).toBe(0);
    expect(again.out).toMatch(/applied: (\d+) rows, 0 created, 0 updated, \1 unchanged, 0 rejected/);
  }, 120_000);

  it('refuses a file with bad rows, naming each line, and exits 1', async () => {
    const bad = await cli(['import-facilities', join(root, 'data/facilities/hachioji_kosodate_shisetsu_ichiran.csv')]);
    expect(bad.code).toBe(1);
    expect(bad.out).toMatch(/^line \d+/m);
    expect(bad.out).toContain('REJECTED (nothing changed)');
  }, 120_000);

  it("loads the demo data, checks a municipality's vacancy list (dry run) and prints the demo load report", async () => {
    expect((await cli(['seed-demo'])).code).toBe(0);
    const r = await cli(['import-vacancies', join(root, 'data/vacancy/itabashi.json'), '--municipality', '131199', '--intake-month', '2026-09', '--dry-run']);
    expect(r.out).toMatch(/dry run: would apply: 210 rows/);
    expect(r.code).toBe(0);
    const report = await cli(['demo-report']);
    expect(report.code).toBe(0);
    expect(report.out).toContain('unmatchedCoordinates');
  }, 120_000);
});

describe('the embedded database across a reconnect of its single connection', () => {
  // PGlite is ONE PostgreSQL session for the life of the process: a statement a closed connection
  // prepared under a name is still there when the pool opens a new connection. The hub must keep
  // working across such a reconnect (it prepares nothing by name there).
  it('searches before and after the pool replaced its connection', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'hub-embedded-session-'));
    const script = `
      const { startHub } = require('./dist/src/bootstrap');
      const { DataSource } = require('typeorm');
      (async () => {
        const hub = await startHub({ NODE_ENV: 'test', HUB_DATA_DIR: ${JSON.stringify(dataDir)}, HUB_DEMO: 'true', HUB_WORKERS: 'false', PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent', HUB_ADMIN_KEY: 'test-bootstrap-admin-key-0123456789' });
        const search = async () => (await fetch(hub.url + '/graphql', { method: 'POST', headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ query: '{ vacancySearch(filter: { classAge: 1, intakeMonth: "2026-09", municipalityCodes: ["131199"] }, first: 3) { edges { node { facility { id } figure { seats } } } } }' }) })).json();
        const before = await search();
        const client = await hub.app.get(DataSource).driver.master.connect();
        client.release(true);
        const after = await search();
        console.log('RESULT ' + JSON.stringify({ before, after }));
        await hub.stop();
      })().catch((e) => { console.error(e); process.exit(1); });`;
    const child = spawn(process.execPath, ['-e', script], { cwd: root, env: { PATH: process.env.PATH ?? '' } });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    expect(await new Promise((resolve) => child.on('exit', resolve))).toBe(0);
    const { before, after } = JSON.parse(/RESULT (.*)/.exec(out)![1]);
    expect(before.errors).toBeUndefined();
    expect(before.data.vacancySearch.edges.length).toBeGreaterThan(0);
    expect(after).toEqual(before);
  }, 180_000);
});
