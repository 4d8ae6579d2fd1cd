import { ChildProcess, execSync, spawn } from 'node:child_process';
import { join } from 'node:path';
import { HUB_NODE_FLAGS } from '../../src/config/node-flags';

/** The service and the command line as a user runs them (built by `npm run build` into dist/). */
export const projectRoot = join(__dirname, '..', '..');

export function buildOnce() {
  execSync('npm run build', { cwd: projectRoot, stdio: 'ignore' });
}

export interface Running {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

/** `node <flags> dist/src/main.js` (what `npm start` runs after building), or another script of dist/. */
export function run(env: Record<string, string>, script = 'dist/src/main.js', args: string[] = []): Running {
  const child = spawn(process.execPath, [...(script === 'dist/src/main.js' ? HUB_NODE_FLAGS : []), script, ...args], {
    cwd: projectRoot,
    env: { PATH: process.env.PATH ?? '', PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn', ...env },
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  alive.add(child);
  child.on('exit', () => alive.delete(child));
  return { child, output: () => out, exited };
}

const alive = new Set<ChildProcess>();
/** For afterAll: ends whatever a failed test left running. */
export function killLeftovers() {
  for (const child of alive) child.kill('SIGKILL');
}

/** The command line: `node dist/src/cli.js …`, to its end. */
export async function cli(args: string[], env: Record<string, string>): Promise<{ code: number | null; out: string }> {
  const r = run(env, 'dist/src/cli.js', args);
  const code = await r.exited;
  return { code, out: r.output() };
}

/** The service's base URL once it says it runs (the demo banner, or the "hub started" log line). */
export async function started(r: Running, timeoutMs = 60_000): Promise<string> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const m = /running: (http:\/\/\S+)\/graphql/.exec(r.output()) ?? /"url":"(http:\/\/[^"]+)\/graphql"[^\n]*"msg":"hub started"/.exec(r.output());
    if (m) return m[1];
    if (r.child.exitCode !== null || Date.now() > until) throw new Error(`did not start:\n${r.output()}`);
    await new Promise((res) => setTimeout(res, 100));
  }
}

export async function gql(url: string, query: string, key?: string, variables?: Record<string, unknown>) {
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  return (await res.json()) as any;
}

/** The lines a process printed, without empty ones. */
export const linesOf = (text: string) => text.split('\n').filter((l) => l.trim() !== '');
