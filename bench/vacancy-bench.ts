/**
 * Vacancy federation benchmark (`npm run bench:vacancy`). On the real PostgreSQL
 * (BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/postgres):
 *
 * 1. creates a FRESH database hub_bench_<timestamp> and migrates it (startHub);
 * 2. generates the SYNTHETIC national set (bench/generate-national.ts: ~40,000 facilities, 1,741
 *    municipalities, ~2.9 million figures) and loads the facilities;
 * 3. imports every municipality's vacancy CSV through the hub's own import path
 *    (VacancyImportService: parse, match by name, set-based write with history), one file per core at a
 *    time (BENCH_IMPORT_PARALLEL), and
 *    reports figures per second;
 * 4. starts the hub (node dist/src/main.js, with the production flags of src/config/node-flags.ts) and the minimal baseline (bench/vacancy-baseline.ts:
 *    node:http + pg, same SQL) as separate processes, warms each up for 15 s, then drives each with 32
 *    concurrent keep-alive connections for 20 s in all, in 6 slices taken in turn (baseline, hub, hub,
 *    baseline, …): vacancySearch for one municipality, one class age, one month, first 20, the
 *    municipality/age/month drawn at random (the same sequence for both, continued from the warm-up
 *    into the slices rather than started over, so the hub's cache meets only chance repeats);
 * 5. measures the hub answering `{ __typename }` (no resolver, no database) the same way: its fixed
 *    cost per request on this host;
 * 6. prints throughput, p50/p99 latency, CPU time per request (each server's processes, and
 *    PostgreSQL's when it runs on this machine) and the service's RSS, writes bench/results/vacancy-latest.json,
 *    and drops the database (keep it with --keep; run the search part alone on a kept database with
 *    --reuse hub_bench_<n>).
 */
import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { cpus, totalmem, type as osType, release } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { startHub } from '../src/bootstrap';
import { projectRoot } from '../src/common/paths';
import { HUB_NODE_FLAGS } from '../src/config/node-flags';
import { upsertFacilities } from '../src/facilities/facility-writer';
import { VacancyFileFormat } from '../src/vacancies/dto/import-vacancies.args';
import { VacancyFigureKind } from '../src/vacancies/vacancy-figure-kind';
import { VacancyImportService } from '../src/vacancies/vacancy-import.service';
import { BENCH_MONTHS, generateNationalSet, prng, SYNTHETIC_SOURCE } from './generate-national';
import { cpuSeconds, percentile, postgresCpuSeconds, rssMb } from './measure';

const CONCURRENCY = 32;
const DURATION_MS = Number(process.env.BENCH_DURATION_MS ?? 20_000);
// Both servers are warmed up this long first: the hub's code is many times the baseline's, and on a
// slow machine V8 is still optimising it well after 3 s (its throughput kept rising for ~20 s).
const WARMUP_MS = Number(process.env.BENCH_WARMUP_MS ?? 15_000);
// The measured time is cut into slices run alternately (baseline, hub, hub, baseline, …), so a
// machine whose speed drifts during the run (a shared VM) weighs on both alike.
const SLICES = Number(process.env.BENCH_SLICES ?? 6);
const HUB_PROCESSES = Number(process.env.BENCH_HUB_PROCESSES ?? 1);
// Municipality files imported at the same time: one per core by default. The import is CPU-bound
// (PostgreSQL's writes and the hub's parsing share the cores), and on 2 cores 4 files at a time
// contended: a mean of 104,016 figures/s against 112,846 with 2 (BENCHMARKS.md, sixth session).
const IMPORT_PARALLEL = Number(process.env.BENCH_IMPORT_PARALLEL ?? Math.max(2, cpus().length));
// Database connections of each server (the hub's shared among its processes). BENCH_POOL=2 shows a
// small host's best case: with PostgreSQL on the same 2 cores, fewer backends cost less per query.
const POOL = Number(process.env.BENCH_POOL ?? 10);
// How long the hub is measured answering `{ __typename }`, its fixed cost per request.
const FLOOR_MS = Number(process.env.BENCH_FLOOR_MS ?? 5_000);
const ADMIN_KEY = 'bench-admin-key-0123456789abcdef0123';

const SEARCH_QUERY = `query($f: VacancySearchFilter!) { vacancySearch(filter: $f, first: 20) {
  pageInfo { hasNextPage }
  edges { node { distanceMeters facility { id name kind municipalityCode latitude longitude } figure { classAge intakeMonth seats figureKind source asOf version ageInDays freshness } } } } }`;

interface LoadResult {
  requests: number;
  errors: number;
  throughput: number;
  p50: number;
  p90: number;
  p99: number;
  /** CPU time per answered request: the server's own processes, and every PostgreSQL process (NaN when PostgreSQL is not on this machine). */
  cpuMsPerRequest: { server: number; postgres: number };
  max: number;
  rssPeakMb: number;
  rssEndMb: number;
  sliceThroughputs: number[];
}

const log = (msg: string) => console.log(`[bench] ${msg}`);

async function waitForLine(child: ChildProcess, pattern: RegExp, timeoutMs = 120_000): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    let buffer = '';
    const timer = setTimeout(() => reject(new Error(`timed out waiting for ${pattern}; output so far:\n${buffer}`)), timeoutMs);
    const onData = (chunk: Buffer) => {
      buffer += chunk.toString();
      const m = buffer.match(pattern);
      if (m) {
        clearTimeout(timer);
        resolve(m);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`process exited (${code}) before ${pattern}:\n${buffer}`)));
  });
}

async function waitForHttp(url: string, timeoutMs = 120_000) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      /* not yet */
    }
    if (Date.now() > until) throw new Error(`${url} did not answer`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** One HTTP request on a keep-alive agent; resolves with the status and body. */
function send(agent: Agent, port: number, method: 'GET' | 'POST', path: string, body?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ agent, host: '127.0.0.1', port, method, path, headers: body ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } : {} }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

type Query = { code: string; age: number; month: string };
type Target = (agent: Agent, q: Query) => Promise<boolean>;

/** One server under load: what it has answered so far, over every slice of its run. */
interface Load {
  target: Target;
  pid: number;
  agent: Agent;
  /** The next query: each server draws from the same random sequence, continued across warm-up and slices. */
  next: () => Query;
  latencies: number[];
  sliceThroughputs: number[];
  errors: number;
  elapsedMs: number;
  rssPeak: number;
  serverCpuSeconds: number;
  postgresCpuSeconds: number;
}

function newLoad(target: Target, pid: number, next: () => Query): Load {
  return { target, pid, agent: new Agent({ keepAlive: true, maxSockets: CONCURRENCY }), next, latencies: [], sliceThroughputs: [], errors: 0, elapsedMs: 0, rssPeak: 0, serverCpuSeconds: 0, postgresCpuSeconds: 0 };
}

/** 32 workers for `durationMs`, each sending its next request when the previous one answered (a closed loop). */
async function drive(load: Load, durationMs: number, record: boolean): Promise<void> {
  const sampler = setInterval(() => (load.rssPeak = Math.max(load.rssPeak, rssMb(load.pid) || 0)), 250);
  const started = performance.now();
  const until = started + durationMs;
  const serverCpu = cpuSeconds(load.pid);
  const postgresCpu = postgresCpuSeconds();
  let answered = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (performance.now() < until) {
        const q = load.next();
        const t0 = performance.now();
        let ok = false;
        try {
          ok = await load.target(load.agent, q);
        } catch {
          ok = false;
        }
        if (!record) continue;
        answered++;
        load.latencies.push(performance.now() - t0);
        if (!ok) load.errors++;
      }
    }),
  );
  clearInterval(sampler);
  if (!record) return;
  const elapsed = performance.now() - started;
  load.elapsedMs += elapsed;
  load.serverCpuSeconds += cpuSeconds(load.pid) - serverCpu;
  load.postgresCpuSeconds += postgresCpuSeconds() - postgresCpu;
  load.sliceThroughputs.push(Math.round((answered / elapsed) * 1000));
}

function summary(load: Load): LoadResult {
  load.agent.destroy();
  const latencies = load.latencies.sort((a, b) => a - b);
  const round = (n: number) => Math.round(n * 100) / 100;
  return {
    requests: latencies.length,
    errors: load.errors,
    throughput: Math.round((latencies.length / load.elapsedMs) * 1000),
    sliceThroughputs: load.sliceThroughputs,
    p50: round(percentile(latencies, 50)),
    p90: round(percentile(latencies, 90)),
    p99: round(percentile(latencies, 99)),
    cpuMsPerRequest: { server: round((load.serverCpuSeconds * 1000) / latencies.length), postgres: round((load.postgresCpuSeconds * 1000) / latencies.length) },
    max: round(latencies[latencies.length - 1]),
    rssPeakMb: Math.max(load.rssPeak, rssMb(load.pid) || 0),
    rssEndMb: rssMb(load.pid),
  };
}

/** Steps 2–3: load the facilities, import every municipality's figures, re-import 100 of them. */
async function importNationalSet(env: Record<string, string>, set: ReturnType<typeof generateNationalSet>, facilityCount: number) {
  const hub = await startHub(env, { listen: false });
  const db = hub.app.get(DataSource);
  let t0 = performance.now();
  const now = hub.clock.now();
  const all = set.municipalities.flatMap((m) => m.facilities);
  for (let i = 0; i < all.length; i += 5000) await db.transaction((m) => upsertFacilities(m, SYNTHETIC_SOURCE, now, all.slice(i, i + 5000)));
  const facilityMs = performance.now() - t0;
  log(`facilities loaded in ${Math.round(facilityMs)} ms`);

  const importer = hub.app.get(VacancyImportService);
  const importCsv = (m: (typeof set.municipalities)[number]) =>
    importer.import({ format: VacancyFileFormat.CSV, content: m.csv, municipalityCode: m.code, figureKind: VacancyFigureKind.INTAKE_QUOTA, asOf: '2026-08-01', intakeMonth: null, dryRun: false }, null, now);
  const queue = [...set.municipalities];
  let imported = 0;
  t0 = performance.now();
  await Promise.all(
    Array.from({ length: IMPORT_PARALLEL }, async () => {
      for (let m = queue.shift(); m; m = queue.shift()) {
        const report = await importCsv(m);
        if (!report.applied || report.unmatched.length || report.created !== m.figures) throw new Error(`import of ${m.code} did not apply cleanly: ${JSON.stringify({ ...report, rejected: report.rejected.slice(0, 3) })}`);
        imported += report.created;
      }
    }),
  );
  const importMs = performance.now() - t0;
  // Counted through the per-cell views: every figure stored, and one history entry for each.
  const [{ n: stored }] = await db.query(`SELECT count(*)::int AS n FROM vacancy`);
  const [{ n: history }] = await db.query(`SELECT count(*)::int AS n FROM vacancy_history`);
  if (stored !== set.figures || history !== set.figures) throw new Error(`expected ${set.figures} figures and history entries, found ${stored} and ${history}`);
  const [{ rows, changes }] = await db.query(`SELECT (SELECT count(*)::int FROM vacancy_grid) AS rows, (SELECT count(*)::int FROM vacancy_change) AS changes`);
  const figuresPerSecond = Math.round(set.figures / (importMs / 1000));
  log(`imported ${imported} figures in ${Math.round(importMs)} ms: ${figuresPerSecond} figures/s (${rows} facility × month rows, ${history} history entries in ${changes} change rows)`);

  // Re-import of 100 municipalities: idempotent, nothing written.
  t0 = performance.now();
  let unchanged = 0;
  for (const m of set.municipalities.slice(0, 100)) {
    const r = await importCsv(m);
    if (r.created || r.updated) throw new Error(`re-import of ${m.code} changed figures`);
    unchanged += r.unchanged;
  }
  const reimportMs = performance.now() - t0;
  log(`re-imported 100 municipalities: ${unchanged} figures unchanged in ${Math.round(reimportMs)} ms`);
  await db.query('VACUUM ANALYZE');
  await hub.stop();
  return {
    facilities: facilityCount, municipalities: set.municipalities.length, figures: set.figures, facilityLoadMs: Math.round(facilityMs),
    importMs: Math.round(importMs), figuresPerSecond, parallelImports: IMPORT_PARALLEL, reimportUnchangedFigures: unchanged, reimportMs: Math.round(reimportMs),
  };
}

async function main() {
  // --reuse <database>: search only, against a database an earlier `--keep` run left (same seed, so the
  // same set); it is kept afterwards.
  const reuseAt = process.argv.indexOf('--reuse');
  const reuse = reuseAt > 0 ? process.argv[reuseAt + 1] : undefined;
  if (reuseAt > 0 && !/^hub_bench_\d+$/.test(reuse ?? '')) throw new Error('--reuse needs the name of a kept hub_bench_<n> database');
  const keep = process.argv.includes('--keep') || !!reuse;
  const server = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const dbName = reuse ?? `hub_bench_${Date.now()}`;
  const admin = new Client({ connectionString: server });
  await admin.connect();
  const pgVersion = (await admin.query('SHOW server_version')).rows[0].server_version;
  if (!reuse) await admin.query(`CREATE DATABASE ${dbName}`);
  await admin.end();
  const dbUrl = new URL(server);
  dbUrl.pathname = `/${dbName}`;
  const url = dbUrl.toString();
  log(reuse ? `reusing database ${dbName} (search only)` : `fresh database ${dbName}`);
  const children: ChildProcess[] = [];
  const results: Record<string, unknown> = {};
  try {
    // ---- 1–3: generate, load facilities, import figures -------------------------------------------
    const env = { NODE_ENV: 'test', DATABASE_URL: url, DB_POOL_SIZE: String(IMPORT_PARALLEL + 2), HUB_DEMO: 'false', HUB_WORKERS: 'false', LOG_LEVEL: 'warn', HUB_ADMIN_KEY: ADMIN_KEY, PORT: '0' };
    let t0 = performance.now();
    const set = generateNationalSet({ facilities: Number(process.env.BENCH_FACILITIES ?? 40_000), seed: 1 });
    const facilityCount = set.municipalities.reduce((n, m) => n + m.facilities.length, 0);
    log(`generated SYNTHETIC set: ${facilityCount} facilities, ${set.municipalities.length} municipalities, ${set.figures} figures (${Math.round(performance.now() - t0)} ms)`);
    const imported = reuse ? undefined : await importNationalSet(env, set, facilityCount);
    results.import = imported;

    // ---- 4: the hub and the baseline under load ------------------------------------------------------
    // One random sequence per server, the same for both (municipality, class age and month at random).
    const querySequence = (): (() => Query) => {
      const rand = prng(7);
      return () => ({
        code: set.municipalities[Math.floor(rand() * set.municipalities.length)].code,
        age: Math.floor(rand() * 6),
        month: BENCH_MONTHS[Math.floor(rand() * BENCH_MONTHS.length)],
      });
    };

    const root = projectRoot();
    const baseline = spawn(process.execPath, [join(__dirname, 'vacancy-baseline.js')], { env: { ...process.env, DATABASE_URL: url, DB_POOL_SIZE: String(POOL), PORT: '0' }, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(baseline);
    const basePort = Number((await waitForLine(baseline, /ready (\d+)/))[1]);
    const hubPort = 39_000 + Math.floor(Math.random() * 1000);
    const hubProcess = spawn(process.execPath, [...HUB_NODE_FLAGS, join(__dirname, '../src/main.js')], {
      // As deployed: the production V8 flags and mode (graphql-js and Express skip their development checks), a real key ring.
      env: {
        ...process.env, ...env, NODE_ENV: 'production', HUB_ENCRYPTION_KEYS: `bench:${randomBytes(32).toString('base64')}`,
        DB_POOL_SIZE: String(Math.ceil(POOL / HUB_PROCESSES)), PORT: String(hubPort), HOST: '127.0.0.1', HUB_RATE_LIMIT_PER_MINUTE: '1000000000',
        // BENCH_HUB_PROCESSES=2: the hub as node:cluster processes sharing the port (HUB_PROCESSES), each with
        // its share of the POOL connections (the baseline's number in all); RSS then counts them all.
        HUB_PROCESSES: String(HUB_PROCESSES),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(hubProcess);
    await waitForHttp(`http://127.0.0.1:${hubPort}/health/live`);
    log(`hub pid ${hubProcess.pid} on :${hubPort}, baseline pid ${baseline.pid} on :${basePort}`);

    const hubTarget: Target = async (agent, q) => {
      const body = JSON.stringify({ query: SEARCH_QUERY, variables: { f: { classAge: q.age, intakeMonth: q.month, municipalityCodes: [q.code] } } });
      const r = await send(agent, hubPort, 'POST', '/graphql', body);
      return r.status === 200 && !r.body.includes('"errors"');
    };
    const baseTarget: Target = async (agent, q) => {
      const r = await send(agent, basePort, 'GET', `/search?code=${q.code}&age=${q.age}&month=${q.month}&first=20`);
      return r.status === 200;
    };
    // Same answer from both for one query (sanity check that they do the same work).
    const sample = { code: set.municipalities[0].code, age: 1, month: '2026-09' };
    const a = JSON.parse((await send(new Agent(), hubPort, 'POST', '/graphql', JSON.stringify({ query: SEARCH_QUERY, variables: { f: { classAge: 1, intakeMonth: '2026-09', municipalityCodes: [sample.code] } } }))).body);
    const b = JSON.parse((await send(new Agent(), basePort, 'GET', `/search?code=${sample.code}&age=1&month=2026-09&first=20`)).body);
    const ids = (x: any) => x.data.vacancySearch.edges.map((e: any) => `${e.node.facility.id}:${e.node.figure.seats}`).join(',');
    if (ids(a) !== ids(b)) throw new Error('the hub and the baseline disagree on the sample query');

    const baseLoad = newLoad(baseTarget, baseline.pid!, querySequence());
    const hubLoad = newLoad(hubTarget, hubProcess.pid!, querySequence());
    log(`warm-up: ${WARMUP_MS / 1000} s each`);
    await drive(baseLoad, WARMUP_MS, false);
    await drive(hubLoad, WARMUP_MS, false);
    log(`measuring: ${DURATION_MS / 1000} s each, in ${SLICES} alternating slices`);
    for (let i = 0; i < SLICES; i++) for (const load of i % 2 ? [hubLoad, baseLoad] : [baseLoad, hubLoad]) await drive(load, DURATION_MS / SLICES, true);
    // The hub's fixed cost per request on this host: `{ __typename }` (no resolver, no database) under
    // the same 32 connections, after a short warm-up of its own.
    const floorLoad = newLoad(async (agent) => {
      const r = await send(agent, hubPort, 'POST', '/graphql', '{"query":"{ __typename }"}');
      return r.status === 200 && !r.body.includes('"errors"');
    }, hubProcess.pid!, hubLoad.next);
    await drive(floorLoad, 2_000, false);
    await drive(floorLoad, FLOOR_MS, true);
    const base = summary(baseLoad);
    const hubResult = summary(hubLoad);
    const floor = summary(floorLoad);
    log(`baseline: ${JSON.stringify(base)}`);
    log(`hub: ${JSON.stringify(hubResult)}`);
    log(`hub answering { __typename }: ${JSON.stringify(floor)}`);
    results.search = {
      concurrency: CONCURRENCY, durationMs: DURATION_MS, warmupMs: WARMUP_MS, slices: SLICES, dbPool: POOL, hubProcesses: HUB_PROCESSES, baseline: base, hub: hubResult, hubTypename: floor,
      hubVsBaseline: Math.round((hubResult.throughput / base.throughput) * 100) / 100,
    };
    results.machine = { cpu: cpus()[0]?.model, cores: cpus().length, memoryGb: Math.round(totalmem() / 2 ** 30), os: `${osType()} ${release()}`, node: process.version, postgres: pgVersion };
    results.targets = {
      ...(imported ? { importAtLeast100kPerSecond: imported.figuresPerSecond >= 100_000 } : {}),
      hubThroughputAtLeastHalfOfBaseline: hubResult.throughput >= base.throughput / 2,
      hubP99Under50ms: hubResult.p99 < 50,
      // The latency target is absolute, the throughput target relative: where the minimal baseline
      // itself is over 50 ms at p99 under this load and pool, no server set up this way shows it.
      baselineP99Under50ms: base.p99 < 50,
    };
    if (base.p99 >= 50) log(`note: the minimal baseline's own p99 is ${base.p99} ms at this load with ${POOL} connections: no server set up this way shows a p99 under 50 ms on this host`);
    mkdirSync(join(root, 'bench/results'), { recursive: true });
    writeFileSync(join(root, 'bench/results/vacancy-latest.json'), JSON.stringify({ at: new Date().toISOString(), ...results }, null, 2));
    console.log(JSON.stringify(results, null, 2));
  } finally {
    for (const c of children) c.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 1000));
    if (!keep) {
      const c = new Client({ connectionString: server });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`).catch(() => undefined);
      await c.end();
    } else log(`kept database ${dbName}`);
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
