/**
 * How long the hub takes to answer or refuse documents built to exhaust a GraphQL server, each up to
 * 100 KB: the 836-byte fragment bomb, fragment chains, a field repeated a thousand times, the widest
 * and deepest documents the limits still allow, and a legitimate large document (the introspection
 * query). Each is sent BENCH_ROUNDS times (default 30) after a warm-up; the table gives the answer and
 * the p50 / p99 / max milliseconds from sending to the whole answer. Then the bomb and the chain are
 * sent in a loop beside a stream of `{ __typename }` to show what the others wait.
 *
 * Against the real PostgreSQL at BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres),
 * in a database of its own, dropped at the end. The hub runs in this process (JIT on, as deployed).
 *   npm run bench:query-limits
 */
import { getIntrospectionQuery } from 'graphql';
import { Client } from 'pg';
import { startHub } from '../src/bootstrap';
import { percentile } from './measure';

const SERVER = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 30);

const chain = (n: number) => `{ ...F0 } ${Array.from({ length: n }, (_, i) => (i < n - 1 ? `fragment F${i} on Query { ...F${i + 1} }` : `fragment F${i} on Query { __typename }`)).join(' ')}`;
const bomb = `{ ...L0 } ${Array.from({ length: 9 }, (_, i) => `fragment L${i} on Query { ${Array(10).fill(`...L${i + 1}`).join(' ')} }`).join(' ')} fragment L9 on Query { a: facilities(first: 1) { totalCount } }`;
const diamond = (n: number) =>
  `{ viewer { facilityIds } ...A0 ...B0 } ${Array.from({ length: n }, (_, i) => `fragment A${i} on Query { viewer { facilityIds } ...A${i + 1} ...B${i + 1} } fragment B${i} on Query { viewer { facilityIds } ...A${i + 1} ...B${i + 1} }`).join(' ')} fragment A${n} on Query { __typename } fragment B${n} on Query { __typename }`;
/** One response name 20 times (the limit) with a wide selection under each, merged by graphql-js pairwise. */
const widestAllowed = `{ ${Array(20).fill(`viewer { facilityIds client { id name role keyPrefix createdAt revokedAt municipalityCode } }`).join(' ')} }`;
/** A long filter text: a 99 KB document of one string token. */
const bigString = `{ facilities(filter: { text: "${'保'.repeat(33_000)}" }) { totalCount } }`;
/** 1,010 comment lines: past the limit of 1,000, in 98 KB. */
const comments = `{ __typename\n${`#${'c'.repeat(95)}\n`.repeat(1010)}}`;

const DOCUMENTS: Array<[string, string]> = [
  ['{ __typename }', '{ __typename }'],
  ['fragment bomb, 10 × 10 spreads (836 B)', bomb],
  ['fragment chain of 3,000 (109 KB)', chain(3000)],
  ['fragment chain of 1,000 (36 KB)', chain(1000)],
  ['fragment chain of 50 (the limit)', chain(50)],
  ['fragment DAG, 24 levels of 2 (48 fragments)', diamond(24)],
  ['one field 1,000 times (23 KB)', `{ ${Array(1000).fill('viewer { facilityIds }').join(' ')} }`],
  ['one field 20 times, wide (the limit)', widestAllowed],
  ['1,660 aliases of __typename (armor allows them; 5,000 tokens)', `{ ${Array.from({ length: 1660 }, (_, i) => `a${i}: __typename`).join(' ')} }`],
  ['31 aliases', `{ ${Array.from({ length: 31 }, (_, i) => `a${i}: viewer { facilityIds }`).join(' ')} }`],
  ['list literal nested 2,400 deep', `{ facility(id: ${'['.repeat(2400)}${']'.repeat(2400)}) { id } }`],
  ['selections nested 1,600 deep', `{ ${'viewer { '.repeat(1600)}facilityIds${' }'.repeat(1600)} }`],
  ['1,200 variables', `query(${Array.from({ length: 1200 }, (_, i) => `$v${i}: Int`).join(' ')}) { __typename }`],
  ['99 KB string literal', bigString],
  ['1,010 comments (98 KB)', comments],
  ['introspection query (legitimate)', getIntrospectionQuery({ descriptions: true, specifiedByUrl: true, directiveIsRepeatable: true, inputValueDeprecation: true })],
];

async function send(url: string, query: string): Promise<{ ms: number; status: number; code: string }> {
  const t0 = performance.now();
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) });
  const body = (await res.json()) as { errors?: Array<{ extensions?: { code?: string } }> };
  return { ms: performance.now() - t0, status: res.status, code: body.errors?.[0]?.extensions?.code ?? 'OK' };
}

const fmt = (n: number) => n.toFixed(1);

async function main() {
  const name = `hub_bench_limits_${Date.now()}`;
  const admin = new Client({ connectionString: SERVER });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(SERVER);
  url.pathname = `/${name}`;
  const hub = await startHub({ NODE_ENV: 'test', DATABASE_URL: url.toString(), PORT: '0', HOST: '127.0.0.1', HUB_DEMO: 'true', LOG_LEVEL: 'silent', HUB_WORKERS: 'false', HUB_RATE_LIMIT_PER_MINUTE: '1000000' });
  try {
    const endpoint = `${hub.url}/graphql`;
    console.log(`| document | bytes | answer | p50 ms | p99 ms | max ms |\n|---|---:|---|---:|---:|---:|`);
    for (const [label, query] of DOCUMENTS) {
      for (let i = 0; i < 3; i++) await send(endpoint, query);
      const times: number[] = [];
      let answer = '';
      for (let i = 0; i < ROUNDS; i++) {
        const r = await send(endpoint, query);
        times.push(r.ms);
        answer = `${r.status} ${r.code}`;
      }
      times.sort((a, b) => a - b);
      console.log(`| ${label} | ${Buffer.byteLength(JSON.stringify({ query }))} | ${answer} | ${fmt(percentile(times, 50))} | ${fmt(percentile(times, 99))} | ${fmt(times[times.length - 1])} |`);
    }

    // The heavy documents in a loop beside a stream of { __typename }: what do the others wait?
    const until = Date.now() + 5_000;
    const heavy = async () => {
      let n = 0;
      while (Date.now() < until) {
        await send(endpoint, n % 2 ? chain(3000) : bomb);
        n++;
      }
      return n;
    };
    const light = async () => {
      const times: number[] = [];
      while (Date.now() < until) times.push((await send(endpoint, '{ __typename }')).ms);
      return times;
    };
    const [h1, h2, typename] = await Promise.all([heavy(), heavy(), light()]);
    typename.sort((a, b) => a - b);
    console.log(
      `\nbeside 2 clients sending the bomb and the 3,000-chain in a loop for 5 s (${h1 + h2} refused): ${typename.length} × { __typename }, p50 ${fmt(percentile(typename, 50))} ms, p99 ${fmt(percentile(typename, 99))} ms, max ${fmt(typename[typename.length - 1])} ms`,
    );
  } finally {
    await hub.stop();
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
