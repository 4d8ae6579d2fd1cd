import { isIP } from 'node:net';

/** Express's names for address ranges it knows. */
const RANGE_NAMES = ['loopback', 'linklocal', 'uniquelocal'];

/**
 * HUB_TRUST_PROXY as Express's 'trust proxy' setting: which proxies in front of the hub may say who
 * the client is (X-Forwarded-For). It decides the address an anonymous caller is rate-limited by, so
 * behind a load balancer on another host it must name that balancer, or every anonymous parent
 * shares the balancer's budget.
 *   "false"                       trust no proxy: the address is the socket's
 *   "true"                        trust every proxy: the left-most X-Forwarded-For (only when no client can reach the hub directly)
 *   "2"                           trust this many hops
 *   "loopback, 10.0.0.0/8, ::1"   trust these addresses or ranges (names: loopback, linklocal, uniquelocal)
 * Returns undefined when the value is none of these.
 */
export function trustProxySetting(value: string): boolean | number | string[] | undefined {
  const v = value.trim();
  if (v === 'true') return true;
  if (v === 'false') return false;
  if (/^\d+$/.test(v)) return Number(v);
  const items = v.split(',').map((s) => s.trim());
  if (!items.length || items.some((item) => !RANGE_NAMES.includes(item) && !isAddressOrRange(item))) return undefined;
  return items;
}

function isAddressOrRange(item: string): boolean {
  const [address, bits, ...rest] = item.split('/');
  const version = isIP(address);
  if (!version || rest.length) return false;
  if (bits === undefined) return true;
  return /^\d{1,3}$/.test(bits) && Number(bits) <= (version === 4 ? 32 : 128);
}
