import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { StartupError } from '../../src/config/startup-error';
import { DataDirectoryInUseError, DataDirectoryLock, LOCK_FILE, prepareDataDirectory } from '../../src/database/data-dir-lock';

const fresh = () => mkdtempSync(join(tmpdir(), 'hub-lock-unit-'));
const lockOf = (dir: string) => JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8'));
const write = (dir: string, owner: unknown) => writeFileSync(join(dir, LOCK_FILE), typeof owner === 'string' ? owner : JSON.stringify(owner));
/** A pid that ran and is gone. */
const deadPid = () => spawnSync(process.execPath, ['-e', '']).pid!;
const startTicks = (pid: number) => {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
};

describe('DataDirectoryLock', () => {
  it('writes who holds the directory, refuses a second holder and is gone after release', () => {
    const dir = fresh();
    const lock = DataDirectoryLock.acquire(dir, 'service');
    expect(lockOf(dir)).toMatchObject({ pid: process.pid, hostname: hostname(), command: 'service' });
    lock.announce('http://127.0.0.1:3000/graphql');
    expect(lockOf(dir).url).toBe('http://127.0.0.1:3000/graphql');
    expect(() => DataDirectoryLock.acquire(dir, 'command line (seed-demo)')).toThrow(DataDirectoryInUseError);
    expect(() => DataDirectoryLock.acquire(dir, 'command line (seed-demo)')).toThrow(
      new RegExp(`pid ${process.pid} on .*serving http://127.0.0.1:3000/graphql.*GraphQL API at http://127.0.0.1:3000/graphql`),
    );
    lock.release();
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
    DataDirectoryLock.acquire(dir, 'service').release();
  });

  it.each([
    ['its process is gone', () => ({ pid: deadPid(), hostname: hostname(), startedAt: 'x', command: 'service' })],
    ['its pid now runs another process (other start time)', () => ({ pid: process.ppid, hostname: hostname(), startedAt: 'x', command: 'service', processStart: '1' })],
    ['it was written before a reboot', () => ({ pid: process.ppid, hostname: hostname(), startedAt: 'x', command: 'service', bootId: 'another-boot' })],
    ['it names this very pid, which does not hold it (a container restarted as pid 1)', () => ({ pid: process.pid, hostname: hostname(), startedAt: 'x', command: 'service' })],
    ['it is not a lock this code wrote', () => 'garbage'],
  ])('takes over a stale lock: %s', (_, owner) => {
    const dir = fresh();
    write(dir, owner());
    const lock = DataDirectoryLock.acquire(dir, 'service');
    expect(lockOf(dir).pid).toBe(process.pid);
    lock.release();
  });

  it('refuses a lock whose process runs, naming it', () => {
    const dir = fresh();
    write(dir, { pid: process.ppid, hostname: hostname(), startedAt: '2026-01-01T00:00:00.000Z', command: 'service', processStart: startTicks(process.ppid) });
    expect(() => DataDirectoryLock.acquire(dir, 'service')).toThrow(`in use by another hub process (pid ${process.ppid} on ${hostname()}, service, since 2026-01-01T00:00:00.000Z)`);
  });

  it('never takes over a lock held from another host, and says which file to delete if it is gone', () => {
    const dir = fresh();
    write(dir, { pid: deadPid(), hostname: 'elsewhere', startedAt: 'x', command: 'service' });
    expect(() => DataDirectoryLock.acquire(dir, 'service')).toThrow(`a process on another host (pid`);
    expect(() => DataDirectoryLock.acquire(dir, 'service')).toThrow(`delete ${join(dir, LOCK_FILE)}`);
  });

  it('does not remove a lock another process took over meanwhile', () => {
    const dir = fresh();
    const lock = DataDirectoryLock.acquire(dir, 'service');
    write(dir, { pid: process.ppid, hostname: hostname(), startedAt: 'x', command: 'service' });
    lock.release();
    expect(lockOf(dir).pid).toBe(process.ppid);
  });
});

describe('prepareDataDirectory', () => {
  it('creates missing levels and returns the absolute path', () => {
    const dir = join(fresh(), 'a', 'b');
    expect(prepareDataDirectory(dir)).toBe(dir);
    expect(statSync(dir).isDirectory()).toBe(true);
  });

  it.each([
    ['/proc/x', /^HUB_DATA_DIR: \/proc\/x cannot hold the embedded database: cannot create \/proc\/x \(ENOENT\)\.$/],
    ['/proc/x/y/z', /^HUB_DATA_DIR: \/proc\/x\/y\/z cannot hold the embedded database: cannot create \/proc\/x \(ENOENT\)\.$/],
    ['/etc/hostname', /^HUB_DATA_DIR: \/etc\/hostname is not a directory\.$/],
    ['/etc/hostname/sub', /^HUB_DATA_DIR: \/etc\/hostname\/sub cannot be created: \/etc\/hostname is not a directory\.$/],
  ])('refuses %s in one line naming the variable', (dir, message) => {
    let error: unknown;
    try {
      prepareDataDirectory(dir);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(StartupError);
    expect((error as StartupError).message).toMatch(message);
    expect((error as StartupError).exitCode).toBe(2);
  });
});
