import { ChildProcess, execSync, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * The service as a user runs it: `node dist/src/main.js` (what `npm start` runs after building).
 * Start-up configuration errors, the embedded database surviving a restart, and SIGTERM.
 */
const root = join(__dirname, '..', '..');

beforeAll(() => {
  execSync('npm run build', { cwd: root, stdio: 'ignore' });
}, 120_000);

interface Running {
  child: ChildProcess;
  url: string;
  output: () => string;
  exited: Promise<number | null>;
}

function run(env: Record<string, string>): Running {
  const child = spawn(process.execPath, ['dist/src/main.js'], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn', ...env },
  });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, url: '', output: () => out, exited };
}

async function started(r: Running, timeoutMs = 60_000): Promise<string> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const m = /running: (http:\/\/\S+)\/graphql/.exec(r.output());
    if (m) return m[1];
    if (r.child.exitCode !== null || Date.now() > until) throw new Error(`did not start:\n${r.output()}`);
    await new Promise((res) => setTimeout(res, 100));
  }
}

async function gql(url: string, query: string, key?: string) {
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
    body: JSON.stringify({ query }),
  });
  return (await res.json()) as any;
}

describe('the service process', () => {
  it.each([
    [{ PORT: 'not-a-port' }, /PORT:/],
    [{ NODE_ENV: 'production' }, /DATABASE_URL: production needs a real PostgreSQL/],
    [{ NODE_ENV: 'production', DATABASE_URL: 'postgres://x@127.0.0.1:1/x', HUB_ADMIN_KEY: 'demo-admin-key-demo-admin-key-demo' }, /HUB_ENCRYPTION_KEYS/],
  ])('refuses to start on %j, naming the variable', async (env, message) => {
    const r = run(env);
    expect(await r.exited).toBe(2);
    expect(r.output()).toMatch(message);
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
