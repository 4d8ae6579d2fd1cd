import DataLoader from 'dataloader';
import type { GqlContext } from './request-context';

/**
 * Per-request DataLoaders (one map in the GraphQL context), so a page of facilities resolves each
 * relation with one query, not one per facility.
 */
export function loaderFor<K, V>(ctx: GqlContext, name: string, batch: (keys: readonly K[]) => Promise<V[]>, cacheKey?: (k: K) => K): DataLoader<K, V> {
  let loader = ctx.loaders.get(name) as DataLoader<K, V> | undefined;
  if (!loader) {
    loader = new DataLoader<K, V>(batch, cacheKey ? { cacheKeyFn: cacheKey } : undefined);
    ctx.loaders.set(name, loader);
  }
  return loader;
}

/** Group rows by key in the order of keys (for one-to-many loaders). */
export function groupByKeys<K, R>(keys: readonly K[], rows: R[], keyOf: (r: R) => K): R[][] {
  const map = new Map<K, R[]>();
  for (const r of rows) {
    const k = keyOf(r);
    const list = map.get(k);
    if (list) list.push(r);
    else map.set(k, [r]);
  }
  return keys.map((k) => map.get(k) ?? []);
}
