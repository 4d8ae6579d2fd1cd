import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEMO_KEYS } from '../../src/config/app-config';
import { buildOnce, cli, killLeftovers, gql, linesOf, projectRoot, run, Running, started } from '../support/process';

/**
 * The embedded database (PGlite under HUB_DATA_DIR) is opened by one process at a time: two hub
 * processes on one data directory used to both start and serve, and lost acknowledged rows. Real
 * processes, as `npm start` and `npm run hub -- …` run them.
 */
beforeAll(buildOnce, 120_000);
afterAll(killLeftovers);

const dataDir = mkdtempSync(join(tmpdir(), 'hub-lock-'));
const lockFile = join(dataDir, 'hub.lock');
const env = { HUB_DATA_DIR: dataDir };
const VIEWER = `{ viewer { client { name } } }`;
let key: string;

async function stop(r: Running, signal: NodeJS.Signals = 'SIGTERM') {
  r.child.kill(signal);
  return r.exited;
}

describe('one process per data directory', () => {
  it('refuses a second service and the command line while the first serves, naming it; the first keeps serving and loses nothing', async () => {
    const first = run(env);
    const url = await started(first);
    const owner = JSON.parse(readFileSync(lockFile, 'utf8'));
    const served = `http://127.0.0.1:${new URL(url).port}/graphql`;
    expect(owner).toMatchObject({ pid: first.child.pid, command: 'service', url: served });

    const second = run(env);
    expect(await second.exited).toBe(2);
    expect(linesOf(second.output())).toEqual([expect.stringContaining(`in use by another hub process (pid ${first.child.pid} on `)]);
    expect(second.output()).toContain(`serving ${served}`);
    expect(second.output()).not.toMatch(/\n\s+at /);

    const imported = await cli(['import-vacancies', join(projectRoot, 'data/vacancy/itabashi.json'), '--municipality', '131199', '--intake-month', '2026-09'], env);
    expect(imported.code).toBe(2);
    expect(linesOf(imported.out)).toEqual([expect.stringContaining(`pid ${first.child.pid}`)]);
    expect(imported.out).toContain(`through its GraphQL API at ${served}`);
    expect(imported.out).not.toContain('applied');

    // The first is untouched: it answers, and what it writes is kept.
    const created = await gql(url, `mutation { createApiClient(input: { name: "written while refused", role: PARTNER }) { key } }`, DEMO_KEYS.ADMIN);
    key = created.data.createApiClient.key;
    expect((await gql(url, VIEWER, key)).data.viewer.client.name).toBe('written while refused');
    expect(await stop(first)).toBe(0);
    expect(existsSync(lockFile)).toBe(false);

    const again = run(env);
    const url2 = await started(again);
    expect((await gql(url2, VIEWER, key)).data.viewer.client.name).toBe('written while refused');
    expect(await stop(again)).toBe(0);
  }, 240_000);

  it('takes over the lock a killed process left behind', async () => {
    const victim = run(env);
    await started(victim);
    await stop(victim, 'SIGKILL');
    expect(JSON.parse(readFileSync(lockFile, 'utf8')).pid).toBe(victim.child.pid);

    const next = run(env);
    const url = await started(next);
    expect(JSON.parse(readFileSync(lockFile, 'utf8')).pid).toBe(next.child.pid);
    expect((await gql(url, VIEWER, key)).data.viewer.client.name).toBe('written while refused');
    expect(await stop(next)).toBe(0);
  }, 240_000);

  it('lets the command line run once the service has stopped', async () => {
    const report = await cli(['demo-report'], env);
    expect(report.code).toBe(0);
    expect(report.out).toContain('unmatchedCoordinates');
    expect(existsSync(lockFile)).toBe(false);
  }, 120_000);
});
