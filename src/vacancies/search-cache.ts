import { Injectable, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { Client } from 'pg';
import { rootLogger } from '../common/logger';
import { AppConfig } from '../config/app-config';
import { connectionLimits, pgConnectionSettings } from '../database/connection-settings';

/** The channel the migration's statement triggers on `vacancy` and `facility` notify after any change. */
export const SEARCH_DATA_CHANNEL = 'hub_search_data_changed';
/** Entries at most (each a page of ~20 narrow rows: a few KB); the oldest used goes first. */
const MAX_ENTRIES = 5_000;
/** Searches remembered as asked for once (their keys only, ~100 bytes each); the oldest goes first. */
const MAX_SEEN = 4 * MAX_ENTRIES;
const RECONNECT_MS = 1_000;

const live = new Set<SearchResultCache>();

/**
 * Forget every cached search in this process. Called after every GraphQL mutation (its transaction
 * has committed by then), so a change made through this instance shows in its next search at once,
 * without waiting for the notification.
 */
export function invalidateSearchCaches(): void {
  for (const cache of live) cache.invalidate();
}

/**
 * The pages of vacancySearch (what the statement returned, mapped once and never changed
 * afterwards), by statement and parameters. Figures change rarely compared with how often parents search, so a search served
 * from memory costs no database round trip.
 *
 * Never stale beyond a notification's latency:
 * - a statement trigger on `vacancy` and on `facility` NOTIFYs `hub_search_data_changed` in the
 *   writing transaction (delivered at its commit, by every writer: the API, the command line,
 *   another instance, SQL by hand); each instance LISTENs on a connection of its own and drops
 *   everything it holds when told;
 * - a result read while a change committed is not kept (the generation it started under is gone);
 * - without a working LISTEN connection (lost, not yet connected, the embedded database) nothing
 *   is cached at all.
 *
 * A page is kept only when its search is asked for a second time (the search's key is remembered the
 * first time; a "doorkeeper", as in TinyLFU). Many distinct searches are asked for only once: kept,
 * each would push out a page that is asked for again and again, and every one of them stored a page
 * that then died old in the heap (BENCHMARKS.md, seventh session).
 *
 * HUB_SEARCH_CACHE=false turns it off.
 */
@Injectable()
export class SearchResultCache implements OnModuleInit, OnApplicationShutdown {
  private readonly log = rootLogger.child({ context: 'SearchResultCache' });
  private readonly entries = new Map<string, unknown>();
  /** Keys of searches asked for before; kept across invalidations (how often a search is asked does not change with the data). */
  private readonly seen = new Set<string>();
  private listener: Client | undefined;
  private listening = false;
  private stopped = false;
  private retry: NodeJS.Timeout | undefined;
  /** Grows on every invalidation; a result is kept only if it did not grow while it was read. */
  generation = 0;
  hits = 0;

  constructor(private readonly config: AppConfig) {}

  get enabled(): boolean {
    return this.listening;
  }

  async onModuleInit() {
    if (!this.config.HUB_SEARCH_CACHE || this.config.singleSession) return;
    live.add(this);
    await this.listen();
  }

  async onApplicationShutdown() {
    this.stopped = true;
    live.delete(this);
    if (this.retry) clearTimeout(this.retry);
    this.listening = false;
    await this.listener?.end().catch(() => undefined);
  }

  /** A kept result, or undefined (also whenever the cache cannot be trusted). */
  get<T>(key: string): T | undefined {
    if (!this.listening) return undefined;
    const rows = this.entries.get(key);
    if (rows === undefined) return undefined;
    this.hits++;
    // Most recently used last, so the first entry is the one to drop.
    this.entries.delete(key);
    this.entries.set(key, rows);
    return rows as T;
  }

  /**
   * Keeps `rows` (never changed afterwards) if the search was asked for before, unless the data
   * changed since `generation` (taken before the read).
   */
  set(key: string, generation: number, rows: unknown): void {
    if (!this.listening) return;
    const askedBefore = this.seen.has(key);
    if (!askedBefore) {
      this.seen.add(key);
      if (this.seen.size > MAX_SEEN) this.seen.delete(this.seen.values().next().value!);
    }
    if (!askedBefore || generation !== this.generation) return;
    this.entries.set(key, rows);
    if (this.entries.size > MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value!);
  }

  invalidate(): void {
    this.generation++;
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }

  private async listen(): Promise<void> {
    const client = new Client({ connectionString: this.config.DATABASE_URL!, ...pgConnectionSettings(connectionLimits(this.config), 'hokatsu-hub search cache') });
    const lost = (err?: unknown) => {
      if (this.listener !== client) return;
      this.listening = false;
      this.listener = undefined;
      this.invalidate();
      void client.end().catch(() => undefined);
      if (this.stopped) return;
      this.log.warn({ err }, 'search cache: lost the notification connection; searching without the cache until it is back');
      this.retry = setTimeout(() => void this.listen(), RECONNECT_MS);
      this.retry.unref();
    };
    this.listener = client;
    client.on('notification', () => this.invalidate());
    client.on('error', lost);
    client.on('end', () => lost());
    try {
      await client.connect();
      await client.query(`LISTEN ${SEARCH_DATA_CHANNEL}`);
      // Whatever changed before LISTEN took effect is not in the (empty) cache.
      this.invalidate();
      this.listening = !this.stopped;
    } catch (err) {
      lost(err);
    }
  }
}
