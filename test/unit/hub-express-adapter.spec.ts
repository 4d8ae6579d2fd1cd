import { ExpressAdapter } from '@nestjs/platform-express';
import type { AddressInfo } from 'node:net';
import { HubExpressAdapter } from '../../src/common/hub-express-adapter';

/**
 * Serves one Express route through the adapter's HTTP server and counts how often a request or
 * response had its prototype changed while it was handled (what Express's app.handle does unless
 * the object was built on the right prototype).
 */
async function serve(adapter: ExpressAdapter, options: { forceCloseConnections?: boolean } = {}) {
  const app = adapter.getInstance();
  app.get('/echo', (req: any, res: any) => res.json({ ip: req.ip, host: req.get('host'), appIsApp: req.app === app, xhr: req.xhr, query: req.query }));
  adapter.initHttpServer(options);
  const server = adapter.getHttpServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const original = Object.setPrototypeOf;
  let changed = 0;
  const spy = jest.spyOn(Object, 'setPrototypeOf').mockImplementation((o: object, proto: object | null) => {
    if (Object.getPrototypeOf(o) !== proto) changed++;
    return original(o, proto);
  });
  try {
    const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/echo?a=1`);
    return { status: res.status, body: (await res.json()) as Record<string, unknown>, changed };
  } finally {
    spy.mockRestore();
    await new Promise((resolve) => server.close(resolve));
  }
}

describe('HubExpressAdapter', () => {
  it("builds requests and responses on Express's prototypes, so Express changes none of them", async () => {
    const hub = await serve(new HubExpressAdapter());
    expect(hub).toEqual({ status: 200, body: { ip: '127.0.0.1', host: expect.stringMatching(/^127\.0\.0\.1:\d+$/), appIsApp: true, xhr: false, query: { a: '1' } }, changed: 0 });
  });

  it('answers exactly as the stock adapter does, which changes the prototype of each request and response', async () => {
    const stock = await serve(new ExpressAdapter());
    const hub = await serve(new HubExpressAdapter());
    expect(stock.changed).toBe(2);
    expect({ ...hub, changed: undefined, body: { ...hub.body, host: undefined } }).toEqual({ ...stock, changed: undefined, body: { ...stock.body, host: undefined } });
  });

  it("keeps Nest's own server for the options the hub does not use, and still answers the same", async () => {
    const stock = await serve(new ExpressAdapter());
    const fallback = await serve(new HubExpressAdapter(), { forceCloseConnections: true });
    expect(fallback.changed).toBe(2);
    expect({ ...fallback, body: { ...fallback.body, host: undefined } }).toEqual({ ...stock, body: { ...stock.body, host: undefined } });
  });
});
