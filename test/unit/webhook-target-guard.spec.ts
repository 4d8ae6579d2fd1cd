import type { LookupAddress } from 'node:dns';
import { AppConfig } from '../../src/config/app-config';
import { HostResolver, WebhookTargetGuard, WebhookTargetRefused } from '../../src/outbox/webhook-target-guard';

const ANSWERS: Record<string, LookupAddress[]> = {
  'public.partner.test': [{ address: '93.184.216.34', family: 4 }, { address: '2606:2800:220:1:248:1893:25c8:1946', family: 6 }],
  'db.partner.test': [{ address: '10.0.0.5', family: 4 }],
  'mixed.partner.test': [{ address: '93.184.216.34', family: 4 }, { address: '127.0.0.1', family: 4 }],
  'mapped.partner.test': [{ address: '::ffff:10.0.0.1', family: 6 }],
  'metadata.partner.test': [{ address: '169.254.169.254', family: 4 }],
  'ula.partner.test': [{ address: 'fd00::5', family: 6 }],
  'loop.partner.test': [{ address: '127.0.0.1', family: 4 }],
};
const resolver: HostResolver = async (hostname) => {
  const answer = ANSWERS[hostname];
  if (!answer) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
  return answer;
};

function guard(privateTargets: string, production = false): WebhookTargetGuard {
  const g = new WebhookTargetGuard({ isProduction: production, privateWebhookTargets: privateTargets } as AppConfig);
  g.useResolver(resolver);
  return g;
}

function lookup(g: WebhookTargetGuard, hostname: string, options: object): Promise<{ err: NodeJS.ErrnoException | null; address: unknown; family?: number }> {
  return new Promise((resolve) => g.lookup(hostname, options, (err, address, family) => resolve({ err, address, family })));
}

describe('WebhookTargetGuard at registration', () => {
  it.each([
    ['https://public.partner.test/hook', 'none'],
    ['https://unknown.partner.test/hook', 'none'],
    ['https://loop.partner.test/hook', 'loopback'],
  ])('accepts %s (private targets: %s); a name that does not resolve yet is left to delivery', async (url, targets) => {
    await expect(guard(targets).checkForRegistration(url, 'input.url')).resolves.toBe(url);
  });

  it.each([
    'https://db.partner.test/hook',
    'https://mixed.partner.test/hook',
    'https://mapped.partner.test/hook',
    'https://metadata.partner.test/hook',
    'https://ula.partner.test/hook',
    'https://loop.partner.test/hook',
  ])('refuses %s: its name resolves to an address that is not public, which the error does not name', async (url) => {
    const error = await guard('none').checkForRegistration(url, 'input.url').catch((e) => e);
    expect(error).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.url' });
    for (const { address } of Object.values(ANSWERS).flat()) expect(error.message).not.toContain(address);
  });
});

describe('WebhookTargetGuard.lookup: what the delivery sockets connect to', () => {
  it('hands the checked addresses to the socket, all of them or the first, by family', async () => {
    const g = guard('none');
    expect(await lookup(g, 'public.partner.test', { all: true })).toEqual({ err: null, address: ANSWERS['public.partner.test'], family: undefined });
    expect(await lookup(g, 'public.partner.test', {})).toEqual({ err: null, address: '93.184.216.34', family: 4 });
    expect(await lookup(g, 'public.partner.test', { family: 6 })).toEqual({ err: null, address: '2606:2800:220:1:248:1893:25c8:1946', family: 6 });
  });

  it.each(['db.partner.test', 'mixed.partner.test', 'mapped.partner.test', 'metadata.partner.test', 'ula.partner.test', 'loop.partner.test', 'localhost', 'x.localhost'])(
    'refuses %s when private targets are closed',
    async (hostname) => {
      const { err } = await lookup(guard('none'), hostname, { all: true });
      expect(err).toBeInstanceOf(WebhookTargetRefused);
      expect(err).toMatchObject({ code: 'ERR_WEBHOOK_TARGET_REFUSED', message: expect.stringContaining(hostname) });
    },
  );

  it('lets loopback through when it is listed, and never the metadata service', async () => {
    expect((await lookup(guard('loopback'), 'loop.partner.test', { all: true })).err).toBeNull();
    expect((await lookup(guard('loopback, 169.254.0.0/16'), 'metadata.partner.test', { all: true })).err).toBeInstanceOf(WebhookTargetRefused);
  });

  it('passes the resolver\'s own failure on', async () => {
    expect((await lookup(guard('none'), 'unknown.partner.test', { all: true })).err).toMatchObject({ code: 'ENOTFOUND' });
  });
});
