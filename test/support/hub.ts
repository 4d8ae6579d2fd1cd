import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { DataSource } from 'typeorm';
import { Hub, startHub } from '../../src/bootstrap';
import { AdjustableClock } from '../../src/common/clock';
import { DEMO_KEYS } from '../../src/config/app-config';

export { DEMO_KEYS };

/** True when the run has a real PostgreSQL (several connections at once); see global-setup. */
export const realPostgres = process.env.HUB_TEST_REAL_POSTGRES === '1';
/** describe() for tests that need several real connections at once; skipped on the embedded database. */
export const describeWithRealPostgres = realPostgres ? describe : describe.skip;

export interface GqlResult<T = any> {
  status: number;
  data: T;
  errors?: Array<{ message: string; path?: string[]; extensions: { code: string; messageJa: string; field: string | null; details?: any; requestId?: string } }>;
  headers: Headers;
}

export interface TestHub {
  hub: Hub;
  url: string;
  db: DataSource;
  clock: AdjustableClock;
  gql<T = any>(query: string, variables?: Record<string, unknown>, key?: string): Promise<GqlResult<T>>;
  /** Like gql, but fails the test on any error and returns data. */
  ok<T = any>(query: string, variables?: Record<string, unknown>, key?: string): Promise<T>;
  /** Count SQL statements run while fn runs (for N+1 tests). */
  countQueries(fn: () => Promise<unknown>): Promise<number>;
  close(): Promise<void>;
}

/** Boot the whole hub on a random port against the run's database, as the service runs in production. */
export async function startTestHub(env: Record<string, string> = {}): Promise<TestHub> {
  const url = process.env.HUB_TEST_DATABASE_URL;
  if (!url) throw new Error('HUB_TEST_DATABASE_URL is not set: run through jest (test/support/global-setup.ts)');
  const clock = new AdjustableClock();
  const waitIdle = (process as unknown as Record<string, (() => Promise<void>) | undefined>).__hubEmbeddedWaitIdle;
  if (waitIdle) await waitIdle();
  const hub = await startHub(
    {
      NODE_ENV: 'test',
      DATABASE_URL: url,
      DB_POOL_SIZE: realPostgres ? '8' : '1',
      PORT: '0',
      HOST: '127.0.0.1',
      HUB_DEMO: 'true',
      HUB_ADMIN_KEY: 'test-bootstrap-admin-key-0123456789',
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent',
      HUB_RATE_LIMIT_PER_MINUTE: '100000',
      HUB_WORKER_INTERVAL_MS: '50',
      ...env,
    },
    { clock },
  );
  const db = hub.app.get(DataSource);
  const base = hub.url;
  const gql = async (query: string, variables?: Record<string, unknown>, key?: string) => {
    const res = await fetch(`${base}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await res.json()) as { data: any; errors?: any };
    return { status: res.status, data: body.data, errors: body.errors, headers: res.headers };
  };
  return {
    hub,
    url: base,
    db,
    clock,
    gql,
    async ok(query, variables, key) {
      const r = await gql(query, variables, key);
      if (r.errors?.length) throw new Error(`GraphQL errors: ${JSON.stringify(r.errors, null, 2)}`);
      return r.data;
    },
    async countQueries(fn) {
      const driver = db.driver as unknown as { master: { on: Function; off: Function } };
      const pool = driver.master as unknown as import('pg').Pool;
      let count = 0;
      const wrap = (client: any) => {
        if (client.__counted) return;
        const original = client.query.bind(client);
        client.query = (...args: unknown[]) => {
          if ((globalThis as any).__hubCounting) count++;
          return original(...args);
        };
        client.__counted = true;
      };
      pool.on('acquire', wrap);
      (globalThis as any).__hubCounting = true;
      try {
        await fn();
      } finally {
        (globalThis as any).__hubCounting = false;
        pool.off('acquire', wrap);
      }
      return count;
    },
    close: () => hub.stop(),
  };
}

/** A real local HTTP server standing in for an outside system (a municipality, a partner). */
export interface Receiver {
  url: string;
  requests: Array<{ method: string; path: string; headers: IncomingMessage['headers']; body: string; at: number }>;
  /** Decide the response for each request (default 204). */
  respond: (req: IncomingMessage, body: string) => { status: number; headers?: Record<string, string>; body?: string };
  waitFor(count: number, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export async function startReceiver(): Promise<Receiver> {
  const receiver: Receiver = {
    url: '',
    requests: [],
    respond: () => ({ status: 204 }),
    async waitFor(count, timeoutMs = 15_000) {
      const until = Date.now() + timeoutMs;
      while (receiver.requests.length < count) {
        if (Date.now() > until) throw new Error(`expected ${count} requests at ${receiver.url}, got ${receiver.requests.length}`);
        await new Promise((r) => setTimeout(r, 25));
      }
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      receiver.requests.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body, at: Date.now() });
      const out = receiver.respond(req, body);
      res.writeHead(out.status, out.headers ?? {});
      res.end(out.body ?? '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return receiver;
}

/** Poll until fn returns a truthy value (for background work such as deliveries). */
export async function eventually<T>(fn: () => Promise<T | undefined | null | false>, timeoutMs = 15_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}
