import { mkdtempSync, writeFileSync } from 'node:fs';
import { AddressInfo, createServer, Server, Socket, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeWithRealPostgres, startTestHub } from '../support/hub';
import { buildOnce, killLeftovers, linesOf, run, started } from '../support/process';

/**
 * Start-up never hangs and never gives up early: the hub waits for the database a bounded time with a
 * log line per attempt, every connection has a connect timeout, and what the operator must fix
 * (configuration, data directory) is one line before anything touches the database. Real processes
 * against real sockets; the limits are made small through the environment.
 */
beforeAll(buildOnce, 120_000);
afterAll(killLeftovers);

/** A TCP server on a loopback port that accepts every connection and never says a word; counts them. */
async function silentServer(): Promise<{ port: number; connections: () => number; close: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  let count = 0;
  const server = createServer((socket) => {
    count++;
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    connections: () => count,
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

const noStack = (out: string) => expect(out).not.toMatch(/\n\s+at \S/);

describe('a database that accepts connections and never answers', () => {
  it('is tried again with a log line per attempt naming host and port (not the password), then the hub exits naming DATABASE_URL', async () => {
    const db = await silentServer();
    try {
      const hub = run({ DATABASE_URL: `postgres://hub:sekret-password@127.0.0.1:${db.port}/hub`, HUB_DB_CONNECT_TIMEOUT_MS: '300', HUB_DB_WAIT_SECONDS: '2', HUB_DEMO: 'false' });
      expect(await hub.exited).toBe(1);
      const lines = linesOf(hub.output());
      const attempts = lines.filter((l) => l.includes(`database at 127.0.0.1:${db.port}/hub not answering yet`));
      expect(attempts.length).toBeGreaterThanOrEqual(2);
      expect(lines.at(-1)).toMatch(new RegExp(`^DATABASE_URL: no PostgreSQL answered at 127.0.0.1:${db.port}/hub within 2 s \\(HUB_DB_WAIT_SECONDS; \\d+ attempts, last: no answer within the connect timeout`));
      expect(lines).toHaveLength(attempts.length + 1);
      expect(db.connections()).toBe(attempts.length + 1);
      expect(hub.output()).not.toContain('sekret');
      noStack(hub.output());
    } finally {
      await db.close();
    }
  }, 60_000);
});

describe('what the operator must fix is found before the database is touched: one line, exit 2, no stack', () => {
  it.each([
    ['a malformed HUB_ENCRYPTION_KEYS', { HUB_ENCRYPTION_KEYS: 'k1:short' }, /^Invalid configuration: HUB_ENCRYPTION_KEYS: HUB_ENCRYPTION_KEYS is invalid: key "k1" is not base64 of exactly 32 bytes\./],
    ['an empty key ring entry list', { HUB_ENCRYPTION_KEYS: ' , ' }, /^Invalid configuration: HUB_ENCRYPTION_KEYS: /],
    ['a database wait that is not a number', { HUB_DB_WAIT_SECONDS: 'a while' }, /^Invalid configuration: HUB_DB_WAIT_SECONDS: /],
  ])('%s', async (_, env, message) => {
    const db = await silentServer();
    try {
      const hub = run({ DATABASE_URL: `postgres://hub@127.0.0.1:${db.port}/hub`, ...env });
      expect(await hub.exited).toBe(2);
      expect(linesOf(hub.output())).toEqual([expect.stringMatching(message)]);
      expect(db.connections()).toBe(0);
    } finally {
      await db.close();
    }
  }, 30_000);

  it.each([
    ['/proc/x', /^HUB_DATA_DIR: \/proc\/x cannot hold the embedded database: cannot create \/proc\/x \(ENOENT\)\.$/],
    ['a file', /^HUB_DATA_DIR: \S+ is not a directory\.$/],
  ])('an unusable HUB_DATA_DIR: %s', async (dir, message) => {
    let dataDir = dir;
    if (dir === 'a file') writeFileSync((dataDir = join(mkdtempSync(join(tmpdir(), 'hub-file-')), 'not-a-dir')), 'x');
    const hub = run({ HUB_DATA_DIR: dataDir });
    expect(await hub.exited).toBe(2);
    expect(linesOf(hub.output())).toEqual([expect.stringMatching(message)]);
  }, 30_000);
});

describeWithRealPostgres('a database that comes up after the hub', () => {
  it('is waited for: the hub logs each attempt and starts once it answers', async () => {
    // A proxy to the run's PostgreSQL on a port that only starts listening a few seconds after the hub.
    const target = new URL(process.env.HUB_TEST_DATABASE_URL!);
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as AddressInfo).port;
    await new Promise((resolve) => probe.close(resolve));
    const url = new URL(target);
    url.hostname = '127.0.0.1';
    url.port = String(port);
    const hub = run({
      NODE_ENV: 'test', DATABASE_URL: url.toString(), HUB_DB_WAIT_SECONDS: '60', HUB_DB_CONNECT_TIMEOUT_MS: '1000', LOG_LEVEL: 'info',
      HUB_DEMO: 'false', HUB_WORKERS: 'false', HUB_ADMIN_KEY: 'test-bootstrap-admin-key-0123456789',
    });
    const attempts = () => linesOf(hub.output()).filter((l) => l.includes(`database at 127.0.0.1:${port}${target.pathname} not answering yet`)).length;
    let proxy: Server | undefined;
    try {
      // The database comes up after the hub has tried twice (a second apart).
      while (attempts() < 2) {
        expect(hub.child.exitCode).toBeNull();
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      proxy = createServer((client) => {
        const upstream = connect(Number(target.port || 5432), target.hostname);
        client.on('error', () => upstream.destroy());
        upstream.on('error', () => client.destroy());
        client.pipe(upstream).pipe(client);
      });
      await new Promise<void>((resolve) => proxy!.listen(port, '127.0.0.1', resolve));
      const base = await started(hub);
      expect(attempts()).toBeGreaterThanOrEqual(2);
      expect(hub.output()).toContain('"msg":"database answers"');
      expect((await fetch(`${base}/health/ready`)).status).toBe(200);
      hub.child.kill('SIGTERM');
      expect(await hub.exited).toBe(0);
    } finally {
      hub.child.kill('SIGKILL');
      await hub.exited;
      await new Promise((resolve) => (proxy ? proxy.close(resolve) : resolve(undefined)));
    }
  }, 120_000);
});

describeWithRealPostgres('limits on every connection', () => {
  it('ends a statement after HUB_DB_STATEMENT_TIMEOUT_MS and a transaction left idle after HUB_DB_IDLE_IN_TRANSACTION_TIMEOUT_MS', async () => {
    const t = await startTestHub({ HUB_WORKERS: 'false', HUB_DB_STATEMENT_TIMEOUT_MS: '700', HUB_DB_IDLE_IN_TRANSACTION_TIMEOUT_MS: '800' });
    try {
      expect(await t.db.query(`SELECT current_setting('statement_timeout') AS s, current_setting('idle_in_transaction_session_timeout') AS i`)).toEqual([{ s: '700ms', i: '800ms' }]);
      await expect(t.db.query('SELECT pg_sleep(3)')).rejects.toMatchObject({ driverError: { code: '57014' } });
      const runner = t.db.createQueryRunner();
      await runner.startTransaction();
      await runner.query('SELECT 1');
      await new Promise((resolve) => setTimeout(resolve, 1500));
      await expect(runner.query('SELECT 1')).rejects.toBeDefined();
      await runner.release().catch(() => undefined);
      // The pool recovers: the next statement gets a working connection.
      expect(await t.db.query('SELECT 1 AS one')).toEqual([{ one: 1 }]);
    } finally {
      await t.close();
    }
  }, 60_000);
});
