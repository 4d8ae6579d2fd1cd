/**
 * Which URLs may receive webhooks and municipality deliveries (pure). A receiver's URL is entered by
 * partners, operators and admins, and the hub POSTs signed personal data to it, so the hub must not be
 * usable to reach its own network (the cloud metadata service, the database, an admin port):
 *
 * - https only; http only outside production and only while local targets are allowed (local receivers
 *   in development and tests);
 * - no credentials, no fragment, at most 2,000 characters;
 * - every address the host stands for must be public: not loopback, private (RFC 1918), unique-local,
 *   link-local, carrier-grade NAT, multicast, broadcast, unspecified, reserved or documentation ranges,
 *   nor those written as IPv4-mapped or IPv4-compatible IPv6. Which addresses are public is ipaddr.js's
 *   classification (IANA special-purpose registries): only its 'unicast' is.
 * - HUB_PRIVATE_WEBHOOK_TARGETS opens listed non-public ranges on purpose (a municipality system on a
 *   closed network, local receivers). Link-local, multicast, broadcast, unspecified and the cloud
 *   metadata addresses stay closed whatever it says.
 *
 * A host written as an address is judged here; a host name is judged by the addresses it resolves to,
 * at registration and again when connecting (webhook-target-guard.ts).
 */
import ipaddr from 'ipaddr.js';
import { Errors } from '../common/errors';

const MAX_URL_LENGTH = 2000;

type Address = ipaddr.IPv4 | ipaddr.IPv6;
export type AddressRange = [Address, number];

export interface WebhookTargetPolicy {
  /** http:// is accepted (outside production, when local targets are allowed). */
  allowHttp: boolean;
  /** Non-public ranges that may be reached anyway (HUB_PRIVATE_WEBHOOK_TARGETS). */
  privateRanges: readonly AddressRange[];
}

/** Nothing but https to public addresses: production's default, and what "none" gives. */
export const PUBLIC_ONLY: WebhookTargetPolicy = Object.freeze({ allowHttp: false, privateRanges: Object.freeze([]) as readonly AddressRange[] });

const LOOPBACK: readonly AddressRange[] = [ipaddr.parseCIDR('127.0.0.0/8'), ipaddr.parseCIDR('::1/128')];

/** Default of HUB_PRIVATE_WEBHOOK_TARGETS: loopback outside production (local receivers), nothing in production. */
export function defaultPrivateTargets(production: boolean): string {
  return production ? 'none' : 'loopback';
}

/**
 * HUB_PRIVATE_WEBHOOK_TARGETS: "none", or a comma-separated list of "loopback", addresses and CIDR
 * ranges ("loopback, 10.20.0.0/16, fd12:3456::/48"). Undefined when the value is none of these.
 */
export function parsePrivateTargets(value: string): AddressRange[] | undefined {
  const items = value.split(',').map((item) => item.trim());
  if (items.length === 1 && items[0] === 'none') return [];
  const ranges: AddressRange[] = [];
  for (const item of items) {
    if (item === 'loopback') {
      ranges.push(...LOOPBACK);
      continue;
    }
    const [text, bits, ...rest] = item.split('/');
    if (rest.length || !(ipaddr.IPv4.isValidFourPartDecimal(text) || ipaddr.IPv6.isValid(text))) return undefined;
    const address = ipaddr.parse(text);
    const max = address.kind() === 'ipv4' ? 32 : 128;
    if (bits !== undefined && !(/^\d{1,3}$/.test(bits) && Number(bits) <= max)) return undefined;
    ranges.push([address, bits === undefined ? max : Number(bits)]);
  }
  return ranges;
}

export function webhookTargetPolicy(production: boolean, privateTargets: string): WebhookTargetPolicy {
  const privateRanges = parsePrivateTargets(privateTargets);
  if (!privateRanges) throw new Error(`HUB_PRIVATE_WEBHOOK_TARGETS is invalid: ${JSON.stringify(privateTargets)}`);
  return { allowHttp: !production && privateRanges.length > 0, privateRanges };
}

/** Never reachable, whatever HUB_PRIVATE_WEBHOOK_TARGETS lists. */
const NEVER = new Set(['unspecified', 'broadcast', 'multicast', 'linkLocal']);
/** Instance metadata services outside link-local (AWS over IPv6, Alibaba Cloud). */
const METADATA: readonly AddressRange[] = [ipaddr.parseCIDR('fd00:ec2::254/128'), ipaddr.parseCIDR('100.100.100.200/32')];
/** IPv4-compatible IPv6 (::a.b.c.d, deprecated): ipaddr.js calls it unicast, but it names an IPv4 host. */
const IPV4_COMPATIBLE: AddressRange = ipaddr.parseCIDR('::/96');

const RANGE_WORDS: Record<string, [string, string]> = {
  loopback: ['a loopback address', 'ループバックアドレス'],
  private: ['a private address', 'プライベートアドレス'],
  uniqueLocal: ['a private (unique local) address', 'プライベート（ユニークローカル）アドレス'],
  linkLocal: ['a link-local address (e.g. a cloud metadata service)', 'リンクローカルアドレス（クラウドのメタデータサービスなど）'],
  carrierGradeNat: ['a carrier-grade NAT address', 'キャリアグレードNATのアドレス'],
  metadata: ['a cloud metadata service address', 'クラウドのメタデータサービスのアドレス'],
  unspecified: ['the unspecified address', '未指定アドレス'],
  multicast: ['a multicast address', 'マルチキャストアドレス'],
  broadcast: ['the broadcast address', 'ブロードキャストアドレス'],
};

export type AddressVerdict = { allowed: true } | { allowed: false; range: string; en: string; ja: string };

function inRange(address: Address, [network, bits]: AddressRange): boolean {
  return address.kind() === network.kind() && address.match(network, bits);
}

/** Whether the hub may connect to `text` (an IP address, as a resolver or a URL gives it) under `policy`. */
export function addressVerdict(text: string, policy: WebhookTargetPolicy): AddressVerdict {
  if (!ipaddr.isValid(text)) return refused('invalid');
  // IPv4-mapped IPv6 (::ffff:10.0.0.1) is judged as the IPv4 address it reaches.
  const address = ipaddr.process(text);
  let range: string = address.range();
  if (METADATA.some((r) => inRange(address, r))) range = 'metadata';
  else if (range === 'unicast' && inRange(address, IPV4_COMPATIBLE)) range = 'ipv4Compatible';
  if (range === 'unicast') return { allowed: true };
  if (!NEVER.has(range) && range !== 'metadata' && policy.privateRanges.some((r) => inRange(address, r))) return { allowed: true };
  return refused(range);
}

function refused(range: string): AddressVerdict {
  const [en, ja] = RANGE_WORDS[range] ?? [`an address that is not public (${range})`, `公開されていないアドレス（${range}）`];
  return { allowed: false, range, en, ja };
}

/** RFC 6761: these names are loopback wherever they resolve. */
export function isLocalhostName(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/\.$/, '');
  return host === 'localhost' || host.endsWith('.localhost');
}

export interface CheckedUrl {
  /** The URL as the hub stores and calls it (WHATWG-normalised). */
  url: string;
  /** The host name to resolve, or null when the host is an address (already judged). */
  hostname: string | null;
}

/**
 * The URL's own rules (scheme, form, an address written as the host); throws BAD_USER_INPUT naming
 * `field`. A host name still has to be resolved and its addresses judged (addressVerdict).
 */
export function checkWebhookUrl(value: string, policy: WebhookTargetPolicy, field = 'input.url'): CheckedUrl {
  const invalid = (en: string, ja: string) => Errors.badInput(field, `${field}: the URL ${en}`, `${field}: URL ${ja}`, { url: value });

  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_URL_LENGTH) {
    throw invalid(`must be 1 to ${MAX_URL_LENGTH} characters.`, `は1〜${MAX_URL_LENGTH}文字で指定してください。`);
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw invalid('is not an absolute URL, e.g. "https://example.jp/hokatsu/webhooks".', 'が絶対 URL ではありません（例: "https://example.jp/hokatsu/webhooks"）。');
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && policy.allowHttp)) {
    throw invalid(
      `must use https${policy.allowHttp ? ' (or http for a local receiver)' : ''}, not "${url.protocol}": deliveries carry signed personal data.`,
      `は https${policy.allowHttp ? '（ローカルの受信先なら http も可）' : ''}で指定してください（指定: "${url.protocol}"）。配信には署名付きの個人情報が含まれます。`,
    );
  }
  if (url.username || url.password) {
    throw invalid('must not contain a user name or password; deliveries are authenticated by their signature.', 'にユーザー名やパスワードを含めないでください。配信は署名で認証されます。');
  }
  if (url.hash) {
    throw invalid('must not contain a fragment (#…).', 'にフラグメント（#…）を含めないでください。');
  }
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const literal = ipaddr.isValid(host) && (host.includes(':') || ipaddr.IPv4.isValidFourPartDecimal(host));
  const verdict = literal ? addressVerdict(host, policy) : isLocalhostName(host) ? addressVerdict('127.0.0.1', policy) : null;
  if (verdict && !verdict.allowed) {
    throw invalid(
      `must point at a public address, not ${verdict.en}: the hub does not deliver into its own network.`,
      `には公開アドレスを指定してください（${verdict.ja}は指定できません）。ハブは自身のネットワーク内には配信しません。`,
    );
  }
  return { url: url.toString(), hostname: literal ? null : host };
}

/** Refusal of a host name whose resolved addresses are not all allowed. Names no address: internal DNS is nobody's business. */
export function nameRefused(field: string, value: string) {
  return Errors.badInput(
    field,
    `${field}: the URL's host name resolves to an address that is not public (loopback, private, link-local or similar); the hub does not deliver into its own network.`,
    `${field}: URL のホスト名が公開されていないアドレス（ループバック・プライベート・リンクローカルなど）に解決されます。ハブは自身のネットワーク内には配信しません。`,
    { url: value },
  );
}
