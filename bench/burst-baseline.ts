/**
 * The minimal baseline for the application burst (bench/burst-bench.ts): plain node:http + pg, no
 * framework, no checks. POST /submit with a JSON body stores it as one row in one transaction
 * (BEGIN, INSERT … ON CONFLICT on the idempotency key, COMMIT): the floor cost of a durable,
 * idempotent write at the same concurrency and pool size as the hub.
 */
import { createServer } from 'node:http';
import { Pool } from 'pg';

const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: Number(process.env.DB_POOL_SIZE ?? 16) });

async function store(body: string): Promise<string> {
  const { idempotencyKey } = JSON.parse(body) as { idempotencyKey: string };
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const inserted = await client.query(
      `INSERT INTO burst_baseline_submission (idempotency_key, body) VALUES ($1, $2::jsonb)
       ON CONFLICT (idempotency_key) DO NOTHING RETURNING id`,
      [idempotencyKey, body],
    );
    const id = inserted.rows[0]?.id ?? (await client.query(`SELECT id FROM burst_baseline_submission WHERE idempotency_key = $1`, [idempotencyKey])).rows[0].id;
    await client.query('COMMIT');
    return String(id);
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}

const server = createServer((req, res) => {
  if (req.method !== 'POST' || req.url !== '/submit') {
    res.writeHead(404).end();
    return;
  }
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    store(Buffer.concat(chunks).toString('utf8')).then(
      (id) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ id })),
      (err) => res.writeHead(500).end(String(err)),
    );
  });
});
server.keepAliveTimeout = 60_000;

async function main() {
  await pool.query(`CREATE TABLE IF NOT EXISTS burst_baseline_submission (
    id bigserial PRIMARY KEY, idempotency_key text NOT NULL UNIQUE, body jsonb NOT NULL, created_at timestamptz NOT NULL DEFAULT now())`);
  server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
    const address = server.address();
    console.log(`ready ${typeof address === 'object' && address ? address.port : ''}`);
  });
}

void main();
