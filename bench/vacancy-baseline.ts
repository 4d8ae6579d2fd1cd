/**
 * The minimal baseline for the vacancySearch benchmark: plain node:http + pg, no framework, running
 * the same SQL as the hub (vacancySearchSql: one statement for the page and its facilities) and
 * answering the same JSON shape. GET /search?code=131199&age=1&month=2026-09&first=20
 */
import { createServer } from 'node:http';
import { Pool } from 'pg';
import { SearchRow, vacancySearchSql } from '../src/vacancies/vacancy-search.sql';
import { vacancyFreshness } from '../src/vacancies/vacancy-rules';

const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: Number(process.env.DB_POOL_SIZE ?? 10) });

const server = createServer(async (req, res) => {
  try {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname !== '/search') {
      res.writeHead(404).end();
      return;
    }
    const first = Number(url.searchParams.get('first') ?? 20);
    const { sql, params } = vacancySearchSql({
      classAge: Number(url.searchParams.get('age')),
      intakeMonth: url.searchParams.get('month')!,
      municipalityCodes: [url.searchParams.get('code')!],
      first,
      // The columns the answer shows, as the hub selects them for the benchmark's query.
      facilityColumns: ['id', 'name', 'kind', 'municipality_code', 'latitude', 'longitude'],
    });
    const rows: SearchRow[] = (await pool.query(sql, params)).rows;
    const page = rows.slice(0, first);
    const now = new Date();
    const edges = page.map((r) => ({
      node: {
        distanceMeters: r.distance,
        facility: { id: r.id, name: r.name, kind: r.kind, municipalityCode: r.municipality_code, latitude: r.latitude, longitude: r.longitude },
        figure: { classAge: r.v_class_age, intakeMonth: r.v_intake_month.trim(), seats: r.v_seats, figureKind: r.v_figure_kind, source: r.v_source, asOf: r.v_as_of, version: r.v_version, ...vacancyFreshness(r.v_as_of, now) },
      },
    }));
    const body = JSON.stringify({ data: { vacancySearch: { pageInfo: { hasNextPage: rows.length > first }, edges } } });
    res.writeHead(200, { 'content-type': 'application/json' }).end(body);
  } catch (err) {
    res.writeHead(500).end(String(err));
  }
});
server.keepAliveTimeout = 60_000;
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  const address = server.address();
  console.log(`ready ${typeof address === 'object' && address ? address.port : ''}`);
});
