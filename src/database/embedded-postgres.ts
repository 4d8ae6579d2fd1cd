import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { DataDirectoryLock, prepareDataDirectory } from './data-dir-lock';

export interface EmbeddedPostgres {
  url: string;
  /** The data directory's lock (data-dir-lock.ts): tell it the URL the service answers on. None in memory. */
  lock?: DataDirectoryLock;
  /** Resolves once no client is connected (the next connection would otherwise be refused). */
  waitIdle(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

/**
 * PGlite is one session. It is served over the Postgres wire protocol on a loopback port with room
 * for exactly one connection, and the hub's pool is sized to one in embedded mode: every
 * transaction holds that single connection, so two transactions can never interleave.
 *
 * One process at a time: the data directory is checked and locked before PGlite opens it, and a
 * second process is refused naming the first (`command` says what this one is, for that message).
 */
export async function startEmbeddedPostgres(dataDir: string | null, command = 'service'): Promise<EmbeddedPostgres> {
  const root = dataDir === null ? null : prepareDataDirectory(dataDir);
  const lock = root === null ? undefined : DataDirectoryLock.acquire(root, command);
  let db: PGlite | undefined;
  let server: PGLiteSocketServer | undefined;
  try {
    if (root === null) {
      db = await PGlite.create(); // in memory: a throwaway database (print-schema)
    } else {
      const dir = join(root, 'pglite');
      mkdirSync(dir, { recursive: true });
      db = await PGlite.create(dir);
    }
    server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: 1 });
    await server.start();
  } catch (err) {
    await server?.stop().catch(() => undefined);
    await db?.close().catch(() => undefined);
    lock?.release();
    throw err;
  }
  return serving(db, server, lock);
}

function serving(db: PGlite, server: PGLiteSocketServer, lock: DataDirectoryLock | undefined): EmbeddedPostgres {
  const address = (server as unknown as { server: { address(): { port: number } } }).server.address();
  return {
    url: `postgres://postgres@127.0.0.1:${address.port}/postgres`,
    lock,
    async waitIdle(timeoutMs = 5000) {
      const handlers = (server as unknown as { handlers?: Set<unknown> }).handlers;
      const until = Date.now() + timeoutMs;
      while (handlers && handlers.size > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
    },
    async stop() {
      try {
        await server.stop();
        await db.close();
      } finally {
        lock?.release();
      }
    },
  };
}
