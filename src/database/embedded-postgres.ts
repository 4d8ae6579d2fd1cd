import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

export interface EmbeddedPostgres {
  url: string;
  /** Resolves once no client is connected (the next connection would otherwise be refused). */
  waitIdle(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

/**
 * PGlite is one session. It is served over the Postgres wire protocol on a loopback port with room
 * for exactly one connection, and the hub's pool is sized to one in embedded mode: every
 * transaction holds that single connection, so two transactions can never interleave.
 */
export async function startEmbeddedPostgres(dataDir: string): Promise<EmbeddedPostgres> {
  const dir = resolve(dataDir, 'pglite');
  mkdirSync(dir, { recursive: true });
  const db = await PGlite.create(dir);
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: 1 });
  await server.start();
  const address = (server as unknown as { server: { address(): { port: number } } }).server.address();
  return {
    url: `postgres://postgres@127.0.0.1:${address.port}/postgres`,
    async waitIdle(timeoutMs = 5000) {
      const handlers = (server as unknown as { handlers?: Set<unknown> }).handlers;
      const until = Date.now() + timeoutMs;
      while (handlers && handlers.size > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
    },
    async stop() {
      await server.stop();
      await db.close();
    },
  };
}
