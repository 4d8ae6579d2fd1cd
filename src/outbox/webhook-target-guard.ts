import { lookup as dnsLookup } from 'node:dns/promises';
import type { LookupAddress, LookupOptions } from 'node:dns';
import { Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { addressVerdict, checkWebhookUrl, isLocalhostName, nameRefused, webhookTargetPolicy, WebhookTargetPolicy } from './webhook-url';

/** Every address a host name stands for. */
export type HostResolver = (hostname: string) => Promise<LookupAddress[]>;

/** The system resolver (getaddrinfo, as every other connection of the process), all addresses as given. */
export const systemResolver: HostResolver = (hostname) => dnsLookup(hostname, { all: true, verbatim: true });

/** A registration does not wait longer than this for DNS; an answer that does not come is checked at delivery. */
const REGISTRATION_LOOKUP_MS = 3_000;

/** What a connection refused by the guard fails with (on the socket, hence in fetch's `cause`). */
export class WebhookTargetRefused extends Error {
  readonly code = 'ERR_WEBHOOK_TARGET_REFUSED';
  constructor(message: string) {
    super(message);
    this.name = 'WebhookTargetRefused';
  }
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * The rules of webhook-url.ts applied to real addresses: at registration (the name's addresses now)
 * and at every connection the dispatcher opens (its `lookup`), so the address checked is the address
 * connected to; a name that answers a public address at registration and a private one later (DNS
 * rebinding) is refused when it matters. Uses the system resolver; tests give their own (useResolver).
 */
@Injectable()
export class WebhookTargetGuard {
  readonly policy: WebhookTargetPolicy;
  private resolver: HostResolver = systemResolver;

  constructor(config: AppConfig) {
    this.policy = webhookTargetPolicy(config.isProduction, config.privateWebhookTargets);
  }

  /** Replaces the resolver (tests: a name that changes its answer between registration and delivery). */
  useResolver(resolver: HostResolver): void {
    this.resolver = resolver;
  }

  /**
   * A URL to register, normalised; BAD_USER_INPUT naming `field` when it or an address its host name
   * resolves to now is not allowed. A name that does not resolve (yet) is accepted: the delivery checks
   * again before every connection.
   */
  async checkForRegistration(value: string, field: string): Promise<string> {
    const { url, hostname } = checkWebhookUrl(value, this.policy, field);
    if (hostname === null) return url;
    const addresses = await this.resolveWithin(hostname, REGISTRATION_LOOKUP_MS);
    if (addresses?.some((a) => !addressVerdict(a.address, this.policy).allowed)) throw nameRefused(field, value);
    return url;
  }

  /** Before a delivery: the URL's own rules again (the setting may have changed since registration); the reason when refused. */
  refusalBeforeDelivery(url: string): string | null {
    try {
      checkWebhookUrl(url, this.policy, 'url');
      return null;
    } catch (err) {
      return (err as Error).message;
    }
  }

  /**
   * `lookup` for the delivery agent's sockets (net.connect): resolves once, judges every address, and
   * hands exactly those to the socket. Refuses the whole name when any address is not allowed.
   */
  readonly lookup = (hostname: string, options: LookupOptions | number | undefined, callback: LookupCallback): void => {
    const all = typeof options === 'object' && options !== null && options.all === true;
    const family = typeof options === 'number' ? options : options?.family;
    this.resolveChecked(hostname).then(
      (addresses) => {
        const usable = family === 4 || family === 6 ? addresses.filter((a) => a.family === family) : addresses;
        if (usable.length === 0) {
          const err: NodeJS.ErrnoException = new Error(`getaddrinfo ENOTFOUND ${hostname}`);
          err.code = 'ENOTFOUND';
          return callback(err, all ? [] : '', undefined);
        }
        if (all) callback(null, usable);
        else callback(null, usable[0].address, usable[0].family);
      },
      (err: NodeJS.ErrnoException) => callback(err, all ? [] : '', undefined),
    );
  };

  private async resolveChecked(hostname: string): Promise<LookupAddress[]> {
    const addresses = isLocalhostName(hostname) ? [{ address: '127.0.0.1', family: 4 }] : await this.resolver(hostname);
    for (const { address } of addresses) {
      const verdict = addressVerdict(address, this.policy);
      if (!verdict.allowed) throw new WebhookTargetRefused(`${hostname} resolves to ${address}, ${verdict.en}; the hub does not deliver into its own network`);
    }
    return addresses;
  }

  private async resolveWithin(hostname: string, ms: number): Promise<LookupAddress[] | null> {
    if (isLocalhostName(hostname)) return [{ address: '127.0.0.1', family: 4 }];
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        this.resolver(hostname),
        new Promise<null>((resolve) => {
          timer = setTimeout(() => resolve(null), ms);
        }),
      ]);
    } catch {
      return null;
    } finally {
      clearTimeout(timer);
    }
  }
}
