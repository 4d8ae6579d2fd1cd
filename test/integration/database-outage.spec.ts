import { createServer, Server, Socket } from 'node:net';
import { AddressInfo } from 'node:net';
import { DEMO_KEYS, describeWithRealPostgres, startTestHub, TestHub } from '../support/hub';

/**
 * A TCP proxy in front of the test database that can be cut (every connection closed, new ones
 * refused) and restored on the same port: a database outage as the hub sees it, with no mock.
 */
class CuttableProxy {
  private server?: Server;
  private readonly sockets = new Set<Socket>();
  port = 0;

  constructor(private readonly target: { host: string; port: number }) {}

  get isOpen() {
    return !!this.server?.listening;
  }

  async open(port = 0) {
    this.server = createServer((client) => {
      const upstream = new Socket();
      this.sockets.add(client).add(upstream);
      const drop = () => {
        client.destroy();
        upstream.destroy();
        this.sockets.delete(client);
        this.sockets.delete(upstream);
      };
      client.on('error', drop).on('close', drop);
      upstream.on('error', drop).on('close', drop);
      upstream.connect(this.target.port, this.target.host, () => {
        client.pipe(upstream);
        upstream.pipe(client);
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(port, '127.0.0.1', () => resolve()));
    this.port = (this.server.address() as AddressInfo).port;
  }

  async cut() {
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }
}

describeWithRealPostgres('a database outage', () => {
  let proxy: CuttableProxy;
  let t: TestHub;
  beforeAll(async () => {
    const db = new URL(process.env.HUB_TEST_DATABASE_URL!);
    proxy = new CuttableProxy({ host: db.hostname, port: Number(db.port || 5432) });
    await proxy.open();
    db.hostname = '127.0.0.1';
    db.port = String(proxy.port);
    t = await startTestHub({ DATABASE_URL: db.toString(), HUB_WORKERS: 'false' });
  });
  afterAll(async () => {
    if (!proxy.isOpen) await proxy.open(proxy.port);
    await t?.close();
    await proxy.cut();
  });

  const ask = async (query: string, key?: string) => {
    const res = await fetch(`${t.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
      body: JSON.stringify({ query }),
    });
    return { status: res.status, headers: res.headers, body: (await res.json()) as { data?: any; errors?: Array<{ extensions: Record<string, any> }> } };
  };

  it('answers 503 SERVICE_UNAVAILABLE with Retry-After and the request id while PostgreSQL is unreachable, then recovers', async () => {
    expect((await ask('{ viewer { client { id } } }', DEMO_KEYS.PARTNER)).status).toBe(200);
    await proxy.cut();

    // The API key is checked against the database first (auth middleware); an anonymous read reaches a resolver.
    for (const [query, key] of [
      ['{ viewer { client { id } } }', DEMO_KEYS.PARTNER],
      ['{ facilities(first: 1) { totalCount } }', undefined],
    ] as const) {
      const a = await ask(query, key);
      expect(a.status).toBe(503);
      expect(a.headers.get('retry-after')).toMatch(/^\d+$/);
      const error = a.body.errors?.[0];
      expect(error?.extensions).toMatchObject({ code: 'SERVICE_UNAVAILABLE', requestId: a.headers.get('x-request-id') });
      expect(error?.extensions.messageJa).toBeTruthy();
    }
    const csv = await fetch(`${t.url}/open-data/facilities.csv`);
    expect(csv.status).toBe(503);
    expect(((await csv.json()) as any).errors[0].extensions.code).toBe('SERVICE_UNAVAILABLE');

    await proxy.open(proxy.port);
    const back = await ask('{ viewer { client { id } } }', DEMO_KEYS.PARTNER);
    expect(back.status).toBe(200);
    expect(back.body.data.viewer.client.id).toBeTruthy();
  });
});
