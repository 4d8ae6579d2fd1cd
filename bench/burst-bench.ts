/**
 * Deadline-day burst benchmark for applications (issue 5; `npm run bench:burst`).
 *
 * Against the real PostgreSQL (BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/postgres),
 * everything on 127.0.0.1 only, every loop bounded in count and time:
 *
 * 1. baseline: bench/burst-baseline.ts (node:http + pg, one row per request in one transaction) takes
 *    the same 10,000 request bodies at the same concurrency and pool size: the floor cost of a
 *    durable idempotent write here;
 * 2. run "normal": a fresh database hub_bench_<ts>_normal, the hub as a separate process
 *    (node with the production flags, dist/src/main.js), three municipality receivers (node:http, keep-alive):
 *      板橋区 131199 healthy (receives every application, role APPLICATION),
 *      足立区 131211 answers 500 to 30% of requests (seeded), 杉並区 131156 refuses connections for
 *      the first 30 s of the burst (each receives a FORWARDED_NOTICE for half of the applications);
 *    10,000 distinct submitApplication calls at concurrency 64 (a client retries a request that got
 *    no answer with the SAME idempotency key); then waits until every delivery is accepted and checks
 *    the receivers and the database;
 * 3. run "kill": the same on another fresh database, with the hub SIGKILLed once half of the
 *    submissions have been answered and started again at once on the same database and port.
 *
 * The retry schedule of the outbox (immediately, 5 s, 5 min, 30 min, 2 h, …) would make the drain
 * of the flaky and down endpoints take hours, so once the burst is over and the down window has
 * passed, the bench moves `next_attempt_at` of messages parked more than 10 s ahead to now (as if
 * that time had passed; the tests move the hub's clock for the same reason) and reports how many it
 * moved. Nothing else of the hub is touched.
 *
 * Prints a summary and writes bench/out/burst-<timestamp>.json. Options: --keep (keep the
 * databases), BENCH_SUBMISSIONS, BENCH_CONCURRENCY, BENCH_RUNS (e.g. "normal" or "baseline,kill"),
 * BENCH_CPU_PROF=1 (hub CPU profile into bench/out/prof on its normal exit).
 */
import { ChildProcess, spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { Agent, createServer, IncomingMessage, request, Server, ServerResponse } from 'node:http';
import { AddressInfo, Socket } from 'node:net';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { projectRoot } from '../src/common/paths';
import { HUB_NODE_FLAGS } from '../src/config/node-flags';
import { verifyWebhook } from '../src/webhooks/signing';
// Deterministic [0, 1) source, so the flaky receiver fails the same share on every run.
import { prng } from './generate-national';
import { percentile, rssMb } from './measure';

const TOTAL = Number(process.env.BENCH_SUBMISSIONS ?? 10_000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 64);
const RUNS = (process.env.BENCH_RUNS ?? 'baseline,normal,kill').split(',').map((s) => s.trim());
const POOL = 16;
const WORKER_INTERVAL_MS = 50;
const FLAKY_FAILURE_RATE = 0.3;
const DOWN_FOR_MS = 30_000;
/** Open on 2026-11-25 for everyone: closes 2026-12-10, out of area (管外) 2026-12-03. */
const INTAKE_MONTH = process.env.BENCH_INTAKE_MONTH ?? '2027-01';
/** A child born in FY2024's second half is in the 1歳児 class for intakes in FY2026. */
const BIRTH_FROM = Date.UTC(2024, 3, 2);
const BIRTH_DAYS = 365;
const REQUEST_TIMEOUT_MS = 60_000;
/** One submission, its retries included, gives up after this (then it counts as "gave up", not accepted). */
const SUBMISSION_GIVE_UP_MS = 180_000;
const DRAIN_TIMEOUT_MS = Number(process.env.BENCH_DRAIN_TIMEOUT_MS ?? 15 * 60_000);
const FAST_FORWARD_BEYOND_MS = 10_000;
/** After everything is delivered, keep listening this long for extra (duplicate) deliveries. */
const SETTLE_MS = 5_000;
const RESTART_READY_TIMEOUT_MS = 120_000;

const ITABASHI = '131199';
const ADACHI = '131211';
const SUGINAMI = '131156';
const ADMIN_KEY = 'demo-admin-key';
const PARTNER_KEY = 'demo-partner-key';

const SUBMIT = `mutation($input: SubmitApplicationInput!) { submitApplication(input: $input) { replayed application { id status } } }`;
const CONFIGURE = `mutation($input: ConfigureMunicipalityDeliveryInput!) {
  configureMunicipalityDelivery(input: $input) { signingSecret setting { municipalityCode mode endpointId } } }`;

const log = (msg: string) => console.log(`[burst ${new Date().toISOString().slice(11, 19)}] ${msg}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Wall-clock milliseconds with sub-millisecond resolution, comparable between the client and the receivers (one process). */
const now = () => performance.timeOrigin + performance.now();
const round = (n: number, digits = 1) => (Number.isFinite(n) ? Math.round(n * 10 ** digits) / 10 ** digits : null);

function summary(values: number[]) {
  const sorted = [...values].sort((a, b) => a - b);
  return { n: sorted.length, p50: round(percentile(sorted, 50)), p95: round(percentile(sorted, 95)), p99: round(percentile(sorted, 99)), max: round(sorted[sorted.length - 1]) };
}

// --- /proc sampling -------------------------------------------------------------------------------

/** CPU seconds (user + system) a process has used. */
function processCpuSeconds(pid: number | undefined): number {
  if (!pid) return 0;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

/** Busy and total CPU seconds of the whole machine. */
function machineCpu(): { busy: number; total: number } {
  const [, ...ticks] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/);
  const n = ticks.map(Number);
  const idle = n[3] + n[4];
  const total = n.reduce((a, b) => a + b, 0);
  return { busy: (total - idle) / 100, total: total / 100 };
}

// --- HTTP helpers ---------------------------------------------------------------------------------

interface HttpAnswer {
  status: number;
  body: string;
}

function post(agent: Agent, port: number, path: string, body: string, headers: Record<string, string> = {}): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(
      { agent, host: '127.0.0.1', port, method: 'POST', path, headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), ...headers } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.setTimeout(REQUEST_TIMEOUT_MS, () => req.destroy(new Error('client timeout')));
    req.on('error', reject);
    req.end(body);
  });
}

async function graphql<T>(port: number, query: string, variables: unknown, key: string): Promise<T> {
  const agent = new Agent();
  try {
    const r = await post(agent, port, '/graphql', JSON.stringify({ query, variables }), { authorization: `Bearer ${key}` });
    const json = JSON.parse(r.body);
    if (json.errors?.length) throw new Error(`GraphQL error: ${JSON.stringify(json.errors[0])}`);
    return json.data as T;
  } finally {
    agent.destroy();
  }
}

async function waitUntilReady(port: number, child: ChildProcess, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  let exited: number | null | undefined;
  child.once('exit', (code) => (exited = code));
  for (;;) {
    if (exited !== undefined) throw new Error(`the hub exited (${exited}) before it was ready`);
    const ok = await fetch(`http://127.0.0.1:${port}/health/ready`).then((r) => r.ok, () => false);
    if (ok) return;
    if (Date.now() > until) throw new Error(`the hub on :${port} was not ready within ${timeoutMs} ms`);
    await sleep(50);
  }
}

// --- the three municipality receivers -------------------------------------------------------------

type Behaviour = 'healthy' | 'flaky' | 'down';

interface ReceivedMessage {
  webhookId: string;
  applicationId: string;
  role: string;
  attempts: number;
  /** Times this webhook-id was answered 2xx: exactly one is right. */
  acceptedAt: number[];
}

class Receiver {
  readonly messages = new Map<string, ReceivedMessage>();
  /** applicationId → webhook-ids accepted for it. */
  readonly acceptedByApplication = new Map<string, string[]>();
  requests = 0;
  answered500 = 0;
  invalidSignatures = 0;
  unreadable = 0;
  secret = '';
  port = 0;
  private server: Server;
  private readonly sockets = new Set<Socket>();
  private readonly random = prng(42);

  constructor(readonly name: string, readonly code: string, readonly behaviour: Behaviour) {
    this.server = this.createServer();
  }

  get url() {
    return `http://127.0.0.1:${this.port}/hub/${this.code}`;
  }

  private createServer(): Server {
    const server = createServer((req, res) => this.handle(req, res));
    server.keepAliveTimeout = 60_000;
    server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    return server;
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (this.server.address() as AddressInfo).port;
  }

  /** Stops listening and drops every connection: the hub then gets "connection refused". */
  async goDown(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.sockets.forEach((s) => s.destroy());
    });
    this.server = this.createServer();
  }

  close(): Promise<void> {
    return this.goDown();
  }

  private handle(req: IncomingMessage, res: ServerResponse) {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      this.requests++;
      const body = Buffer.concat(chunks).toString('utf8');
      const webhookId = String(req.headers['webhook-id'] ?? '');
      let applicationId = '';
      let role = '';
      try {
        const event = JSON.parse(body);
        applicationId = event.data.applicationId;
        role = event.data.role;
        verifyWebhook(this.secret, req.headers as Record<string, string>, body, { now: new Date() });
      } catch (err) {
        if (applicationId) this.invalidSignatures++;
        else this.unreadable++;
        res.writeHead(401).end(String((err as Error).message));
        return;
      }
      let message = this.messages.get(webhookId);
      if (!message) {
        message = { webhookId, applicationId, role, attempts: 0, acceptedAt: [] };
        this.messages.set(webhookId, message);
      }
      message.attempts++;
      if (this.behaviour === 'flaky' && this.random() < FLAKY_FAILURE_RATE) {
        this.answered500++;
        res.writeHead(500, { 'content-type': 'text/plain' }).end('flaky receiver: try again');
        return;
      }
      message.acceptedAt.push(now());
      if (message.acceptedAt.length === 1) {
        const ids = this.acceptedByApplication.get(applicationId) ?? [];
        ids.push(webhookId);
        this.acceptedByApplication.set(applicationId, ids);
      }
      res.writeHead(204).end();
    });
  }

  stats() {
    let accepted = 0;
    let acceptedMoreThanOnce = 0;
    let extraAccepts = 0;
    let retried = 0;
    let retryRequests = 0;
    for (const m of this.messages.values()) {
      if (m.acceptedAt.length) accepted++;
      if (m.acceptedAt.length > 1) {
        acceptedMoreThanOnce++;
        extraAccepts += m.acceptedAt.length - 1;
      }
      if (m.attempts > 1) {
        retried++;
        retryRequests += m.attempts - 1;
      }
    }
    return {
      behaviour: this.behaviour,
      requests: this.requests,
      distinctWebhookIds: this.messages.size,
      accepted,
      answered500: this.answered500,
      webhookIdsSeenMoreThanOnce: retried,
      repeatedRequests: retryRequests,
      webhookIdsAcceptedMoreThanOnce: acceptedMoreThanOnce,
      extraAcceptsAfter2xx: extraAccepts,
      invalidSignatures: this.invalidSignatures,
      unreadable: this.unreadable,
    };
  }
}

// --- the hub under test ---------------------------------------------------------------------------

class HubProcess {
  child!: ChildProcess;
  readonly pids: number[] = [];
  private cpuOfEnded = 0;

  constructor(private readonly env: NodeJS.ProcessEnv, readonly port: number, private readonly logFile: string) {}

  start(): ChildProcess {
    const fd = openSync(this.logFile, 'a');
    const args = [...HUB_NODE_FLAGS, ...(process.env.BENCH_CPU_PROF === '1' ? ['--cpu-prof', '--cpu-prof-dir', join(projectRoot(), 'bench/out/prof')] : [])];
    if (this.env.BENCH_QUERY_COUNT_FILE) args.push('-r', join(__dirname, 'query-counter.js'));
    this.child = spawn(process.execPath, [...args, join(__dirname, '../src/main.js')], { env: this.env, stdio: ['ignore', fd, fd] });
    closeSync(fd);
    this.pids.push(this.child.pid!);
    return this.child;
  }

  get pid() {
    return this.child?.pid;
  }

  /** CPU seconds of every hub process of this run (a killed one's as last sampled). */
  cpuSeconds(): number {
    return this.cpuOfEnded + processCpuSeconds(this.pid);
  }

  async kill(signal: NodeJS.Signals): Promise<void> {
    const child = this.child;
    if (child.exitCode !== null || child.signalCode !== null) return;
    this.cpuOfEnded += processCpuSeconds(child.pid);
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill(signal);
    await exited;
  }
}

// --- the applications -----------------------------------------------------------------------------

interface Facilities {
  itabashi: string[];
  adachi: string[];
  suginami: string[];
}

const KATAKANA_DIGITS = ['ア', 'イ', 'ウ', 'エ', 'オ', 'カ', 'キ', 'ク', 'ケ', 'コ'];

/** Application i: 板橋区 family; first wish in 板橋区, second in 足立区 (even i) or 杉並区 (odd i). */
function applicationInput(i: number, runTag: string, f: Facilities) {
  const birth = new Date(BIRTH_FROM + (i % BIRTH_DAYS) * 86_400_000).toISOString().slice(0, 10);
  const kanaTail = String(i).padStart(5, '0').split('').map((d) => KATAKANA_DIGITS[Number(d)]).join('');
  const forwardTo = i % 2 === 0 ? f.adachi : f.suginami;
  return {
    idempotencyKey: `burst-${runTag}-${i}`,
    child: { name: `板橋 ${kanaTail}`, kana: `イタバシ ${kanaTail}`, birthDate: birth, sex: i % 2 ? 'MALE' : 'FEMALE' },
    household: { address: `東京都板橋区板橋2-${(i % 60) + 1}-1`, phone: '03-3964-1111', memberCount: 3 },
    guardians: [
      { name: '板橋 太郎', kana: 'イタバシ タロウ', relationship: 'FATHER', careReason: 'EMPLOYMENT', employment: { employerName: '株式会社ベンチ', daysPerWeek: 5, startTime: '09:00', endTime: '18:00', hoursPerMonth: 160 } },
      { name: '板橋 洋子', kana: 'イタバシ ヨウコ', relationship: 'MOTHER', careReason: 'EMPLOYMENT', employment: { employerName: '区内商店', daysPerWeek: 4, startTime: '09:00', endTime: '16:00', hoursPerMonth: 112 } },
    ],
    residenceMunicipalityCode: ITABASHI,
    intakeMonth: INTAKE_MONTH,
    wishes: [
      { rank: 1, facilityId: f.itabashi[i % f.itabashi.length] },
      { rank: 2, facilityId: forwardTo[i % forwardTo.length] },
    ],
    applicationType: 'NEW',
    documents: [
      { kind: 'APPLICATION_FORM', reference: `partner-file-${i}-1` },
      { kind: 'HOUSEHOLD_STATEMENT', reference: `partner-file-${i}-2` },
      { kind: 'CHILD_STATUS_STATEMENT', reference: `partner-file-${i}-3` },
      { kind: 'EMPLOYMENT_CERTIFICATE', reference: `partner-file-${i}-4` },
    ],
  };
}

async function facilitiesTakingClassAge1(db: Client): Promise<Facilities> {
  const pick = async (code: string) =>
    (
      await db.query(
        `SELECT f.id FROM facility f JOIN facility_class_age c ON c.facility_id = f.id AND c.class_age = 1
          WHERE f.municipality_code = $1 AND f.minimum_age_days IS NULL ORDER BY f.name, f.id LIMIT 5`,
        [code],
      )
    ).rows.map((r) => r.id as string);
  const f = { itabashi: await pick(ITABASHI), adachi: await pick(ADACHI), suginami: await pick(SUGINAMI) };
  for (const [k, v] of Object.entries(f)) if (!v.length) throw new Error(`no demo facility in ${k} takes the 1-year class`);
  return f;
}

// --- the load: a closed loop of CONCURRENCY clients -----------------------------------------------

interface Submission {
  index: number;
  key: string;
  firstSentAt: number;
  answeredAt: number;
  /** The answering attempt alone. */
  lastAttemptMs: number;
  attempts: number;
  networkErrors: number;
  applicationId?: string;
  replayed?: boolean;
  errorCode?: string;
  gaveUp?: boolean;
}

/** Codes and statuses that mean "the hub did not decide": the client asks again with the same key. */
const RETRYABLE_CODES = new Set(['INTERNAL', 'INTERNAL_SERVER_ERROR', 'SERVICE_UNAVAILABLE', 'TOO_MANY_REQUESTS', 'RATE_LIMITED']);

async function submitWithRetries(
  agent: Agent, port: () => number, path: string, index: number, key: string, body: string, headers: Record<string, string>,
  parse: (a: HttpAnswer) => Partial<Submission> | 'retry',
): Promise<Submission> {
  const s: Submission = { index, key, firstSentAt: now(), answeredAt: 0, lastAttemptMs: 0, attempts: 0, networkErrors: 0 };
  let backoff = 50;
  for (;;) {
    s.attempts++;
    const t0 = now();
    let outcome: Partial<Submission> | 'retry' | 'network';
    try {
      outcome = parse(await post(agent, port(), path, body, headers));
    } catch {
      outcome = 'network';
      s.networkErrors++;
    }
    if (outcome !== 'retry' && outcome !== 'network') {
      s.answeredAt = now();
      s.lastAttemptMs = s.answeredAt - t0;
      return Object.assign(s, outcome);
    }
    if (now() - s.firstSentAt > SUBMISSION_GIVE_UP_MS) {
      s.answeredAt = now();
      s.gaveUp = true;
      return s;
    }
    await sleep(backoff * (0.5 + Math.random()));
    backoff = Math.min(backoff * 2, 1000);
  }
}

function parseHubAnswer(a: HttpAnswer): Partial<Submission> | 'retry' {
  let json: { data?: { submitApplication?: { replayed: boolean; application: { id: string } } }; errors?: Array<{ extensions?: { code?: string } }> };
  try {
    json = JSON.parse(a.body);
  } catch {
    return 'retry';
  }
  const result = json.data?.submitApplication;
  if (result) return { applicationId: result.application.id, replayed: result.replayed };
  const code = json.errors?.[0]?.extensions?.code ?? `HTTP_${a.status}`;
  if (RETRYABLE_CODES.has(code) || a.status >= 500 || a.status === 429) return 'retry';
  return { errorCode: code };
}

function parseBaselineAnswer(a: HttpAnswer): Partial<Submission> | 'retry' {
  if (a.status !== 200) return 'retry';
  return { applicationId: JSON.parse(a.body).id, replayed: false };
}

async function burst(opts: {
  total: number;
  bodies: (i: number) => { key: string; body: string };
  port: () => number;
  path: string;
  headers: Record<string, string>;
  parse: (a: HttpAnswer) => Partial<Submission> | 'retry';
  onAnswered?: (answered: number) => void;
}) {
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const results: Submission[] = new Array(opts.total);
  let next = 0;
  let answered = 0;
  const started = now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      for (let i = next++; i < opts.total; i = next++) {
        const { key, body } = opts.bodies(i);
        results[i] = await submitWithRetries(agent, opts.port, opts.path, i, key, body, opts.headers, opts.parse);
        opts.onAnswered?.(++answered);
      }
    }),
  );
  const elapsedMs = now() - started;
  agent.destroy();
  return { results, started, elapsedMs };
}

function accepted0(results: Submission[]): number {
  return results.filter((r) => r.applicationId).length;
}

function burstFigures(results: Submission[], elapsedMs: number) {
  const accepted = results.filter((r) => r.applicationId);
  const errors: Record<string, number> = {};
  for (const r of results) if (r.errorCode) errors[r.errorCode] = (errors[r.errorCode] ?? 0) + 1;
  return {
    submissions: results.length,
    accepted: accepted.length,
    replayedAnswers: accepted.filter((r) => r.replayed).length,
    refused: errors,
    gaveUp: results.filter((r) => r.gaveUp).length,
    requestsWithNetworkErrors: results.filter((r) => r.networkErrors > 0).length,
    networkErrors: results.reduce((n, r) => n + r.networkErrors, 0),
    elapsedS: round(elapsedMs / 1000, 2),
    acceptedPerSecond: round(accepted.length / (elapsedMs / 1000), 1),
    latencyMs: summary(accepted.map((r) => r.lastAttemptMs)),
    latencyWithRetriesMs: summary(accepted.map((r) => r.answeredAt - r.firstSentAt)),
  };
}

// --- databases ------------------------------------------------------------------------------------

async function withAdmin<T>(server: string, fn: (c: Client) => Promise<T>): Promise<T> {
  const c = new Client({ connectionString: server });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

function databaseUrl(server: string, name: string): string {
  const url = new URL(server);
  url.pathname = `/${name}`;
  return url.toString();
}

async function dbCounters(db: Client) {
  const { rows } = await db.query(
    `SELECT xact_commit::bigint AS commits, tup_inserted::bigint AS inserted, tup_updated::bigint AS updated, tup_fetched::bigint AS fetched, tup_returned::bigint AS returned
       FROM pg_stat_database WHERE datname = current_database()`,
  );
  return Object.fromEntries(Object.entries(rows[0]).map(([k, v]) => [k, Number(v)]));
}

// --- one run of the hub ---------------------------------------------------------------------------

async function hubRun(mode: 'normal' | 'kill', server: string, stamp: number, keep: boolean) {
  const dbName = `hub_bench_${stamp}_${mode}`;
  await withAdmin(server, (c) => c.query(`CREATE DATABASE ${dbName}`));
  const url = databaseUrl(server, dbName);
  const outDir = join(projectRoot(), 'bench/out');
  const port = 41_000 + Math.floor(Math.random() * 2000);
  // NODE_ENV=test behaves as development (adjustable clock, demo data allowed) except that it does not
  // rewrite schema.gql in the working tree on start.
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: 'test', HUB_DEMO: 'true', DATABASE_URL: url, PORT: String(port), HOST: '127.0.0.1',
    LOG_LEVEL: 'warn', HUB_RATE_LIMIT_PER_MINUTE: '100000000', DB_POOL_SIZE: String(POOL), HUB_WORKER_INTERVAL_MS: String(WORKER_INTERVAL_MS),
    // BENCH_HUB_PROCESSES=2 runs the hub as node:cluster processes (HUB_PROCESSES); RSS counts them all.
    HUB_PROCESSES: process.env.BENCH_HUB_PROCESSES ?? '1',
  };
  const queryFile = process.env.BENCH_COUNT_QUERIES === '1' ? join(outDir, `burst-${stamp}-${mode}-queries.json`) : undefined;
  if (queryFile) env.BENCH_QUERY_COUNT_FILE = queryFile;
  const hub = new HubProcess(env, port, join(outDir, `burst-${stamp}-${mode}-hub.log`));
  const readQueries = async (): Promise<Record<string, { count: number; ms: number }>> => {
    if (!queryFile) return {};
    await sleep(1100);
    try {
      return JSON.parse(readFileSync(queryFile, 'utf8'));
    } catch {
      return {};
    }
  };
  const receivers = {
    itabashi: new Receiver('板橋区 (healthy)', ITABASHI, 'healthy'),
    adachi: new Receiver('足立区 (500 on 30%)', ADACHI, 'flaky'),
    suginami: new Receiver('杉並区 (down 30 s)', SUGINAMI, 'down'),
  };
  const db = new Client({ connectionString: url });
  let rssPeak = 0;
  const rssSamples: number[] = [];
  const sampler = setInterval(() => {
    const rss = rssMb(hub.pid);
    if (Number.isFinite(rss)) {
      rssPeak = Math.max(rssPeak, rss);
      rssSamples.push(rss);
    }
  }, 250);
  try {
    let t0 = now();
    hub.start();
    await waitUntilReady(port, hub.child, RESTART_READY_TIMEOUT_MS);
    const bootMs = now() - t0;
    await db.connect();
    log(`${mode}: hub pid ${hub.pid} ready on :${port} in ${Math.round(bootMs)} ms (database ${dbName})`);

    for (const r of Object.values(receivers)) await r.listen();
    for (const r of Object.values(receivers)) {
      const data = await graphql<{ configureMunicipalityDelivery: { signingSecret: string } }>(
        port, CONFIGURE, { input: { municipalityCode: r.code, mode: 'PUSH', endpointUrl: r.url, acceptsIncomplete: true } }, ADMIN_KEY,
      );
      r.secret = data.configureMunicipalityDelivery.signingSecret;
    }
    // 杉並区 is down from the start of the burst for DOWN_FOR_MS.
    await receivers.suginami.goDown();
    const facilities = await facilitiesTakingClassAge1(db);
    const inputs = Array.from({ length: TOTAL }, (_, i) => applicationInput(i, `${stamp}-${mode}`, facilities));
    const bodies = inputs.map((input) => JSON.stringify({ query: SUBMIT, variables: { input } }));
    const queriesBefore = await readQueries();
    const dbBefore = await dbCounters(db);
    const cpuBefore = { hub: hub.cpuSeconds(), machine: machineCpu(), bench: process.cpuUsage() };
    const load = loadavg()[0];

    // ---- the burst ----
    let burstStartedAt = 0;
    let downUntil = Infinity;
    const kill: { atAnswered?: number; killedAt?: number; readyAt?: number; restartMs?: number | null } = {};
    let restart: Promise<void> | undefined;
    const downTimer = setTimeout(() => {
      void receivers.suginami.listen().then(() => log(`${mode}: 杉並区 is up again`));
    }, DOWN_FOR_MS);
    burstStartedAt = now();
    downUntil = burstStartedAt + DOWN_FOR_MS;
    log(`${mode}: ${TOTAL} submissions at concurrency ${CONCURRENCY}`);
    let lastLog = now();
    const result = await burst({
      total: TOTAL,
      bodies: (i) => ({ key: inputs[i].idempotencyKey, body: bodies[i] }),
      port: () => port,
      path: '/graphql',
      headers: { authorization: `Bearer ${PARTNER_KEY}` },
      parse: parseHubAnswer,
      onAnswered: (answered) => {
        if (now() - lastLog > 5000) {
          lastLog = now();
          log(`${mode}: ${answered} answered (${Math.round(answered / ((now() - burstStartedAt) / 1000))}/s), hub RSS ${rssMb(hub.pid)} MB`);
        }
        if (mode === 'kill' && !restart && answered >= TOTAL / 2) {
          kill.atAnswered = answered;
          restart = (async () => {
            kill.killedAt = now();
            await hub.kill('SIGKILL');
            log(`${mode}: hub SIGKILLed after ${answered} answers; starting it again`);
            hub.start();
            await waitUntilReady(port, hub.child, RESTART_READY_TIMEOUT_MS);
            kill.readyAt = now();
            kill.restartMs = round(kill.readyAt - kill.killedAt);
            log(`${mode}: hub pid ${hub.pid} ready again after ${kill.restartMs} ms`);
          })();
        }
      },
    });
    await restart;
    const cpuAfter = { hub: hub.cpuSeconds(), machine: machineCpu(), bench: process.cpuUsage(cpuBefore.bench) };
    const dbAfterBurst = await dbCounters(db);
    const queriesAfter = await readQueries();
    const queriesPerSubmission = Object.entries(queriesAfter)
      .map(([sql, q]) => ({ sql, count: q.count - (queriesBefore[sql]?.count ?? 0), ms: q.ms - (queriesBefore[sql]?.ms ?? 0) }))
      .filter((q) => q.count > 0)
      .sort((a, b) => b.count - a.count)
      .map((q) => ({ sql: q.sql, perSubmission: round(q.count / Math.max(1, accepted0(result.results)), 2), avgMs: round(q.ms / q.count, 2) }));
    const figures = burstFigures(result.results, result.elapsedMs);
    log(`${mode}: burst done: ${JSON.stringify({ accepted: figures.accepted, perSecond: figures.acceptedPerSecond, latency: figures.latencyMs })}`);
    const accepted = result.results.filter((r) => r.applicationId);

    // ---- drain: wait until every delivery is accepted ----
    const expected: Array<{ receiver: Receiver; applicationId: string; submission: Submission }> = [];
    for (const s of accepted) {
      expected.push({ receiver: receivers.itabashi, applicationId: s.applicationId!, submission: s });
      expected.push({ receiver: s.index % 2 === 0 ? receivers.adachi : receivers.suginami, applicationId: s.applicationId!, submission: s });
    }
    const missing = () => expected.filter((e) => !e.receiver.acceptedByApplication.has(e.applicationId));
    const fastForwarded = new Map<string, number>();
    const drainStarted = now();
    let drained = false;
    let pendingMessages = -1;
    let submittedApplications = -1;
    lastLog = 0;
    while (now() - drainStarted < DRAIN_TIMEOUT_MS) {
      const stillMissing = missing().length;
      pendingMessages = Number((await db.query(`SELECT count(*) FROM outbox_message WHERE status = 'PENDING'`)).rows[0].count);
      submittedApplications = Number((await db.query(`SELECT count(*) FROM application WHERE status = 'SUBMITTED'`)).rows[0].count);
      if (stillMissing === 0 && pendingMessages === 0 && submittedApplications === 0) {
        drained = true;
        break;
      }
      if (now() > downUntil) {
        const moved = await db.query(
          `UPDATE outbox_message SET next_attempt_at = now() WHERE status = 'PENDING' AND next_attempt_at > now() + $1 * interval '1 millisecond' RETURNING id, attempts`,
          [FAST_FORWARD_BEYOND_MS],
        );
        for (const row of moved.rows) fastForwarded.set(row.id, Math.max(fastForwarded.get(row.id) ?? 0, row.attempts));
      }
      if (now() - lastLog > 10_000) {
        lastLog = now();
        log(`${mode}: draining: ${stillMissing} deliveries missing, ${pendingMessages} messages pending, ${submittedApplications} applications not yet DELIVERED, ${fastForwarded.size} retries fast-forwarded`);
      }
      await sleep(500);
    }
    const drainMs = now() - drainStarted;
    log(`${mode}: ${drained ? 'drained' : 'NOT drained'} ${Math.round(drainMs / 1000)} s after the burst; listening ${SETTLE_MS / 1000} s more for duplicates`);
    await sleep(SETTLE_MS);
    clearTimeout(downTimer);

    // ---- checks ----
    const missingAfter = missing();
    const healthyDelay = accepted
      .map((s) => receivers.itabashi.messages.get(receivers.itabashi.acceptedByApplication.get(s.applicationId!)?.[0] ?? '')?.acceptedAt[0])
      .map((at, k) => (at === undefined ? NaN : at - accepted[k].answeredAt))
      .filter(Number.isFinite);
    const healthyDelayFromSend = accepted
      .map((s) => receivers.itabashi.messages.get(receivers.itabashi.acceptedByApplication.get(s.applicationId!)?.[0] ?? '')?.acceptedAt[0])
      .map((at, k) => (at === undefined ? NaN : at - accepted[k].firstSentAt))
      .filter(Number.isFinite);
    const knownIds = new Set(accepted.map((s) => s.applicationId));
    const unexpected = Object.values(receivers).flatMap((r) => [...r.messages.values()].filter((m) => !knownIds.has(m.applicationId)).map((m) => `${r.code}:${m.applicationId}`));

    const dbApps = await db.query(`SELECT idempotency_key, id, status FROM application`);
    const byKey = new Map(dbApps.rows.map((r) => [r.idempotency_key as string, r.id as string]));
    const acceptedKeys = new Set(accepted.map((s) => s.key));
    const lost = accepted.filter((s) => byKey.get(s.key) !== s.applicationId).map((s) => s.key);
    const [appCounts] = (await db.query(
      `SELECT count(*)::int AS applications, count(DISTINCT idempotency_key)::int AS keys, count(DISTINCT child_key)::int AS children,
              count(*) FILTER (WHERE status = 'DELIVERED')::int AS delivered FROM application`,
    )).rows;
    const outbox = (await db.query(
      `SELECT d.municipality_code AS code, m.status, count(*)::int AS messages, sum(m.attempts)::int AS attempts, max(m.attempts)::int AS max_attempts
         FROM outbox_message m JOIN municipality_delivery d ON d.endpoint_id = m.endpoint_id GROUP BY 1, 2 ORDER BY 1, 2`,
    )).rows;
    const attempts = (await db.query(
      `SELECT d.municipality_code AS code, coalesce(a.status_code::text, split_part(a.error, ':', 1) || coalesce(':' || nullif(trim(split_part(a.error, ':', 2)), ''), '')) AS result, count(*)::int AS n
         FROM delivery_attempt a JOIN outbox_message m ON m.id = a.message_id JOIN municipality_delivery d ON d.endpoint_id = m.endpoint_id
        GROUP BY 1, 2 ORDER BY 1, 2`,
    )).rows;
    const dbAfter = await dbCounters(db);

    const hubCpu = cpuAfter.hub - cpuBefore.hub;
    const machineBusy = cpuAfter.machine.busy - cpuBefore.machine.busy;
    const machineTotal = cpuAfter.machine.total - cpuBefore.machine.total;
    const benchCpu = (cpuAfter.bench.user + cpuAfter.bench.system) / 1e6;
    const perSubmission = (n: number) => round(n / Math.max(1, figures.accepted), 2);
    const report = {
      mode,
      database: dbName,
      hubBootMs: Math.round(bootMs),
      loadAverageBefore: round(load, 2),
      burst: figures,
      kill: mode === 'kill' ? { ...kill, killedAt: undefined, readyAt: undefined } : undefined,
      cpuDuringBurst: {
        machineBusyPercent: round((machineBusy / machineTotal) * 100, 0),
        hubCpuS: round(hubCpu, 1),
        benchClientAndReceiversCpuS: round(benchCpu, 1),
        restOfMachineCpuS: round(machineBusy - hubCpu - benchCpu, 1),
        hubCpuMsPerSubmission: round((hubCpu * 1000) / Math.max(1, figures.accepted), 2),
      },
      queriesPerSubmissionDuringBurst: queryFile ? {
        total: round(queriesPerSubmission.reduce((n, q) => n + (q.perSubmission ?? 0), 0), 1),
        statements: queriesPerSubmission.slice(0, 40),
      } : undefined,
      databasePerSubmissionDuringBurst: {
        commits: perSubmission(dbAfterBurst.commits - dbBefore.commits),
        rowsInserted: perSubmission(dbAfterBurst.inserted - dbBefore.inserted),
        rowsUpdated: perSubmission(dbAfterBurst.updated - dbBefore.updated),
        rowsFetched: perSubmission(dbAfterBurst.fetched - dbBefore.fetched),
        rowsReturned: perSubmission(dbAfterBurst.returned - dbBefore.returned),
      },
      hubRssMb: { peak: rssPeak, median: percentile([...rssSamples].sort((a, b) => a - b), 50), end: rssMb(hub.pid) },
      delivery: {
        drained,
        drainAfterBurstS: round(drainMs / 1000, 1),
        healthyEndpointDelayFromAnswerMs: summary(healthyDelay),
        healthyEndpointDelayFromFirstSendMs: summary(healthyDelayFromSend),
        retriesFastForwarded: fastForwarded.size,
        fastForwardedAfterAttempts: [...fastForwarded.values()].reduce<Record<string, number>>((acc, a) => ({ ...acc, [a]: (acc[a] ?? 0) + 1 }), {}),
        receivers: Object.fromEntries(Object.values(receivers).map((r) => [r.code, r.stats()])),
        outbox,
        attemptsByResult: attempts,
      },
      checks: {
        everyAcceptedDeliveredToResidence: expected.filter((e) => e.receiver === receivers.itabashi).every((e) => e.receiver.acceptedByApplication.has(e.applicationId)),
        missingDeliveries: missingAfter.length,
        missingSample: missingAfter.slice(0, 5).map((e) => `${e.receiver.code}:${e.applicationId}`),
        webhookIdsAcceptedMoreThanOnce: Object.values(receivers).reduce((n, r) => n + r.stats().webhookIdsAcceptedMoreThanOnce, 0),
        deliveriesForUnknownApplications: unexpected.length,
        invalidSignatures: Object.values(receivers).reduce((n, r) => n + r.invalidSignatures, 0),
        applicationsInDatabase: appCounts.applications,
        distinctIdempotencyKeysInDatabase: appCounts.keys,
        distinctChildrenInDatabase: appCounts.children,
        acceptedByClients: acceptedKeys.size,
        acceptedButNotInDatabase: lost.length,
        applicationsNotAcceptedByAnyClient: dbApps.rows.filter((r) => !acceptedKeys.has(r.idempotency_key)).length,
        applicationsDelivered: appCounts.delivered,
        ok: false,
      },
      databaseTotals: { commits: dbAfter.commits - dbBefore.commits, rowsInserted: dbAfter.inserted - dbBefore.inserted },
    };
    // Across a SIGKILL, a delivery answered 2xx but not yet recorded is sent again after its lease
    // (at least once; receivers de-duplicate on webhook-id): counted and reported, not a failure there.
    report.checks.ok =
      drained && report.checks.missingDeliveries === 0 && (mode === 'kill' || report.checks.webhookIdsAcceptedMoreThanOnce === 0) &&
      report.checks.deliveriesForUnknownApplications === 0 &&
      report.checks.invalidSignatures === 0 && report.checks.acceptedButNotInDatabase === 0 && report.checks.applicationsNotAcceptedByAnyClient === 0 &&
      appCounts.applications === acceptedKeys.size && appCounts.keys === appCounts.applications && figures.accepted === TOTAL;
    return report;
  } finally {
    clearInterval(sampler);
    await db.end().catch(() => undefined);
    await hub.kill('SIGTERM').catch(() => undefined);
    for (const r of Object.values(receivers)) await r.close().catch(() => undefined);
    if (!keep) await withAdmin(server, (c) => c.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`)).catch(() => undefined);
    else log(`kept database ${dbName}`);
  }
}

// --- the baseline ---------------------------------------------------------------------------------

async function baselineRun(server: string, stamp: number, keep: boolean) {
  const dbName = `hub_bench_${stamp}_baseline`;
  await withAdmin(server, (c) => c.query(`CREATE DATABASE ${dbName}`));
  const child = spawn(process.execPath, [join(__dirname, 'burst-baseline.js')], {
    env: { PATH: process.env.PATH, DATABASE_URL: databaseUrl(server, dbName), DB_POOL_SIZE: String(POOL), PORT: '0' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let rssPeak = 0;
  const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, rssMb(child.pid) || 0)), 250);
  try {
    const port = await new Promise<number>((resolve, reject) => {
      let out = '';
      child.stdout!.on('data', (c: Buffer) => {
        out += c.toString();
        const m = /ready (\d+)/.exec(out);
        if (m) resolve(Number(m[1]));
      });
      child.once('exit', (code) => reject(new Error(`the baseline exited (${code})`)));
    });
    const f: Facilities = { itabashi: ['00000000-0000-4000-8000-000000000001'], adachi: ['00000000-0000-4000-8000-000000000002'], suginami: ['00000000-0000-4000-8000-000000000003'] };
    const bodies = Array.from({ length: TOTAL }, (_, i) => JSON.stringify(applicationInput(i, `${stamp}-baseline`, f)));
    const cpu0 = processCpuSeconds(child.pid);
    log(`baseline: ${TOTAL} requests at concurrency ${CONCURRENCY} (node:http + pg, one row per request in one transaction)`);
    const result = await burst({
      total: TOTAL,
      bodies: (i) => ({ key: String(i), body: bodies[i] }),
      port: () => port,
      path: '/submit',
      headers: {},
      parse: parseBaselineAnswer,
    });
    const figures = burstFigures(result.results, result.elapsedMs);
    const cpu = processCpuSeconds(child.pid) - cpu0;
    log(`baseline: ${figures.accepted} stored, ${figures.acceptedPerSecond}/s, p50 ${figures.latencyMs.p50} ms`);
    return { ...figures, serverCpuMsPerRequest: round((cpu * 1000) / Math.max(1, figures.accepted), 2), rssPeakMb: rssPeak };
  } finally {
    clearInterval(sampler);
    child.kill('SIGTERM');
    await sleep(300);
    if (!keep) await withAdmin(server, (c) => c.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`)).catch(() => undefined);
  }
}

// --- report ---------------------------------------------------------------------------------------

function table(rows: Array<[string, ...unknown[]]>, head: string[]): string {
  const all = [head, ...rows.map((r) => r.map((c) => (c === undefined || c === null ? '–' : String(c))))];
  const widths = head.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
  return all.map((r, k) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ') + (k === 0 ? '\n' + widths.map((w) => '-'.repeat(w)).join('  ') : '')).join('\n');
}

async function main() {
  const keep = process.argv.includes('--keep');
  const server = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const stamp = Date.now();
  mkdirSync(join(projectRoot(), 'bench/out'), { recursive: true });
  const pgVersion = await withAdmin(server, async (c) => (await c.query('SHOW server_version')).rows[0].server_version as string);
  const results: Record<string, any> = {
    at: new Date().toISOString(),
    machine: { cpu: cpus()[0]?.model, cores: cpus().length, memoryGb: Math.round(totalmem() / 2 ** 30), node: process.version, postgres: pgVersion },
    settings: { submissions: TOTAL, concurrency: CONCURRENCY, dbPool: POOL, workerIntervalMs: WORKER_INTERVAL_MS, flakyFailureRate: FLAKY_FAILURE_RATE, downForMs: DOWN_FOR_MS, intakeMonth: INTAKE_MONTH },
  };
  if (RUNS.includes('baseline')) results.baseline = await baselineRun(server, stamp, keep);
  if (RUNS.includes('normal')) results.normal = await hubRun('normal', server, stamp, keep);
  if (RUNS.includes('kill')) results.kill = await hubRun('kill', server, stamp, keep);

  const base = results.baseline?.acceptedPerSecond;
  const runs = ['normal', 'kill'].filter((m) => results[m]).map((m) => results[m]);
  for (const r of runs) r.burst.percentOfBaseline = base ? round((r.burst.acceptedPerSecond / base) * 100, 0) : null;
  results.targets = Object.fromEntries(runs.map((r) => [r.mode, { atLeast300PerSecond: r.burst.acceptedPerSecond >= 300, checksPassed: r.checks.ok }]));

  const file = join(projectRoot(), `bench/out/burst-${stamp}.json`);
  writeFileSync(file, JSON.stringify(results, null, 2));
  const rows: Array<[string, ...unknown[]]> = [];
  if (results.baseline) {
    const b = results.baseline;
    rows.push(['baseline (node:http + pg insert)', b.accepted, b.acceptedPerSecond, '100%', b.latencyMs.p50, b.latencyMs.p95, b.latencyMs.p99, '–', '–', b.rssPeakMb, '–']);
  }
  for (const r of runs) {
    rows.push([
      `hub, ${r.mode === 'kill' ? 'SIGKILL + restart' : 'no fault'}`, r.burst.accepted, r.burst.acceptedPerSecond, r.burst.percentOfBaseline === null ? '–' : `${r.burst.percentOfBaseline}%`,
      r.burst.latencyWithRetriesMs.p50, r.burst.latencyWithRetriesMs.p95, r.burst.latencyWithRetriesMs.p99,
      r.delivery.healthyEndpointDelayFromAnswerMs.p50, r.delivery.healthyEndpointDelayFromAnswerMs.p95, r.hubRssMb.peak, r.checks.ok ? 'pass' : 'FAIL',
    ]);
  }
  console.log('\n' + table(rows, ['run', 'accepted', 'per s', 'vs base', 'p50 ms', 'p95 ms', 'p99 ms', 'deliv p50', 'deliv p95', 'RSS MB', 'checks']));
  for (const r of runs) console.log(`\n${r.mode}: checks ${JSON.stringify(r.checks)}\n${r.mode}: receivers ${JSON.stringify(r.delivery.receivers)}`);
  console.log(`\nwritten ${file}`);
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
