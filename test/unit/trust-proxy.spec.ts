import { ConfigError, loadConfig } from '../../src/config/app-config';
import { trustProxySetting } from '../../src/config/trust-proxy';

describe('HUB_TRUST_PROXY', () => {
  it.each([
    ['loopback', ['loopback']],
    ['false', false],
    ['true', true],
    ['2', 2],
    ['loopback, 10.0.0.0/8, 192.168.1.7', ['loopback', '10.0.0.0/8', '192.168.1.7']],
    ['uniquelocal,linklocal', ['uniquelocal', 'linklocal']],
    ['fd00::/8, ::1', ['fd00::/8', '::1']],
  ])('%j means %j to Express', (value, setting) => {
    expect(trustProxySetting(value)).toEqual(setting);
    expect(loadConfig({ HUB_TRUST_PROXY: value }).HUB_TRUST_PROXY).toBe(value);
  });

  it.each(['yes', '10.0.0.0/33', 'fd00::/129', '10.0.0', 'loopback,', 'localhost', '10.0.0.0/8/1', '-1'])('refuses %j, naming the variable', (value) => {
    expect(trustProxySetting(value)).toBeUndefined();
    expect(() => loadConfig({ HUB_TRUST_PROXY: value })).toThrow(ConfigError);
    expect(() => loadConfig({ HUB_TRUST_PROXY: value })).toThrow(/HUB_TRUST_PROXY: HUB_TRUST_PROXY must be/);
  });

  it('trusts only the loopback proxy by default', () => {
    expect(trustProxySetting(loadConfig({}).HUB_TRUST_PROXY)).toEqual(['loopback']);
  });
});
