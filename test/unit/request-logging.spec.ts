import { EventEmitter } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { requestLogging, rootLogger } from '../../src/common/logger';

/** A request through the middleware, as Express and Node's http server drive it. */
function run(url: string, options: { status?: number; abandoned?: boolean; requestId?: string } = {}) {
  const req = { headers: options.requestId ? { 'x-request-id': options.requestId } : {}, method: 'POST', url } as unknown as IncomingMessage & { id?: string };
  const res = Object.assign(new EventEmitter(), { statusCode: options.status ?? 200, writableFinished: !options.abandoned, headers: {} as Record<string, string> }) as unknown as ServerResponse & { headers: Record<string, string> };
  res.setHeader = ((name: string, value: string) => ((res as unknown as { headers: Record<string, string> }).headers[name] = value)) as never;
  let nextCalled = false;
  requestLogging((u) => u.startsWith('/health'))(req, res, () => (nextCalled = true));
  // Express's router strips the mount path while it routes.
  req.url = '/';
  res.emit(options.abandoned ? 'close' : 'finish');
  res.emit('close');
  return { req, res, nextCalled };
}

describe('requestLogging (access log and request id)', () => {
  const levels = ['info', 'warn', 'error'] as const;
  let spies: Record<(typeof levels)[number], jest.SpyInstance>;
  beforeEach(() => {
    rootLogger.level = 'info';
    spies = Object.fromEntries(levels.map((l) => [l, jest.spyOn(rootLogger, l).mockImplementation(() => undefined)])) as never;
  });
  afterEach(() => jest.restoreAllMocks());

  it.each([
    // [status, abandoned, level, message]
    [200, false, 'info', 'request completed'],
    [400, false, 'info', 'request completed'],
    [503, false, 'error', 'request errored'],
    [200, true, 'warn', 'request aborted'],
  ] as const)('status %i, abandoned %s → one %s line "%s" with the URL the client asked for', (status, abandoned, level, message) => {
    const { nextCalled } = run('/graphql', { status, abandoned });
    expect(nextCalled).toBe(true);
    expect(spies[level]).toHaveBeenCalledTimes(1);
    const [fields, msg] = spies[level].mock.calls[0];
    expect(msg).toBe(message);
    expect(fields).toMatchObject({ req: { method: 'POST', url: '/graphql' }, res: { statusCode: status } });
    for (const other of levels.filter((l) => l !== level)) expect(spies[other]).not.toHaveBeenCalled();
  });

  it('does not log health probes', () => {
    run('/health/live');
    for (const l of levels) expect(spies[l]).not.toHaveBeenCalled();
  });

  it.each([
    ['letters, digits, . _ -', 'abc-123.X_y', 'abc-123.X_y'],
    ['a space', 'has space', null],
    ['101 characters', 'x'.repeat(101), null],
  ])('caller request id with %s: kept if sane, else a new one', (_label, given, kept) => {
    const { req, res } = run('/graphql', { requestId: given });
    if (kept) expect(req.id).toBe(kept);
    else expect(req.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.headers['x-request-id']).toBe(req.id);
  });
});
