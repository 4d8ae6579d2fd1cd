/**
 * Which URLs may receive webhooks (pure). A receiver's URL is entered by partners and operators, so
 * it is checked strictly: http(s) only, https only in production, no credentials in the URL, and in
 * production no loopback, private or link-local address written as the host (the hub must not be
 * used to reach its own network). Names that resolve to such addresses are not caught here.
 */
import { hubError } from '../common/errors';
import { OutboxErrorCode } from './outbox.errors';

const MAX_URL_LENGTH = 2000;

export function assertWebhookUrl(value: string, options: { production: boolean }, field = 'input.url'): string {
  const invalid = (en: string, ja: string) =>
    hubError(OutboxErrorCode.WEBHOOK_URL_INVALID, `The webhook URL ${en}`, `Webhook の URL ${ja}`, { field, details: { url: value } });

  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_URL_LENGTH) {
    throw invalid(`must be 1 to ${MAX_URL_LENGTH} characters.`, `は1〜${MAX_URL_LENGTH}文字で指定してください。`);
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw invalid('is not an absolute URL, e.g. "https://example.jp/hokatsu/webhooks".', 'が絶対 URL ではありません（例: "https://example.jp/hokatsu/webhooks"）。');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw invalid(`must use https (or http outside production), not "${url.protocol}".`, `は https（本番以外では http も可）で指定してください（指定: "${url.protocol}"）。`);
  }
  if (options.production && url.protocol !== 'https:') {
    throw invalid('must use https in production: deliveries carry signed data.', 'は本番環境では https でなければなりません（配信には署名付きデータが含まれます）。');
  }
  if (url.username || url.password) {
    throw invalid('must not contain a user name or password; deliveries are authenticated by their signature.', 'にユーザー名やパスワードを含めないでください。配信は署名で認証されます。');
  }
  if (url.hash) {
    throw invalid('must not contain a fragment (#…).', 'にフラグメント（#…）を含めないでください。');
  }
  if (options.production && isInternalHost(url.hostname)) {
    throw invalid(`must not point at a loopback, private or link-local address (${url.hostname}).`, `にループバック・プライベート・リンクローカルのアドレス（${url.hostname}）は指定できません。`);
  }
  return url.toString();
}

/** Loopback, private (RFC 1918, unique local), link-local and unspecified addresses, and localhost. */
export function isInternalHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/^\[|\]$/g, '');
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
  if (v4) {
    const [a, b] = [Number(v4[1]), Number(v4[2])];
    return a === 0 || a === 10 || a === 127 || (a === 169 && b === 254) || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 100 && b >= 64 && b <= 127);
  }
  if (host.includes(':')) {
    if (host === '::' || host === '::1') return true;
    if (/^f[cd][0-9a-f]{2}:/.test(host) || /^fe[89ab][0-9a-f]:/.test(host)) return true;
    // IPv4-mapped (::ffff:127.0.0.1, which URL normalises to ::ffff:7f00:1).
    const mapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(host);
    if (mapped) {
      const high = parseInt(mapped[1], 16);
      const low = parseInt(mapped[2], 16);
      return isInternalHost(`${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`);
    }
  }
  return false;
}
