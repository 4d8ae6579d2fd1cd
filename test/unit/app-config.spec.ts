import { ConfigError, DEMO_ENCRYPTION_KEYS, DEMO_KEYS, loadConfig } from '../../src/config/app-config';

const PROD_OK = {
  NODE_ENV: 'production',
  DATABASE_URL: 'postgres://hub:secret@db:5432/hub',
  HUB_ADMIN_KEY: 'x'.repeat(40),
  HUB_ENCRYPTION_KEYS: 'k1:c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LTEyMzQ=',
};

describe('loadConfig', () => {
  it('has defaults that make `npm start` work on a laptop', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({ PORT: 3000, embedded: true, demoEnabled: true, isProduction: false });
  });

  it('accepts a complete production configuration', () => {
    const c = loadConfig(PROD_OK);
    expect(c).toMatchObject({ isProduction: true, embedded: false, demoEnabled: false });
  });

  it.each([
    [{ PORT: 'abc' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL'],
    [{ NODE_ENV: 'staging' }, 'NODE_ENV'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
    [{ HUB_ADMIN_KEY: 'short' }, 'HUB_ADMIN_KEY'],
    [{ HUB_DEMO: 'maybe' }, 'HUB_DEMO'],
    [{ HUB_SEARCH_CACHE: 'sometimes' }, 'HUB_SEARCH_CACHE'],
    [{ HUB_GRAPHQL_JIT: 'maybe' }, 'HUB_GRAPHQL_JIT'],
    [{ HUB_RATE_LIMIT_PER_MINUTE: '0' }, 'HUB_RATE_LIMIT_PER_MINUTE'],
    [{ HUB_PROCESSES: '2' }, 'HUB_PROCESSES'],
    [{ HUB_PRIVATE_WEBHOOK_TARGETS: 'everything' }, 'HUB_PRIVATE_WEBHOOK_TARGETS'],
    [{ HUB_PRIVATE_WEBHOOK_TARGETS: '10.0.0.0/40' }, 'HUB_PRIVATE_WEBHOOK_TARGETS'],
    [{ HUB_INTROSPECTION: 'admins' }, 'HUB_INTROSPECTION'],
    [{ HUB_MAX_BODY_BYTES: '5mb' }, 'HUB_MAX_BODY_BYTES'],
    [{ HUB_MAX_BODY_BYTES: '100' }, 'HUB_MAX_BODY_BYTES'],
  ])('stops on %j naming %s', (env, name) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(new RegExp(`${name}:`));
  });

  it.each([
    [{ DATABASE_URL: undefined }, 'DATABASE_URL'],
    [{ HUB_DEMO: 'true' }, 'HUB_DEMO'],
    [{ HUB_ADMIN_KEY: undefined }, 'HUB_ADMIN_KEY'],
    [{ HUB_ADMIN_KEY: DEMO_KEYS.ADMIN }, 'HUB_ADMIN_KEY'],
    [{ HUB_ADMIN_KEY: 'y'.repeat(20) }, 'HUB_ADMIN_KEY'],
    [{ HUB_ENCRYPTION_KEYS: DEMO_ENCRYPTION_KEYS }, 'HUB_ENCRYPTION_KEYS'],
    [{ HUB_ENCRYPTION_KEYS: undefined }, 'HUB_ENCRYPTION_KEYS'],
  ])('production refuses %j (%s)', (override, name) => {
    const env: Record<string, string | undefined> = { ...PROD_OK, ...override };
    for (const k of Object.keys(env)) if (env[k] === undefined) delete env[k];
    expect(() => loadConfig(env)).toThrow(new RegExp(name));
  });

  it('lets webhooks reach loopback receivers outside production only, unless set explicitly', () => {
    expect(loadConfig({}).privateWebhookTargets).toBe('loopback');
    expect(loadConfig(PROD_OK).privateWebhookTargets).toBe('none');
    expect(loadConfig({ ...PROD_OK, HUB_PRIVATE_WEBHOOK_TARGETS: '10.20.0.0/16' }).privateWebhookTargets).toBe('10.20.0.0/16');
    expect(loadConfig({ HUB_PRIVATE_WEBHOOK_TARGETS: 'none' }).privateWebhookTargets).toBe('none');
  });

  it.each<[Record<string, string>, boolean]>([
    [{}, true],
    [{ HUB_INTROSPECTION: 'false' }, false],
    [PROD_OK, false],
    [{ ...PROD_OK, HUB_INTROSPECTION: 'true' }, true],
  ])('introspection and suggestions for every caller with %j: %s (else ADMIN only)', (env, open) => {
    expect(loadConfig(env).schemaOpenToAll).toBe(open);
  });

  it.each([
    ['no key id', 'c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LTEyMzQ='],
    ['a key of 16 bytes', 'k1:c2VjcmV0LXNlY3JldC0xMg=='],
    ['a key that is not base64', 'k1:not*base64*at*all*not*base64*at*all*xx'],
    ['a key id twice', 'k1:c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LTEyMzQ=,k1:c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LTEyMzQ='],
    ['only commas', ',,'],
  ])('refuses a key ring with %s before anything else runs, in one line that names the variable and no key', (_, value) => {
    let message = '';
    try {
      loadConfig({ HUB_ENCRYPTION_KEYS: value });
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      message = (e as Error).message;
    }
    expect(message).toMatch(/^Invalid configuration: HUB_ENCRYPTION_KEYS: /);
    expect(message.split('\n')).toHaveLength(1);
    expect(message).not.toContain('c2VjcmV0');
  });

  it.each([
    [{ HUB_DB_WAIT_SECONDS: '-1' }, 'HUB_DB_WAIT_SECONDS'],
    [{ HUB_DB_CONNECT_TIMEOUT_MS: '10' }, 'HUB_DB_CONNECT_TIMEOUT_MS'],
    [{ HUB_DB_STATEMENT_TIMEOUT_MS: 'soon' }, 'HUB_DB_STATEMENT_TIMEOUT_MS'],
    [{ HUB_DB_IDLE_IN_TRANSACTION_TIMEOUT_MS: '1.5' }, 'HUB_DB_IDLE_IN_TRANSACTION_TIMEOUT_MS'],
    [{ HUB_MIGRATION_STATEMENT_TIMEOUT_MS: '0' }, 'HUB_MIGRATION_STATEMENT_TIMEOUT_MS'],
  ])('refuses database limits %j naming %s', (env, name) => {
    expect(() => loadConfig(env)).toThrow(new RegExp(`^Invalid configuration: ${name}:`));
  });

  it('has database limits that bound every wait', () => {
    expect(loadConfig({})).toMatchObject({ HUB_DB_WAIT_SECONDS: 60, HUB_DB_CONNECT_TIMEOUT_MS: 5000, HUB_DB_STATEMENT_TIMEOUT_MS: 60_000, HUB_DB_IDLE_IN_TRANSACTION_TIMEOUT_MS: 60_000 });
  });

  it('lists every bad variable at once, one line each', () => {
    expect(() => loadConfig({ PORT: 'x', LOG_LEVEL: 'y' })).toThrow(/^Invalid configuration: PORT: .*\nInvalid configuration: LOG_LEVEL: [^\n]*$/);
  });

  it('lists every bad variable at once', () => {
    try {
      loadConfig({ PORT: 'x', LOG_LEVEL: 'y' });
      throw new Error('should have thrown');
    } catch (e) {
      expect((e as Error).message).toMatch(/PORT:[\s\S]*LOG_LEVEL:/);
    }
  });
});
