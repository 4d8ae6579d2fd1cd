import { linkSync, mkdirSync, readFileSync, renameSync, rmdirSync, statSync, unlinkSync, writeFileSync, accessSync, constants } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { StartupError } from '../config/startup-error';

/**
 * The embedded database (PGlite under HUB_DATA_DIR) may be opened by one process at a time: two
 * processes writing the same files corrupt it (acknowledged rows lost, table and index disagreeing).
 * So the data directory has a lock file, `hub.lock`, created atomically (link(2) of a complete file:
 * it either exists with its whole content or not at all) and holding who has the directory: pid,
 * host, start time, what runs (the service or a command), and the URL it serves once it listens.
 *
 * A lock whose process is gone is stale and the next start takes it over: same host and the pid no
 * longer runs (or runs as another process: its start time differs, or the machine was rebooted).
 * A lock held from another host (a shared disk) cannot be checked and is never taken over.
 * The lock is released when the database is stopped and, at the latest, when the process exits
 * (also on SIGINT/SIGTERM through the graceful stop, and on process.exit); only SIGKILL or a crash
 * of the machine leaves it behind, to be taken over as above.
 */
export const LOCK_FILE = 'hub.lock';

export interface LockOwner {
  pid: number;
  hostname: string;
  /** ISO time the lock was taken. */
  startedAt: string;
  /** What holds it: "service" or "command line (import-vacancies)". */
  command: string;
  /** The URL the service answers on, once it listens. */
  url?: string;
  /** Linux: the boot the process belongs to, and its start time in clock ticks since boot (pid reuse). */
  bootId?: string;
  processStart?: string;
}

/** The data directory is held by a live process: the message names it (one line, exit status 2). */
export class DataDirectoryInUseError extends StartupError {
  constructor(readonly dataDir: string, readonly owner: LockOwner, readonly lockFile: string, readonly reason: 'running' | 'other-host', refused: string) {
    super(describeRefusal(dataDir, owner, lockFile, reason, refused), 2);
  }
}

const held = new Set<DataDirectoryLock>();
let exitHookInstalled = false;

export class DataDirectoryLock {
  private constructor(readonly file: string, private owner: LockOwner, private text: string) {}

  /**
   * Takes the lock of `dataDir` (which must exist) for this process, taking over a stale one.
   * Throws DataDirectoryInUseError naming the holder when a live process has it.
   */
  static acquire(dataDir: string, command: string): DataDirectoryLock {
    const dir = resolve(dataDir);
    const file = join(dir, LOCK_FILE);
    const { bootId, processStart } = processIdentity(process.pid);
    const owner: LockOwner = { pid: process.pid, hostname: hostname(), startedAt: new Date().toISOString(), command, bootId, processStart };
    const text = `${JSON.stringify(owner)}\n`;
    for (let attempt = 0; attempt < 200; attempt++) {
      if (createExclusive(file, text)) {
        const lock = new DataDirectoryLock(file, owner, text);
        held.add(lock);
        installExitHook();
        return lock;
      }
      const current = readLock(file);
      if (current === undefined) continue; // released between our attempt and the read
      if (current.owner) {
        const state = holderState(current.owner, file);
        if (state !== 'dead') throw new DataDirectoryInUseError(dir, current.owner, file, state === 'alive' ? 'running' : 'other-host', command);
      }
      // Stale (its process is gone) or not a lock this code wrote: take it over, then try again.
      takeOver(file, current.text);
    }
    throw new StartupError(`HUB_DATA_DIR: could not take the lock ${file} (it kept changing); is another hub starting on ${dir}?`, 2);
  }

  /** Records the URL the service answers on, so that a refused second start can name it. */
  announce(url: string) {
    if (!held.has(this)) return;
    this.owner = { ...this.owner, url };
    const text = `${JSON.stringify(this.owner)}\n`;
    const tmp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(tmp, text, { mode: 0o644 });
    renameSync(tmp, this.file);
    this.text = text;
  }

  /** Removes the lock file, if it is still this process's (never another's that took a stale one over). */
  release() {
    if (!held.delete(this)) return;
    try {
      if (readFileSync(this.file, 'utf8') === this.text) unlinkSync(this.file);
    } catch {
      /* already gone */
    }
  }
}

/** One line for a refused start, naming the process that has the directory. */
function describeRefusal(dir: string, o: LockOwner, file: string, reason: 'running' | 'other-host', refused: string): string {
  const who = `pid ${o.pid} on ${o.hostname}${o.url ? `, serving ${o.url}` : ''}, ${o.command}, since ${o.startedAt}`;
  const what = `HUB_DATA_DIR ${dir} is in use by ${reason === 'other-host' ? 'a process on another host' : 'another hub process'} (${who}): the embedded database can be opened by one process at a time`;
  if (reason === 'other-host') return `${what}; if that process is gone, delete ${file}.`;
  if (refused !== 'service' && o.url) return `${what}; stop it first, or make the change through its GraphQL API at ${o.url} (e.g. importVacancies).`;
  return `${what}; stop it first${refused === 'service' ? ', or give this one another HUB_DATA_DIR' : ''}.`;
}

/** link(2) fails if the name exists, so the lock appears atomically and already complete. */
function createExclusive(file: string, text: string): boolean {
  const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  writeFileSync(tmp, text, { mode: 0o644 });
  try {
    linkSync(tmp, file);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw dataDirError(dirname(file), `cannot create its lock file ${file}`, err);
  } finally {
    try {
      unlinkSync(tmp);
    } catch {
      /* nothing to clean */
    }
  }
}

function readLock(file: string): { text: string; owner?: LockOwner } | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw dataDirError(dirname(file), `cannot read its lock file ${file}`, err);
  }
  try {
    const o = JSON.parse(text) as LockOwner;
    if (Number.isInteger(o.pid) && o.pid > 0 && typeof o.hostname === 'string') return { text, owner: o };
  } catch {
    /* not written by this code */
  }
  return { text };
}

type HolderState = 'alive' | 'dead' | 'other-host';

function holderState(o: LockOwner, file: string): HolderState {
  if (o.hostname !== hostname()) return 'other-host';
  const current = processIdentity(o.pid);
  if (o.bootId && current.bootId && o.bootId !== current.bootId) return 'dead';
  // The same pid as ours: this process holds it, or it is what a previous life of this pid left
  // behind (a container's hub is pid 1 at every start).
  if (o.pid === process.pid) return [...held].some((l) => l.file === file) ? 'alive' : 'dead';
  try {
    process.kill(o.pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ESRCH') return 'dead';
    // EPERM: the process exists (another user's)
  }
  if (current.zombie) return 'dead';
  if (o.processStart && current.processStart && o.processStart !== current.processStart) return 'dead'; // the pid was reused
  return 'alive';
}

/**
 * Removes a stale lock. Two processes may find the same stale lock at once: a takeover directory
 * (mkdir is atomic) lets one of them remove it, and only if it is still the stale lock that was read,
 * so a lock another process has just taken is never removed.
 */
function takeOver(file: string, staleText: string) {
  const mutex = `${file}.takeover`;
  try {
    mkdirSync(mutex);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw dataDirError(dirname(file), `cannot take over its stale lock ${file}`, err);
    // Another process is taking it over right now; one that died doing so left this behind.
    try {
      if (Date.now() - statSync(mutex).mtimeMs > 10_000) rmdirSync(mutex);
    } catch {
      /* gone meanwhile */
    }
    sleep(20);
    return;
  }
  try {
    let current: string | undefined;
    try {
      current = readFileSync(file, 'utf8');
    } catch {
      current = undefined;
    }
    if (current === staleText) unlinkSync(file);
  } finally {
    rmdirSync(mutex);
  }
}

function sleep(ms: number) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Linux only (elsewhere empty): the boot id and the process's start time, to tell a reused pid apart. */
function processIdentity(pid: number): { bootId?: string; processStart?: string; zombie?: boolean } {
  const out: { bootId?: string; processStart?: string; zombie?: boolean } = {};
  try {
    out.bootId = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  } catch {
    return out;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // "pid (comm) state ppid … starttime(22nd field) …"; comm may hold spaces and parentheses.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    out.zombie = fields[0] === 'Z' || fields[0] === 'X';
    out.processStart = fields[19];
  } catch {
    /* no such process, or /proc not readable */
  }
  return out;
}

function installExitHook() {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // Also on process.exit() and after an uncaught error; SIGINT/SIGTERM stop gracefully and release first.
  process.on('exit', () => {
    for (const lock of [...held]) lock.release();
  });
}

function dataDirError(dir: string, what: string, err: unknown): StartupError {
  const e = err as NodeJS.ErrnoException;
  return new StartupError(`HUB_DATA_DIR: ${dir} cannot hold the embedded database: ${what} (${e.code ?? e.message}).`, 2);
}

/**
 * Makes sure HUB_DATA_DIR is a directory this process can write, creating it (and missing parents)
 * if needed, and returns its absolute path. Each missing level is created on its own, so a place
 * where directories cannot be made (/proc/x) is an error at once: Node's recursive mkdir loops for
 * ever there. Errors are one line naming the variable.
 */
export function prepareDataDirectory(dataDir: string): string {
  const dir = resolve(dataDir);
  const missing: string[] = [];
  let existing = dir;
  for (;;) {
    try {
      const st = statSync(existing);
      if (!st.isDirectory()) {
        throw new StartupError(
          existing === dir ? `HUB_DATA_DIR: ${dir} is not a directory.` : `HUB_DATA_DIR: ${dir} cannot be created: ${existing} is not a directory.`,
          2,
        );
      }
      break;
    } catch (err) {
      if (err instanceof StartupError) throw err;
      const code = (err as NodeJS.ErrnoException).code;
      // ENOTDIR: a file on the way, found (and named) one level up.
      if (code !== 'ENOENT' && code !== 'ENOTDIR') throw dataDirError(dir, `cannot look at ${existing}`, err);
      const parent = dirname(existing);
      if (parent === existing) throw dataDirError(dir, 'no part of the path exists', err);
      missing.unshift(existing);
      existing = parent;
    }
  }
  for (const level of missing) {
    try {
      mkdirSync(level);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw dataDirError(dir, `cannot create ${level}`, err);
    }
  }
  try {
    accessSync(dir, constants.R_OK | constants.W_OK | constants.X_OK);
  } catch (err) {
    throw dataDirError(dir, 'this user cannot read and write it', err);
  }
  return dir;
}
