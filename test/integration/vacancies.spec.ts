import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { KOSODATE_SHISETSU_COLUMNS } from '../../src/facilities/kosodate-shisetsu-csv';
import { EntityManager } from 'typeorm';
import { VacancyFigureKind } from '../../src/vacancies/vacancy-figure-kind';
import { chooseVacancySide, listDateToInstant, opensSeats, VacancySide, VacancySource } from '../../src/vacancies/vacancy-rules';
import { vacancySearchSql } from '../../src/vacancies/vacancy-search.sql';
import { GRID_COLUMNS, writeVacancyCells } from '../../src/vacancies/vacancy-writer';
import { municipalityCheckDigit } from '../../src/municipalities/municipality-code';
import { verifyWebhook } from '../../src/webhooks/signing';
import { DEMO_KEYS, describeWithRealPostgres, eventually, GqlResult, Receiver, startReceiver, startTestHub, TestHub } from '../support/hub';
import { realPostgres } from '../support/hub';
import { SearchResultCache } from '../../src/vacancies/search-cache';
import { GraphQLModule, GraphQLSchemaHost } from '@nestjs/graphql';
import { GraphQLObjectType } from 'graphql';
import * as jit from 'graphql-jit';
const itWithRealPostgres = realPostgres ? it : it.skip;

// Counted, so a test can tell which hub compiled its operations.
jest.mock('graphql-jit', () => {
  const actual = jest.requireActual('graphql-jit');
  return { ...actual, compileQuery: jest.fn(actual.compileQuery) };
});
const compileQuery = jit.compileQuery as jest.MockedFunction<typeof jit.compileQuery>;

let t: TestHub;
beforeAll(async () => {
  t = await startTestHub();
});
afterAll(() => t?.close());

const root = join(__dirname, '..', '..');
const ITABASHI = '131199';
const ADACHI = '131211';
const MEGURO = '131105';

const GRID = `query($id: ID!, $m: String!) { facility(id: $id) { id vacancies(intakeMonth: $m) { classAge seats hasClass version side source figureKind asOf ageInDays freshness } } }`;
const UPDATE = `mutation($i: UpdateVacanciesInput!) { updateVacancies(input: $i) { facilityId intakeMonth figures { classAge seats version side source } } }`;
const SEARCH = `query($f: VacancySearchFilter!, $first: Int, $after: String) {
  vacancySearch(filter: $f, first: $first, after: $after) {
    pageInfo { hasNextPage endCursor }
    edges { cursor node { distanceMeters facility { id name kind municipalityCode latitude longitude } figure { classAge intakeMonth seats figureKind source side asOf ageInDays freshness version } } }
  } }`;
const IMPORT = `mutation($format: VacancyFileFormat!, $content: String!, $code: String!, $month: String, $kind: VacancyFigureKind, $asOf: String, $dry: Boolean) {
  importVacancies(format: $format, content: $content, municipalityCode: $code, intakeMonth: $month, figureKind: $kind, asOf: $asOf, dryRun: $dry) {
    applied dryRun rowsRead created updated unchanged unmatched rejected { line field reason reasonJa } } }`;

async function facilityId(source: string, sourceKey: string): Promise<string> {
  const [row] = await t.db.query(`SELECT id FROM facility WHERE source = $1 AND source_key = $2`, [source, sourceKey]);
  return row.id;
}
async function grid(id: string, month: string, key?: string) {
  return (await t.ok(GRID, { id, m: month }, key)).facility.vacancies as Array<{ classAge: number; seats: number | null; version: number; side: string; source: string }>;
}
async function versionOf(id: string, month: string, age: number) {
  return (await grid(id, month)).find((c) => c.classAge === age)?.version ?? 0;
}
async function search(filter: Record<string, unknown>, first = 20, after?: string, key?: string, hub: TestHub = t) {
  return (await hub.ok(SEARCH, { f: filter, first, after }, key)).vacancySearch;
}
/** Every result of a search, page by page. */
async function searchAll(filter: Record<string, unknown>, key?: string, hub: TestHub = t) {
  const nodes: any[] = [];
  let after: string | undefined;
  for (;;) {
    const page = await search(filter, 50, after, key, hub);
    nodes.push(...page.edges.map((e: any) => e.node));
    if (!page.pageInfo.hasNextPage) return nodes;
    after = page.pageInfo.endCursor;
  }
}

describe('demo figures', () => {
  it('loads the ten real lists at first start with their meaning', async () => {
    const r = await search({ classAge: 1, intakeMonth: '2026-09', municipalityCodes: [ITABASHI] }, 5);
    expect(r.edges.length).toBe(5);
    for (const e of r.edges) expect(e.node.figure).toMatchObject({ figureKind: 'OPEN_SEATS', source: 'IMPORT', side: 'MUNICIPALITY', intakeMonth: '2026-09', classAge: 1 });
    const adachi = await search({ classAge: 0, intakeMonth: '2026-09', municipalityCodes: [ADACHI] }, 1);
    expect(adachi.edges[0].node.figure.figureKind).toBe('INTAKE_QUOTA');
    const [{ n }] = await t.db.query(`SELECT count(DISTINCT facility_id)::int AS n FROM vacancy`);
    expect(n).toBeGreaterThan(1500);
  });
});

describe('operator updates', () => {
  let kanaikubo: string;
  beforeAll(async () => {
    kanaikubo = await facilityId('demo:vacancy/itabashi.json', 'かないくぼ');
  });

  it('an operator changes a figure and a partner search shows it at once; admins see both sources', async () => {
    const before = await grid(kanaikubo, '2026-09');
    const cell = before.find((c) => c.seats !== null)!;
    const newSeats = (cell.seats ?? 0) + 3;
    const saved = await t.ok(UPDATE, { i: { facilityId: kanaikubo, intakeMonth: '2026-09', cells: [{ classAge: cell.classAge, seats: newSeats, expectedVersion: cell.version }] } }, DEMO_KEYS.OPERATOR);
    expect(saved.updateVacancies.figures.find((c: any) => c.classAge === cell.classAge)).toMatchObject({ seats: newSeats, version: cell.version + 1, side: 'OPERATOR', source: 'OPERATOR' });

    const found = await searchAll({ classAge: cell.classAge, intakeMonth: '2026-09', municipalityCodes: [ITABASHI] }, DEMO_KEYS.PARTNER);
    const mine = found.find((n) => n.facility.id === kanaikubo);
    expect(mine.figure).toMatchObject({ seats: newSeats, source: 'OPERATOR', side: 'OPERATOR', figureKind: 'OPEN_SEATS', ageInDays: 0, freshness: 'FRESH' });

    const SOURCES = `query($id: ID!) { facility(id: $id) { vacancySources(intakeMonth: "2026-09") { classAge winner version operator { seats source setBy } municipality { seats source figureKind setBy } } } }`;
    const admin = await t.ok(SOURCES, { id: kanaikubo }, DEMO_KEYS.ADMIN);
    const both = admin.facility.vacancySources.find((s: any) => s.classAge === cell.classAge);
    expect(both).toMatchObject({ winner: 'OPERATOR', operator: { seats: newSeats, source: 'OPERATOR' }, municipality: { seats: cell.seats, source: 'IMPORT', figureKind: 'OPEN_SEATS', setBy: null } });
    expect(both.operator.setBy).toBeTruthy();
    // vacancy.set_by (generated) is the winner's author: the operator here, nobody for a demo list
    const [stored] = await t.db.query(`SELECT set_by FROM vacancy WHERE facility_id = $1 AND intake_month = '2026-09' AND class_age = $2`, [kanaikubo, cell.classAge]);
    expect(stored.set_by).toBe(both.operator.setBy);
    const municipalityWins = admin.facility.vacancySources.find((s: any) => s.winner === 'MUNICIPALITY');
    const [published] = await t.db.query(`SELECT set_by FROM vacancy WHERE facility_id = $1 AND intake_month = '2026-09' AND class_age = $2`, [kanaikubo, municipalityWins.classAge]);
    expect(published.set_by).toBeNull();
    const partner = await t.gql(SOURCES, { id: kanaikubo }, DEMO_KEYS.PARTNER);
    expect(partner.errors?.[0].extensions.code).toBe('FORBIDDEN');

    const history = await t.db.query(
      `SELECT side, source, old_present, old_seats, new_seats, effective_old_seats, effective_new_seats, set_by FROM vacancy_history WHERE facility_id = $1 AND intake_month = '2026-09' AND class_age = $2 ORDER BY id`,
      [kanaikubo, cell.classAge],
    );
    expect(history[history.length - 1]).toMatchObject({ side: 'OPERATOR', source: 'OPERATOR', old_present: false, old_seats: null, new_seats: newSeats, effective_old_seats: cell.seats, effective_new_seats: newSeats });
    expect(history[history.length - 1].set_by).toBeTruthy();
    await expect(t.db.query(`DELETE FROM vacancy_change WHERE facility_id = $1`, [kanaikubo])).rejects.toThrow(/append-only/);
    await expect(t.db.query(`UPDATE vacancy_change SET new_seats = new_seats WHERE facility_id = $1`, [kanaikubo])).rejects.toThrow(/append-only/);
  });

  it('shows the history of a cell to the operator, the municipality and admins, newest first, and to nobody else', async () => {
    const HISTORY = `query($f: ID!, $a: Int, $first: Int!, $after: String) { vacancyHistory(facilityId: $f, intakeMonth: "2026-09", classAge: $a, first: $first, after: $after) {
      totalCount pageInfo { hasNextPage endCursor } edges { node { id classAge side source newSeats shownSeatsAfter setBy changedAt } } } }`;
    const cell = (await grid(kanaikubo, '2026-09')).find((c) => c.side === 'OPERATOR')!;
    for (const key of [DEMO_KEYS.OPERATOR, DEMO_KEYS.MUNICIPALITY_ITABASHI, DEMO_KEYS.ADMIN]) {
      const all = (await t.ok(HISTORY, { f: kanaikubo, a: cell.classAge, first: 100 }, key)).vacancyHistory;
      const nodes = all.edges.map((e: any) => e.node);
      expect(all.totalCount).toBe(nodes.length);
      // newest first
      expect(nodes.map((n: any) => Number(n.id))).toEqual([...nodes.map((n: any) => Number(n.id))].sort((a, b) => b - a));
      // the operator's change, and the demo list it replaced, are both there, in that order
      const operator = nodes.findIndex((n: any) => n.side === 'OPERATOR' && n.newSeats === cell.seats && n.setBy);
      const published = nodes.findIndex((n: any) => n.side === 'MUNICIPALITY' && n.source === 'IMPORT');
      expect(operator).toBeGreaterThanOrEqual(0);
      expect(published).toBeGreaterThan(operator);
      // paging by one gives the same sequence
      const page1 = (await t.ok(HISTORY, { f: kanaikubo, a: cell.classAge, first: 1 }, key)).vacancyHistory;
      const page2 = (await t.ok(HISTORY, { f: kanaikubo, a: cell.classAge, first: 1, after: page1.pageInfo.endCursor }, key)).vacancyHistory;
      expect([page1.edges[0].node.id, page2.edges[0].node.id]).toEqual([nodes[0].id, nodes[1].id]);
    }
    for (const key of [DEMO_KEYS.MUNICIPALITY_ADACHI, DEMO_KEYS.PARTNER]) {
      const r = await t.gql(HISTORY, { f: kanaikubo, a: cell.classAge, first: 1 }, key);
      expect(r.errors?.[0].extensions.code).toBe('FORBIDDEN');
    }
  });

  it('saves a whole grid at once, "no class" included, and a new month starts at version 0', async () => {
    const cells = [0, 1, 2, 3, 4, 5].map((classAge) => ({ classAge, seats: classAge === 0 ? null : classAge, expectedVersion: 0 }));
    const r = await t.ok(UPDATE, { i: { facilityId: kanaikubo, intakeMonth: '2027-04', cells } }, DEMO_KEYS.OPERATOR);
    expect(r.updateVacancies.figures).toHaveLength(6);
    const g = await grid(kanaikubo, '2027-04');
    expect(g[0]).toMatchObject({ classAge: 0, seats: null, hasClass: false, version: 1 });
    expect(g[5]).toMatchObject({ classAge: 5, seats: 5, version: 1 });
  });

  it('refuses a stale save with CONFLICT and the current figures, changing nothing', async () => {
    const version = await versionOf(kanaikubo, '2027-04', 3);
    await t.ok(UPDATE, { i: { facilityId: kanaikubo, intakeMonth: '2027-04', cells: [{ classAge: 3, seats: 9, expectedVersion: version }] } }, DEMO_KEYS.OPERATOR);
    const stale = await t.gql(UPDATE, { i: { facilityId: kanaikubo, intakeMonth: '2027-04', cells: [{ classAge: 2, seats: 0, expectedVersion: 1 }, { classAge: 3, seats: 1, expectedVersion: version }] } }, DEMO_KEYS.OPERATOR);
    const err = stale.errors?.[0];
    expect(err?.extensions).toMatchObject({ code: 'CONFLICT', field: 'input.cells[1].expectedVersion' });
    expect(err?.extensions.messageJa).toBeTruthy();
    expect(err?.extensions.details.current.find((c: any) => c.classAge === 3)).toMatchObject({ seats: 9, version: version + 1 });
    expect(err?.extensions.details.stale).toEqual([expect.objectContaining({ classAge: 3, expectedVersion: version, actualVersion: version + 1 })]);
    // all or nothing: the fresh cell (class age 2) was not saved either
    expect((await grid(kanaikubo, '2027-04')).find((c) => c.classAge === 2)).toMatchObject({ seats: 2, version: 1 });
  });

  it.each([
    [{ cells: [{ classAge: 6, seats: 1, expectedVersion: 0 }] }, 'input.cells[0].classAge'],
    [{ cells: [{ classAge: 1, seats: -1, expectedVersion: 0 }] }, 'input.cells[0].seats'],
    [{ intakeMonth: '2026-13' }, 'input.intakeMonth'],
    [{ cells: [{ classAge: 1, seats: 1, expectedVersion: 0 }, { classAge: 1, seats: 2, expectedVersion: 0 }] }, 'input.cells[1].classAge'],
  ])('refuses bad input %j naming %s', async (patch, field) => {
    const input = { facilityId: kanaikubo, intakeMonth: '2027-05', cells: [{ classAge: 1, seats: 1, expectedVersion: 0 }], ...patch };
    const r = await t.gql(UPDATE, { i: input }, DEMO_KEYS.OPERATOR);
    expect(r.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    expect(await grid(kanaikubo, '2027-05')).toEqual([]);
  });

  it('an operator may not touch another facility', async () => {
    const other = await facilityId('demo:vacancy/adachi.json', (await t.db.query(`SELECT source_key FROM facility WHERE source = 'demo:vacancy/adachi.json' AND source_key <> 'アイグラン保育園千住大橋' LIMIT 1`))[0].source_key);
    const r = await t.gql(UPDATE, { i: { facilityId: other, intakeMonth: '2026-09', cells: [{ classAge: 1, seats: 1, expectedVersion: 1 }] } }, DEMO_KEYS.OPERATOR);
    expect(r.errors?.[0].extensions).toMatchObject({ code: 'FORBIDDEN', field: 'input.facilityId' });
  });
});

describeWithRealPostgres('concurrent saves (real connections)', () => {
  it('two operators saving the same cell at the same moment: exactly one wins, the other gets CONFLICT', async () => {
    const id = await facilityId('demo:vacancy/itabashi.json', 'みなみ');
    for (let round = 0; round < 5; round++) {
      const month = `2027-0${round + 1}`;
      for (const expectedVersion of [0, 1]) {
        const results = await Promise.all(
          [10, 20].map((seats) => t.gql(UPDATE, { i: { facilityId: id, intakeMonth: month, cells: [{ classAge: 2, seats: seats + round, expectedVersion }] } }, DEMO_KEYS.OPERATOR)),
        );
        const ok = results.filter((r) => !r.errors);
        const conflicts = results.filter((r) => r.errors?.[0].extensions.code === 'CONFLICT');
        expect([ok.length, conflicts.length]).toEqual([1, 1]);
        const winner = ok[0].data.updateVacancies.figures.find((c: any) => c.classAge === 2);
        expect((await grid(id, month)).find((c) => c.classAge === 2)).toMatchObject({ seats: winner.seats, version: expectedVersion + 1 });
        const [{ n }] = await t.db.query(`SELECT count(*)::int AS n FROM vacancy_history WHERE facility_id = $1 AND intake_month = $2 AND class_age = 2`, [id, month]);
        expect(n).toBe(expectedVersion + 1);
      }
    }
  });
});

describeWithRealPostgres('search results kept in memory (real PostgreSQL: LISTEN/NOTIFY)', () => {
  const cacheOf = (hub: TestHub) => hub.hub.app.get(SearchResultCache);
  const figureOf = async (hub: TestHub, id: string, age: number, month: string) =>
    (await searchAll({ classAge: age, intakeMonth: month, municipalityCodes: [ITABASHI] }, undefined, hub)).find((n) => n.facility.id === id)?.figure.seats;

  it('answers a repeated search from memory, and shows a change made through the API in the very next search', async () => {
    const id = await facilityId('demo:vacancy/itabashi.json', 'かないくぼ');
    const cache = cacheOf(t);
    expect(cache.enabled).toBe(true);
    const before = await figureOf(t, id, 3, '2027-08');
    // Asked for a second time: now the page is kept.
    expect(await figureOf(t, id, 3, '2027-08')).toBe(before);
    const hits = cache.hits;
    expect(await figureOf(t, id, 3, '2027-08')).toBe(before);
    expect(cache.hits).toBeGreaterThan(hits);

    const version = await versionOf(id, '2027-08', 3);
    // Deaf to the notification for a moment, so only the mutation itself can have dropped this instance's pages.
    const listener = (cache as unknown as { listener: import('pg').Client }).listener;
    const handlers = listener.listeners('notification') as Array<(...a: unknown[]) => void>;
    listener.removeAllListeners('notification');
    try {
      await t.ok(UPDATE, { i: { facilityId: id, intakeMonth: '2027-08', cells: [{ classAge: 3, seats: 41, expectedVersion: version }] } }, DEMO_KEYS.OPERATOR);
      expect(await figureOf(t, id, 3, '2027-08')).toBe(41);
    } finally {
      for (const handler of handlers) listener.on('notification', handler);
    }
  });

  it('drops what it holds when another writer changes the data: another instance, the command line, SQL by hand', async () => {
    const id = await facilityId('demo:vacancy/itabashi.json', 'かないくぼ');
    const other = await startTestHub({ HUB_WORKERS: 'false' });
    try {
      const version = await versionOf(id, '2027-09', 4);
      await figureOf(t, id, 4, '2027-09');
      await figureOf(t, id, 4, '2027-09');
      // Written through the other instance: this one learns it from the notification.
      await other.ok(UPDATE, { i: { facilityId: id, intakeMonth: '2027-09', cells: [{ classAge: 4, seats: 17, expectedVersion: version }] } }, DEMO_KEYS.OPERATOR);
      await eventually(async () => (await figureOf(t, id, 4, '2027-09')) === 17);
      // Written by hand, outside any hub (a facility renamed): the search shows it.
      await figureOf(t, id, 4, '2027-09');
      await t.db.query(`UPDATE facility SET name = name || '（改称）' WHERE id = $1`, [id]);
      await eventually(async () =>
        (await searchAll({ classAge: 4, intakeMonth: '2027-09', municipalityCodes: [ITABASHI] })).find((n) => n.facility.id === id)?.facility.name.endsWith('（改称）'),
      );
      await t.db.query(`UPDATE facility SET name = replace(name, '（改称）', '') WHERE id = $1`, [id]);
    } finally {
      await other.close();
    }
  });

  it("a page served from memory still tells each figure's age at the moment of the request", async () => {
    const filter = { classAge: 1, intakeMonth: '2026-09', municipalityCodes: [ITABASHI] };
    const first = (await search(filter, 5)).edges.map((e: any) => e.node.figure);
    await search(filter, 5); // asked for a second time: now the page is kept
    const hits = cacheOf(t).hits;
    try {
      t.clock.set(new Date(Date.now() + 3 * 86_400_000));
      const later = (await search(filter, 5)).edges.map((e: any) => e.node.figure);
      expect(cacheOf(t).hits).toBeGreaterThan(hits);
      expect(later.map((f: any) => f.ageInDays)).toEqual(first.map((f: any) => f.ageInDays + 3));
    } finally {
      t.clock.reset();
    }
    expect((await search(filter, 5)).edges.map((e: any) => e.node.figure.ageInDays)).toEqual(first.map((f: any) => f.ageInDays));
  });

  it('keeps a page only when its search is asked for a second time, and remembers that across changes', async () => {
    const cache = cacheOf(t);
    cache.set('a search asked for once', cache.generation, ['first read']);
    expect(cache.get('a search asked for once')).toBeUndefined();
    cache.set('a search asked for once', cache.generation, ['second read']);
    expect(cache.get('a search asked for once')).toEqual(['second read']);
    cache.invalidate();
    expect(cache.get('a search asked for once')).toBeUndefined();
    cache.set('a search asked for once', cache.generation, ['read after the change']);
    expect(cache.get('a search asked for once')).toEqual(['read after the change']);

    // Through the API: the first two searches read the database, the third is answered from memory.
    const filter = { classAge: 2, intakeMonth: '2027-10', municipalityCodes: [ITABASHI] };
    const hits = cache.hits;
    const answers = [await search(filter, 3), await search(filter, 3)];
    expect(cache.hits).toBe(hits);
    answers.push(await search(filter, 3));
    expect(cache.hits).toBe(hits + 1);
    expect(answers[2]).toEqual(answers[0]);
  });

  it('keeps nothing read while a change was committing, and nothing at all without its notification connection', async () => {
    const cache = cacheOf(t);
    const key = 'a search read before the change';
    cache.set(key, cache.generation, [{ first: true }]); // asked for once: remembered, not kept
    const generation = cache.generation;
    cache.invalidate();
    cache.set(key, generation, [{ stale: true }]);
    expect(cache.get(key)).toBeUndefined();
    cache.set(key, cache.generation, [{ fresh: true }]);
    expect(cache.get(key)).toEqual([{ fresh: true }]);

    const off = await startTestHub({ HUB_WORKERS: 'false', HUB_SEARCH_CACHE: 'false' });
    try {
      await off.ok(SEARCH, { f: { classAge: 1, intakeMonth: '2026-09', municipalityCodes: [ITABASHI] }, first: 5 });
      await off.ok(SEARCH, { f: { classAge: 1, intakeMonth: '2026-09', municipalityCodes: [ITABASHI] }, first: 5 });
      expect(cacheOf(off).enabled).toBe(false);
      expect([cacheOf(off).hits, cacheOf(off).size]).toEqual([0, 0]);
    } finally {
      await off.close();
    }
  });
});

describeWithRealPostgres('a new cell created by a concurrent transaction (real connections)', () => {
  /** Creates one cell in a transaction of its own, runs `race` while that transaction is still open, and commits once `race` waits for it. */
  async function whileCellIsBeingCreated<T>(write: (m: EntityManager) => Promise<unknown>, race: () => Promise<T>): Promise<T> {
    const other = t.db.createQueryRunner();
    await other.connect();
    try {
      await other.startTransaction();
      await write(other.manager);
      const racing = race();
      await eventually(async () => (await t.db.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`))[0].n > 0);
      await other.commitTransaction();
      return await racing;
    } finally {
      await other.release();
    }
  }

  it('an operator saving a new cell that an import has just created gets CONFLICT with the current figures', async () => {
    const id = await facilityId('demo:vacancy/itabashi.json', 'みなみ');
    const r = await whileCellIsBeingCreated(
      (m) => writeVacancyCells(m, { side: VacancySide.MUNICIPALITY, source: VacancySource.IMPORT, figureKind: VacancyFigureKind.OPEN_SEATS, asOf: listDateToInstant('2027-10-01'), setBy: null, cells: [{ facilityId: id, intakeMonth: '2028-01', classAge: 2, seats: 3 }] }, new Date()),
      () => t.gql(UPDATE, { i: { facilityId: id, intakeMonth: '2028-01', cells: [{ classAge: 1, seats: 4, expectedVersion: 0 }, { classAge: 2, seats: 5, expectedVersion: 0 }] } }, DEMO_KEYS.OPERATOR),
    );
    expect(r.errors?.[0].extensions).toMatchObject({ code: 'CONFLICT', field: 'input.cells[1].expectedVersion' });
    expect(r.errors?.[0].extensions.details.stale).toEqual([expect.objectContaining({ classAge: 2, expectedVersion: 0, actualVersion: 1 })]);
    expect(r.errors?.[0].extensions.details.current).toEqual([expect.objectContaining({ classAge: 2, seats: 3, version: 1, side: 'MUNICIPALITY' })]);
    // all or nothing: the other cell was not saved, and the import's cell has its one history row
    expect((await grid(id, '2028-01')).map((c) => [c.classAge, c.version])).toEqual([[2, 1]]);
    const [{ n }] = await t.db.query(`SELECT count(*)::int AS n FROM vacancy_history WHERE facility_id = $1 AND intake_month = '2028-01'`, [id]);
    expect(n).toBe(1);
  });

  it('names every cell created under an operator save, not only the one PostgreSQL reported first', async () => {
    const id = await facilityId('demo:vacancy/itabashi.json', 'みなみ');
    const cells = [1, 2].map((classAge) => ({ facilityId: id, intakeMonth: '2028-03', classAge, seats: classAge }));
    const r = await whileCellIsBeingCreated(
      (m) => writeVacancyCells(m, { side: VacancySide.MUNICIPALITY, source: VacancySource.IMPORT, figureKind: VacancyFigureKind.OPEN_SEATS, asOf: listDateToInstant('2027-10-01'), setBy: null, cells }, new Date()),
      () => t.gql(UPDATE, { i: { facilityId: id, intakeMonth: '2028-03', cells: [0, 1, 2].map((classAge) => ({ classAge, seats: 7, expectedVersion: 0 })) } }, DEMO_KEYS.OPERATOR),
    );
    expect(r.errors?.[0].extensions).toMatchObject({ code: 'CONFLICT', field: 'input.cells[1].expectedVersion' });
    expect(r.errors?.[0].extensions.details.stale).toEqual([
      { facilityId: id, intakeMonth: '2028-03', classAge: 1, expectedVersion: 0, actualVersion: 1 },
      { facilityId: id, intakeMonth: '2028-03', classAge: 2, expectedVersion: 0, actualVersion: 1 },
    ]);
    expect(r.errors?.[0].extensions.details.current.map((c: any) => [c.classAge, c.seats, c.version])).toEqual([[1, 1, 1], [2, 2, 1]]);
    expect((await grid(id, '2028-03')).map((c) => [c.classAge, c.seats])).toEqual([[1, 1], [2, 2]]);
  });

  it('an operator saving another class age of a facility × month that an import is creating at that moment saves, without CONFLICT', async () => {
    // Both find no row for the month and both insert it: the operator's insert loses, is read again
    // and retried, and its own cell (still at version 0) is saved next to the import's.
    const id = await facilityId('demo:vacancy/itabashi.json', 'みなみ');
    const r = await whileCellIsBeingCreated(
      (m) => writeVacancyCells(m, { side: VacancySide.MUNICIPALITY, source: VacancySource.IMPORT, figureKind: VacancyFigureKind.OPEN_SEATS, asOf: listDateToInstant('2027-10-01'), setBy: null, cells: [{ facilityId: id, intakeMonth: '2028-04', classAge: 2, seats: 3 }] }, new Date()),
      () => t.gql(UPDATE, { i: { facilityId: id, intakeMonth: '2028-04', cells: [{ classAge: 1, seats: 4, expectedVersion: 0 }] } }, DEMO_KEYS.OPERATOR),
    );
    expect(r.errors).toBeUndefined();
    expect((await grid(id, '2028-04')).map((c) => [c.classAge, c.seats, c.side, c.version])).toEqual([[1, 4, 'OPERATOR', 1], [2, 3, 'MUNICIPALITY', 1]]);
  });

  it('an import meeting a cell that an operator has just created retries and applies the whole file', async () => {
    const [a] = await t.db.query(`SELECT id FROM facility WHERE municipality_code = $1 AND source = 'demo:vacancy/adachi.json' ORDER BY name LIMIT 1`, [ADACHI]);
    const csv = ['municipality_code,facility,intake_month,age0,age1,age2,age3,age4,age5', `${ADACHI},${a.id},2028-02,1,2,3,4,5,6`].join('\n');
    const operatorKey = (await t.db.query(`SELECT id FROM api_client ORDER BY id LIMIT 1`))[0].id;
    const r = await whileCellIsBeingCreated(
      (m) => writeVacancyCells(m, { side: VacancySide.OPERATOR, source: VacancySource.OPERATOR, figureKind: VacancyFigureKind.OPEN_SEATS, asOf: new Date('2027-12-01T00:00:00Z'), setBy: operatorKey, cells: [{ facilityId: a.id, intakeMonth: '2028-02', classAge: 4, seats: 9, expectedVersion: 0 }] }, new Date()),
      () => t.ok(IMPORT, { format: 'CSV', content: csv, code: ADACHI, month: '2028-02', asOf: '2028-01-05' }, DEMO_KEYS.MUNICIPALITY_ADACHI),
    );
    expect(r.importVacancies).toMatchObject({ applied: true, created: 5, updated: 1, unchanged: 0 });
    const g = await grid(a.id, '2028-02');
    expect(g.map((c) => c.seats)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(g[4]).toMatchObject({ version: 2, side: 'MUNICIPALITY' });
    const history = await t.db.query(`SELECT side FROM vacancy_history WHERE facility_id = $1 AND intake_month = '2028-02' AND class_age = 4 ORDER BY id`, [a.id]);
    expect(history.map((h: any) => h.side)).toEqual(['OPERATOR', 'MUNICIPALITY']);
  });
});

describe('the writer on rows that do not exist yet', () => {
  // Cells of every kind: all six ages, one age, the first and last, a few; seats > 0, 0 and "no class".
  const MONTHS: Array<[string, Array<[number, number | null]>]> = [
    ['2029-07', [[0, 0], [1, 3], [2, null], [3, 1], [4, 0], [5, 12]]],
    ['2029-08', [[2, 5]]],
    ['2029-09', [[0, null], [5, 0]]],
    ['2029-10', [[1, 2], [3, null], [4, 7]]],
  ];
  const CHANGE = ['side', 'source', 'figure_kind', 'as_of', 'set_by', 'changed_at', 'class_ages', 'old_present', 'old_seats', 'new_seats', 'effective_old_seats', 'effective_new_seats', 'opened', 'version'];

  it.each([
    ['an operator', VacancySide.OPERATOR, VacancySource.OPERATOR, VacancyFigureKind.OPEN_SEATS, true],
    ['a municipality import', VacancySide.MUNICIPALITY, VacancySource.IMPORT, VacancyFigureKind.INTAKE_QUOTA, false],
    ['a municipality feed', VacancySide.MUNICIPALITY, VacancySource.MUNICIPALITY_FEED, VacancyFigureKind.OPEN_SEATS, false],
  ])('writes a new facility × month exactly as the general path writes it into an empty row (%s)', async (_who, side, source, figureKind, withVersions) => {
    const [fresh, empty] = (await t.db.query(`SELECT id FROM facility ORDER BY id LIMIT 2`)).map((r: { id: string }) => r.id);
    const [{ id: author }] = await t.db.query(`SELECT id FROM api_client ORDER BY id LIMIT 1`);
    const runner = t.db.createQueryRunner();
    await runner.connect();
    try {
      await runner.startTransaction();
      const m = runner.manager;
      // The second facility gets a stored row with no figure for each month, so its write takes the
      // general path (read the stored cells, merge, UPDATE); the first has none and takes the new-row path.
      const types: Array<{ attname: string; type: string }> = await m.query(`SELECT attname, format_type(atttypid, atttypmod) AS type FROM pg_attribute WHERE attrelid = 'vacancy_grid'::regclass AND attname = ANY($1)`, [GRID_COLUMNS]);
      const elementType = new Map(types.map((r) => [r.attname, r.type.replace(/\[\]$/, '')]));
      for (const [month] of MONTHS)
        await m.query(`INSERT INTO vacancy_grid (facility_id, intake_month, ${GRID_COLUMNS.join(', ')}) VALUES ($1, $2, ${GRID_COLUMNS.map((c) => `array_fill(NULL::${elementType.get(c)}, ARRAY[6])`).join(', ')})`, [empty, month]);
      const now = new Date('2029-06-15T03:00:00Z');
      const write = (facilityId: string) => writeVacancyCells(m, {
        side, source, figureKind, asOf: new Date('2029-06-01T00:00:00Z'), setBy: author,
        cells: MONTHS.flatMap(([intakeMonth, cells]) => cells.map(([classAge, seats]) => ({ facilityId, intakeMonth, classAge, seats, ...(withVersions ? { expectedVersion: 0 } : {}) }))),
      }, now);
      const [viaNewRows, viaGeneralPath] = [await write(fresh), await write(empty)];
      expect(viaNewRows).toEqual({ ...viaGeneralPath, opened: viaGeneralPath.opened.map((o) => ({ ...o, facilityId: fresh, historyId: expect.any(String) })) });
      expect(viaNewRows).toMatchObject({ created: 12, updated: 0, unchanged: 0 });
      const rowsOf = (id: string) => m.query(`SELECT intake_month, ${GRID_COLUMNS.join(', ')} FROM vacancy_grid WHERE facility_id = $1 AND intake_month LIKE '2029-%' ORDER BY intake_month`, [id]);
      const changesOf = (id: string) => m.query(`SELECT intake_month, ${CHANGE.join(', ')} FROM vacancy_change WHERE facility_id = $1 AND intake_month LIKE '2029-%' ORDER BY intake_month`, [id]);
      expect(await rowsOf(fresh)).toEqual(await rowsOf(empty));
      expect(await changesOf(fresh)).toEqual(await changesOf(empty));
      expect((await rowsOf(fresh)).map((r: { seats: Array<number | null> }) => r.seats)).toEqual([[0, 3, null, 1, 0, 12], [null, null, 5, null, null, null], [null, null, null, null, null, 0], [null, 2, null, null, 7, null]]);
    } finally {
      await runner.rollbackTransaction();
      await runner.release();
    }
  });
});

describe('municipality imports', () => {
  const itabashiJson = readFileSync(join(root, 'data/vacancy/itabashi.json'), 'utf8');

  it('imports a real JSON list for a new month, and the same file again changes nothing', async () => {
    const vars = { format: 'JSON', content: itabashiJson, code: ITABASHI, month: '2026-11', kind: 'OPEN_SEATS' };
    const dry = await t.ok(IMPORT, { ...vars, dry: true }, DEMO_KEYS.MUNICIPALITY_ITABASHI);
    expect(dry.importVacancies).toMatchObject({ applied: false, dryRun: true, rejected: [] });
    expect(dry.importVacancies.created).toBeGreaterThan(1000);
    expect((await t.db.query(`SELECT count(*)::int AS n FROM vacancy WHERE intake_month = '2026-11'`))[0].n).toBe(0);

    const first = (await t.ok(IMPORT, vars, DEMO_KEYS.MUNICIPALITY_ITABASHI)).importVacancies;
    expect(first).toMatchObject({ applied: true, rejected: [], unmatched: [], updated: 0, created: dry.importVacancies.created });
    expect(first.rowsRead).toBe(JSON.parse(itabashiJson).facilities.length);
    const sample = await search({ classAge: 2, intakeMonth: '2026-11', municipalityCodes: [ITABASHI] }, 1);
    expect(sample.edges[0].node.figure).toMatchObject({ source: 'MUNICIPALITY_FEED', figureKind: 'OPEN_SEATS' });
    expect(new Date(sample.edges[0].node.figure.asOf).toISOString()).toBe('2026-08-02T15:00:00.000Z');

    const state = `SELECT sum(version)::int AS v, count(*)::int AS n, (SELECT count(*)::int FROM vacancy_history WHERE intake_month = '2026-11') AS h FROM vacancy WHERE intake_month = '2026-11'`;
    const before = await t.db.query(state);
    const second = (await t.ok(IMPORT, vars, DEMO_KEYS.MUNICIPALITY_ITABASHI)).importVacancies;
    expect(second).toMatchObject({ applied: true, created: 0, updated: 0, unchanged: first.created });
    expect(await t.db.query(state)).toEqual(before);
  });

  it('imports the documented CSV by id and by name, reporting unmatched facilities without creating them', async () => {
    const [a, b] = await t.db.query(`SELECT id, name FROM facility WHERE municipality_code = $1 AND source = 'demo:vacancy/adachi.json' ORDER BY name LIMIT 2`, [ADACHI]);
    const facilitiesBefore = (await t.db.query(`SELECT count(*)::int AS n FROM facility`))[0].n;
    const csv = [
      'municipality_code,facility,intake_month,age0,age1,age2,age3,age4,age5',
      `${ADACHI},${a.id},2026-12,1,2,3,-,-,-`,
      `${ADACHI},${b.name},2026-12,0,0,1,0,0,0`,
      `${ADACHI},存在しない保育園,2026-12,1,1,1,1,1,1`,
    ].join('\n');
    const r = (await t.ok(IMPORT, { format: 'CSV', content: csv, code: ADACHI, month: '2026-12', asOf: '2026-11-01' }, DEMO_KEYS.MUNICIPALITY_ADACHI)).importVacancies;
    expect(r).toMatchObject({ applied: true, rowsRead: 3, created: 12, unmatched: ['存在しない保育園'], rejected: [] });
    expect((await t.db.query(`SELECT count(*)::int AS n FROM facility`))[0].n).toBe(facilitiesBefore);
    const g = await grid(a.id, '2026-12');
    expect(g.map((c) => c.seats)).toEqual([1, 2, 3, null, null, null]);
    expect(g[0]).toMatchObject({ source: 'MUNICIPALITY_FEED', side: 'MUNICIPALITY' });
  });

  it('rejects a file with bad rows as a whole, naming every row and its reason', async () => {
    const [a] = await t.db.query(`SELECT id FROM facility WHERE municipality_code = $1 ORDER BY name LIMIT 1`, [ADACHI]);
    const csv = [
      'municipality_code,facility,intake_month,age0,age1,age2,age3,age4,age5',
      `${ADACHI},${a.id},2027-01,1,1,1,1,1,1`,
      `${ADACHI},${a.id},2027-01,-3,1,1,1,1,1`,
      `${ITABASHI},${a.id},2027-01,1,1,1,1,1,1`,
      `${ADACHI},${a.id},2027-02,1,1,1,1,1,1`,
    ].join('\n');
    const r = (await t.ok(IMPORT, { format: 'CSV', content: csv, code: ADACHI, month: '2027-01' }, DEMO_KEYS.ADMIN)).importVacancies;
    expect(r.applied).toBe(false);
    expect(r.rejected.map((x: any) => [x.line, x.field])).toEqual([[3, 'age0'], [4, 'municipality_code'], [5, 'intake_month']]);
    for (const x of r.rejected) expect(x.reasonJa).toBeTruthy();
    expect(await grid(a.id, '2027-01')).toEqual([]);
  });

  it('an unknown municipality is NOT_FOUND; a municipality without facilities reports every row unmatched', async () => {
    const unknown = `99999${municipalityCheckDigit('99999')}`;
    const missing = await t.gql(IMPORT, { format: 'CSV', content: 'municipality_code,facility,intake_month,age0,age1,age2,age3,age4,age5\n', code: unknown, month: '2027-03' }, DEMO_KEYS.ADMIN);
    expect(missing.errors?.[0].extensions).toMatchObject({ code: 'NOT_FOUND', field: 'municipalityCode' });
    const [empty] = await t.db.query(`SELECT m.code FROM municipality m WHERE NOT EXISTS (SELECT 1 FROM facility f WHERE f.municipality_code = m.code) ORDER BY m.code LIMIT 1`);
    const csv = ['municipality_code,facility,intake_month,age0,age1,age2,age3,age4,age5', `${empty.code},どこかの保育園,2027-03,1,1,1,1,1,1`].join('\n');
    const r = (await t.ok(IMPORT, { format: 'CSV', content: csv, code: empty.code, month: '2027-03', asOf: '2027-02-01' }, DEMO_KEYS.ADMIN)).importVacancies;
    expect(r).toMatchObject({ applied: true, created: 0, unmatched: ['どこかの保育園'], rejected: [] });
  });

  it('a municipality may import only its own list; a JSON list needs its intake month', async () => {
    const other = await t.gql(IMPORT, { format: 'JSON', content: itabashiJson, code: ITABASHI, month: '2026-11' }, DEMO_KEYS.MUNICIPALITY_ADACHI);
    expect(other.errors?.[0].extensions).toMatchObject({ code: 'FORBIDDEN', field: 'municipalityCode' });
    const noMonth = await t.gql(IMPORT, { format: 'JSON', content: itabashiJson, code: ITABASHI }, DEMO_KEYS.MUNICIPALITY_ITABASHI);
    expect(noMonth.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'intakeMonth' });
    const broken = await t.gql(IMPORT, { format: 'JSON', content: '{"asOf":', code: ITABASHI, month: '2026-11' }, DEMO_KEYS.MUNICIPALITY_ITABASHI);
    expect(broken.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'content' });
  });

  it('a newer municipality list takes over from an older operator update (the documented rule)', async () => {
    const minami = await facilityId('demo:vacancy/itabashi.json', 'みなみ');
    const v = await versionOf(minami, '2026-12', 1);
    await t.ok(UPDATE, { i: { facilityId: minami, intakeMonth: '2026-12', cells: [{ classAge: 1, seats: 4, expectedVersion: v }] } }, DEMO_KEYS.OPERATOR);
    const csv = `municipality_code,facility,intake_month,age0,age1,age2,age3,age4,age5\n${ITABASHI},${minami},2026-12,0,1,0,0,0,0`;
    const old = (await t.ok(IMPORT, { format: 'CSV', content: csv, code: ITABASHI, asOf: '2026-01-01' }, DEMO_KEYS.MUNICIPALITY_ITABASHI)).importVacancies;
    expect(old.applied).toBe(true);
    expect((await grid(minami, '2026-12')).find((c) => c.classAge === 1)).toMatchObject({ seats: 4, side: 'OPERATOR' });
    const future = new Date(t.clock.now().getTime() + 3 * 86_400_000).toISOString().slice(0, 10);
    await t.ok(IMPORT, { format: 'CSV', content: csv, code: ITABASHI, asOf: future }, DEMO_KEYS.MUNICIPALITY_ITABASHI);
    expect((await grid(minami, '2026-12')).find((c) => c.classAge === 1)).toMatchObject({ seats: 1, side: 'MUNICIPALITY', source: 'MUNICIPALITY_FEED' });
  });
});

describe('the SQL rules agree with the pure functions', () => {
  // The set-based writer computes chooseVacancySide and opensSeats in SQL (chooseVacancySideSql,
  // opensSeatsSql in vacancy-rules.ts). A table of cases through the real import and operator paths,
  // in both orders; every stored cell and history row is checked against the pure functions.
  const MONTH = '2027-03';
  const AGE = 2;
  const LIST_DATE = '2026-10-01';
  const list = listDateToInstant(LIST_DATE).getTime();
  const cases: Array<{ name: string; operatorAt: number | null; municipality: boolean; expected: 'OPERATOR' | 'MUNICIPALITY' }> = [
    { name: 'operator older', operatorAt: list - 86_400_000, municipality: true, expected: 'MUNICIPALITY' },
    { name: 'same instant (tie)', operatorAt: list, municipality: true, expected: 'MUNICIPALITY' },
    { name: 'operator 1 ms newer', operatorAt: list + 1, municipality: true, expected: 'OPERATOR' },
    { name: 'operator only', operatorAt: list, municipality: false, expected: 'OPERATOR' },
    { name: 'municipality only', operatorAt: null, municipality: true, expected: 'MUNICIPALITY' },
  ];

  it.each([['operator first'], ['import first']])('%s', async (order) => {
    const facilities: Array<{ id: string }> = await t.db.query(
      `SELECT id FROM facility WHERE municipality_code = $1 ORDER BY name OFFSET $2 LIMIT $3`, [ITABASHI, order === 'operator first' ? 40 : 50, cases.length]);
    const operatorSaves = async () => {
      for (const [i, c] of cases.entries()) {
        if (c.operatorAt === null) continue;
        t.clock.set(new Date(c.operatorAt));
        try {
          await t.ok(UPDATE, { i: { facilityId: facilities[i].id, intakeMonth: MONTH, cells: [{ classAge: AGE, seats: 7, expectedVersion: await versionOf(facilities[i].id, MONTH, AGE) }] } }, DEMO_KEYS.ADMIN);
        } finally {
          t.clock.reset();
        }
      }
    };
    const importList = async () => {
      const rows = cases.flatMap((c, i) => (c.municipality ? [`${ITABASHI},${facilities[i].id},${MONTH},-,-,${i % 2 ? 0 : 3},-,-,-`] : []));
      const r = (await t.ok(IMPORT, { format: 'CSV', content: ['municipality_code,facility,intake_month,age0,age1,age2,age3,age4,age5', ...rows].join('\n'), code: ITABASHI, asOf: LIST_DATE }, DEMO_KEYS.ADMIN)).importVacancies;
      expect(r).toMatchObject({ applied: true, rejected: [], unmatched: [] });
    };
    if (order === 'operator first') {
      await operatorSaves();
      // The adjustable clock moves on by a few ms during a save: make the tie exact before the import decides it.
      const tie = cases.findIndex((c) => c.name === 'same instant (tie)');
      await t.db.query(`UPDATE vacancy_grid SET operator_as_of[$3 + 1] = $4, as_of[$3 + 1] = $4 WHERE facility_id = $1 AND intake_month = $2`, [facilities[tie].id, MONTH, AGE, new Date(list)]);
    }
    await importList();
    if (order === 'import first') await operatorSaves();

    const ids = facilities.map((f) => f.id);
    const cells: Array<{ facility_id: string; side: string; seats: number | null; operator_as_of: Date | null; operator_seats: number | null; municipality_as_of: Date | null; municipality_seats: number | null }> =
      await t.db.query(`SELECT * FROM vacancy WHERE facility_id = ANY($1::uuid[]) AND intake_month = $2 AND class_age = $3`, [ids, MONTH, AGE]);
    expect(cells).toHaveLength(cases.length);
    for (const [i, c] of cases.entries()) {
      const cell = cells.find((x) => x.facility_id === ids[i])!;
      const side = chooseVacancySide(cell.operator_as_of && { asOf: new Date(cell.operator_as_of) }, cell.municipality_as_of && { asOf: new Date(cell.municipality_as_of) });
      expect({ case: c.name, side: cell.side }).toEqual({ case: c.name, side });
      // (imported first, the operator's "same instant" save is a few ms later than the list: only the rule above applies)
      if (order === 'operator first' || c.name !== 'same instant (tie)') expect({ case: c.name, side: cell.side }).toEqual({ case: c.name, side: c.expected });
      expect(cell.seats).toBe(side === 'OPERATOR' ? cell.operator_seats : cell.municipality_seats);
    }
    const history: Array<{ effective_old_seats: number | null; effective_new_seats: number | null; opened: boolean }> =
      await t.db.query(`SELECT * FROM vacancy_history WHERE facility_id = ANY($1::uuid[]) AND intake_month = $2 AND class_age = $3`, [ids, MONTH, AGE]);
    expect(history.length).toBeGreaterThanOrEqual(cases.length);
    for (const h of history) expect(h.opened).toBe(opensSeats(h.effective_old_seats, h.effective_new_seats));
  });
});

describe('vacancySearch', () => {
  it('filters by kind and "only with seats"', async () => {
    const withSeats = await searchAll({ classAge: 1, intakeMonth: '2026-09', municipalityCodes: [ADACHI], kinds: ['SMALL_SCALE'], onlyWithSeats: true });
    expect(withSeats.length).toBeGreaterThan(0);
    for (const n of withSeats) {
      expect(n.facility).toMatchObject({ kind: 'SMALL_SCALE', municipalityCode: ADACHI });
      expect(n.figure.seats).toBeGreaterThan(0);
    }
    const all = await searchAll({ classAge: 1, intakeMonth: '2026-09', municipalityCodes: [ADACHI], kinds: ['SMALL_SCALE'] });
    expect(all.length).toBeGreaterThan(withSeats.length);
    expect(all.some((n) => n.figure.seats === 0)).toBe(true);
  });

  it('returns every Facility field a client selects (fragments and aliases included), as facility(id) does', async () => {
    const FIELDS = `id municipalityCode kind ownership smallScaleType categoryLabel ward name nameKana address latitude longitude minimumAgeDays capacityTotal openDays opensAt closesAt hoursNote operatorName corporateNumber url phone takesTourBookings source sourceUpdatedAt updatedAt version municipality { code name } classAgesTaken`;
    const { vacancySearch } = await t.ok(
      `fragment F on Facility { ${FIELDS} }
       query($f: VacancySearchFilter!) { vacancySearch(filter: $f, first: 5) { edges { node { facility { ...F where: address ... on Facility { nm: name } } } } } }`,
      { f: { classAge: 1, intakeMonth: '2026-09', municipalityCodes: [ADACHI] } },
    );
    expect(vacancySearch.edges.length).toBeGreaterThan(0);
    for (const { node } of vacancySearch.edges) {
      const { facility } = await t.ok(`query($id: ID!) { facility(id: $id) { ${FIELDS} } }`, { id: node.facility.id });
      const { where, nm, ...rest } = node.facility;
      expect(rest).toEqual(facility);
      expect(where).toBe(facility.address);
      expect(nm).toBe(facility.name);
    }
  });

  it('pages with a keyset cursor: no overlap, and the pages add up to the total', async () => {
    const filter = { classAge: 2, intakeMonth: '2026-09', municipalityCodes: [ADACHI, ITABASHI] };
    const { vacancySearch: counted } = await t.ok(`query($f: VacancySearchFilter!) { vacancySearch(filter: $f, first: 1) { totalCount } }`, { f: filter });
    const seen = new Set<string>();
    let after: string | undefined;
    for (;;) {
      const page = await search(filter, 50, after);
      for (const e of page.edges) {
        expect(seen.has(e.node.facility.id)).toBe(false);
        seen.add(e.node.facility.id);
      }
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(seen.size).toBe(counted.totalCount);
    expect(seen.size).toBeGreaterThan(100);
  });

  it('finds facilities near a point, nearest first, within the radius, page by page', async () => {
    const [center] = await t.db.query(`SELECT latitude, longitude FROM facility WHERE municipality_code = $1 AND latitude IS NOT NULL ORDER BY name LIMIT 1`, [MEGURO]);
    const filter = { classAge: 3, intakeMonth: '2026-10', near: { latitude: center.latitude, longitude: center.longitude, radiusMeters: 2000 } };
    const distances: number[] = [];
    let after: string | undefined;
    for (;;) {
      const page = await search(filter, 7, after);
      distances.push(...page.edges.map((e: any) => e.node.distanceMeters));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(distances.length).toBeGreaterThan(7);
    expect(distances[0]).toBeLessThan(1);
    expect([...distances].sort((x, y) => x - y)).toEqual(distances);
    expect(Math.max(...distances)).toBeLessThanOrEqual(2000);
    // exactly the facilities within 2 km that have the class
    const { vacancySearch: counted } = await t.ok(`query($f: VacancySearchFilter!) { vacancySearch(filter: $f, first: 1) { totalCount } }`, { f: filter });
    expect(counted.totalCount).toBe(distances.length);
  });

  it.each([
    [{ classAge: 6, intakeMonth: '2026-09' }, 'filter.classAge'],
    [{ classAge: 1, intakeMonth: '2026-9' }, 'filter.intakeMonth'],
    [{ classAge: 1, intakeMonth: '2026-09', near: { latitude: 35, longitude: 139, radiusMeters: 0 } }, 'filter.near.radiusMeters'],
  ])('refuses %j naming %s', async (filter, field) => {
    const r = await t.gql(SEARCH, { f: filter });
    expect(r.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
  });

  // A second hub needs a second connection: real PostgreSQL only (CI always has one).
  itWithRealPostgres('costs a constant number of queries for a page of facilities with their grids (no N+1)', async () => {
    const Q = `query($n: Int!) { facilities(first: $n, filter: { municipalityCodes: ["${ADACHI}"] }) { edges { node { id vacancies(intakeMonth: "2026-09") { classAge seats figureKind freshness } } } } }`;
    // A hub without background workers, so that only this request's statements are counted.
    const quiet = await startTestHub({ HUB_WORKERS: 'false' });
    try {
      let ten: any;
      let fifty: any;
      await quiet.countQueries(() => Promise.all([1, 2, 3, 4, 5, 6, 7, 8].map(() => quiet.ok(Q, { n: 1 })))); // every pooled connection seen once
      const q10 = await quiet.countQueries(async () => (ten = await quiet.ok(Q, { n: 10 })));
      const q50 = await quiet.countQueries(async () => (fifty = await quiet.ok(Q, { n: 50 })));
      expect(ten.facilities.edges).toHaveLength(10);
      expect(fifty.facilities.edges).toHaveLength(50);
      expect(fifty.facilities.edges.filter((e: any) => e.node.vacancies.length === 6).length).toBeGreaterThan(30);
      expect(q50).toBe(q10);
      expect(q50).toBeLessThanOrEqual(4);
      const S = `query($n: Int!) { vacancySearch(first: $n, filter: { classAge: 1, intakeMonth: "2026-09", municipalityCodes: ["${ADACHI}"] }) { edges { node { facility { id vacancies(intakeMonth: "2026-09") { seats } } figure { seats } } } } }`;
      expect(await quiet.countQueries(() => quiet.ok(S, { n: 50 }))).toBe(await quiet.countQueries(() => quiet.ok(S, { n: 10 })));
    } finally {
      await quiet.close();
    }
  });

  it("serves plain fields as property reads (Nest's per-field readers removed, so compiled queries inline them) and keeps real resolvers", () => {
    const schema = t.hub.app.get(GraphQLSchemaHost).schema;
    const fields = (type: string) => (schema.getType(type) as GraphQLObjectType).getFields();
    for (const [type, field] of [['Facility', 'name'], ['VacancyFigure', 'seats'], ['VacancySearchResult', 'figure'], ['VacancySearchConnection', 'edges']]) expect(fields(type)[field].resolve).toBeUndefined();
    for (const [type, field] of [['Facility', 'vacancies'], ['Query', 'vacancySearch']]) expect(fields(type)[field].resolve).toBeInstanceOf(Function);
  });

  itWithRealPostgres("answers exactly as graphql-js's interpreter does (HUB_GRAPHQL_JIT=false): data, errors and HTTP status", async () => {
    const interpreted = await startTestHub({ HUB_WORKERS: 'false', HUB_GRAPHQL_JIT: 'false' });
    interpreted.clock.set(t.clock.now());
    const requests: [string, Record<string, unknown>][] = [
      [SEARCH, { f: { classAge: 1, intakeMonth: '2026-09', municipalityCodes: [ADACHI, ITABASHI] }, first: 7 }],
      [SEARCH, { f: { classAge: 3, intakeMonth: '2026-10', onlyWithSeats: true, kinds: ['LICENSED_NURSERY'] }, first: 3 }],
      [`query($n: Int!) { facilities(first: $n, filter: { municipalityCodes: ["${ADACHI}"] }) { totalCount edges { node { id name municipality { name } vacancies(intakeMonth: "2026-09") { classAge seats figureKind source } } } } }`, { n: 4 }],
      // class-validator refuses it (a HubError from the pipe)
      [SEARCH, { f: { classAge: 6, intakeMonth: '2026-09' } }],
      // the variable does not coerce (graphql-js's own error; HTTP 400)
      [SEARCH, { f: { classAge: 'one', intakeMonth: '2026-09' } }],
      // a field resolver's HubError inside a list (anonymous: UNAUTHENTICATED), nulling its way up
      [`{ facilities(first: 2, filter: { municipalityCodes: ["${ADACHI}"] }) { edges { node { id vacancySources(intakeMonth: "2026-09") { classAge } } } } }`, {}],
      // a resolver's null beside other fields
      [`{ a: facility(id: "00000000-0000-4000-8000-000000000000") { id } b: municipality(code: "${ADACHI}") { name } }`, {}],
    ];
    const comparable = (r: GqlResult) => ({ status: r.status, data: r.data, errors: r.errors?.map(({ extensions: { requestId: _, ...extensions }, ...e }) => ({ ...e, extensions })) });
    try {
      for (const [query, variables] of requests) {
        const [compiled, reference] = [await t.gql(query, variables), await interpreted.gql(query, variables)];
        expect(comparable(compiled)).toEqual(comparable(reference));
      }
      expect((await t.gql(SEARCH, { f: { classAge: 'one', intakeMonth: '2026-09' } })).status).toBe(400);
      // Each hub executes as configured: switched off, Apollo executes with no gateway of ours in
      // between (so the switch also bypasses jitGateway itself), and a query new to both is compiled
      // by the default hub only.
      const modeOf = (hub: TestHub) => (hub.hub.app.get(GraphQLModule).graphQlAdapter as unknown as { instance: { internals: { state: { schemaManager: { modeSpecificState: { mode: string } } } } } }).instance.internals.state.schemaManager.modeSpecificState.mode;
      expect([modeOf(t), modeOf(interpreted)]).toEqual(['gateway', 'schema']);
      const fresh = `{ b: municipality(code: "${ITABASHI}") { name code } }`;
      compileQuery.mockClear();
      await interpreted.ok(fresh);
      expect(compileQuery).not.toHaveBeenCalled();
      await t.ok(fresh);
      expect(compileQuery).toHaveBeenCalledTimes(1);
    } finally {
      await interpreted.close();
    }
  });
});

describeWithRealPostgres('vacancySearch plans (real PostgreSQL)', () => {
  it('never plans a parallel scan for a search over a whole month, however cheap parallelism is made to look', async () => {
    // On the national set PostgreSQL chose a parallel index scan for this page of 20, and the worker
    // start-up cost 38 ms against 0.7 ms (migration 1764000011000). The test database is small, so
    // parallelism is made free here: the tables' own setting must still keep it out.
    const q = vacancySearchSql({ classAge: 1, intakeMonth: '2026-09', onlyWithSeats: true, first: 20 });
    const runner = t.db.createQueryRunner();
    await runner.connect();
    try {
      await runner.startTransaction();
      for (const setting of ['parallel_setup_cost = 0', 'parallel_tuple_cost = 0', 'min_parallel_table_scan_size = 0', 'min_parallel_index_scan_size = 0', 'plan_cache_mode = force_generic_plan'])
        await runner.query(`SET LOCAL ${setting}`);
      await runner.query(`PREPARE nationwide AS ${q.sql}`);
      const plan = (await runner.query(`EXPLAIN EXECUTE nationwide(${q.params.map((p) => `'${p}'`).join(', ')})`)).map((r: { 'QUERY PLAN': string }) => r['QUERY PLAN']).join('\n');
      expect(plan).toContain('vacancy_grid_pkey');
      expect(plan).not.toMatch(/Gather|Parallel/);
      // and the same settings do plan parallel scans elsewhere, so the check above can fail
      const other = (await runner.query(`EXPLAIN SELECT count(*) FROM vacancy_change`)).map((r: { 'QUERY PLAN': string }) => r['QUERY PLAN']).join('\n');
      expect(other).toMatch(/Parallel/);
    } finally {
      await runner.rollbackTransaction().catch(() => undefined);
      // only this statement: the connection is the hub's, with its own prepared statements
      await runner.query('DEALLOCATE nationwide').catch(() => undefined);
      await runner.release();
    }
  });
});

describe('vacancy watches', () => {
  let receiver: Receiver;
  let endpointId: string;
  let secret: string;
  let watched: string;
  const REGISTER = `mutation($url: String!) { registerWebhookEndpoint(input: { url: $url, topics: ["jp.hokatsu.vacancy."] }) { secret endpoint { id } } }`;
  const CREATE = `mutation($i: CreateVacancyWatchInput!) { createVacancyWatch(input: $i) { id parentReference facilityIds classAge intakeMonth endpointId } }`;
  const LIST = `{ vacancyWatches(first: 50) { totalCount edges { node { id parentReference } } } }`;

  beforeAll(async () => {
    receiver = await startReceiver();
    const r = await t.ok(REGISTER, { url: `${receiver.url}/hooks` }, DEMO_KEYS.PARTNER);
    endpointId = r.registerWebhookEndpoint.endpoint.id;
    secret = r.registerWebhookEndpoint.secret;
    watched = await facilityId('demo:vacancy/adachi.json', 'アイグラン保育園千住大橋');
  });
  afterAll(() => receiver?.close());

  async function setSeats(seats: number) {
    const version = await versionOf(watched, '2027-03', 1);
    await t.ok(UPDATE, { i: { facilityId: watched, intakeMonth: '2027-03', cells: [{ classAge: 1, seats, expectedVersion: version }] } }, DEMO_KEYS.OPERATOR);
  }
  const messages = async () => (await t.db.query(`SELECT count(*)::int AS n FROM outbox_message WHERE endpoint_id = $1`, [endpointId]))[0].n as number;

  it('fires exactly one verified webhook when seats open, none on a change that opens nothing, and again on a new opening', async () => {
    await setSeats(0);
    const w = await t.ok(CREATE, { i: { parentReference: 'parent-42', facilityIds: [watched], classAge: 1, intakeMonth: '2027-03', endpointId } }, DEMO_KEYS.PARTNER);
    expect(w.createVacancyWatch).toMatchObject({ parentReference: 'parent-42', facilityIds: [watched], classAge: 1, intakeMonth: '2027-03', endpointId });

    await setSeats(2);
    expect(await messages()).toBe(1);
    await receiver.waitFor(1);
    const req = receiver.requests[0];
    expect(() => verifyWebhook(secret, req.headers as Record<string, string>, req.body, { now: t.clock.now() })).not.toThrow();
    const event = JSON.parse(req.body);
    expect(event).toMatchObject({ type: 'jp.hokatsu.vacancy.opened', specversion: '1.0' });
    expect(event.data).toMatchObject({ watchId: w.createVacancyWatch.id, parentReference: 'parent-42', classAge: 1, intakeMonth: '2027-03', seats: 2, previousSeats: 0, source: 'OPERATOR' });
    expect(event.data.facility.id).toBe(watched);

    await setSeats(3); // 2 → 3 opens nothing
    expect(await messages()).toBe(1);
    await setSeats(0);
    await setSeats(1); // a new opening is a new change
    expect(await messages()).toBe(2);
    await receiver.waitFor(2);
    expect(new Set(receiver.requests.map((r) => r.headers['webhook-id'])).size).toBe(2);
  });

  it('fires for a municipality watch when an import opens seats', async () => {
    const before = await messages();
    const itabashi = await facilityId('demo:vacancy/itabashi.json', 'かないくぼ');
    await t.ok(CREATE, { i: { parentReference: 'parent-7', municipalityCode: ITABASHI, classAge: 4, intakeMonth: '2027-06', endpointId } }, DEMO_KEYS.PARTNER);
    const csv = (n: number) => `municipality_code,facility,intake_month,age0,age1,age2,age3,age4,age5\n${ITABASHI},${itabashi},2027-06,0,0,0,0,${n},0`;
    await t.ok(IMPORT, { format: 'CSV', content: csv(0), code: ITABASHI, asOf: '2026-08-01' }, DEMO_KEYS.MUNICIPALITY_ITABASHI);
    expect(await messages()).toBe(before);
    await t.ok(IMPORT, { format: 'CSV', content: csv(5), code: ITABASHI, asOf: '2026-08-02' }, DEMO_KEYS.MUNICIPALITY_ITABASHI);
    expect(await messages()).toBe(before + 1);
    const [m] = await t.db.query(`SELECT data FROM outbox_message WHERE endpoint_id = $1 ORDER BY created_at DESC, id DESC LIMIT 1`, [endpointId]);
    expect(m.data).toMatchObject({ parentReference: 'parent-7', seats: 5, classAge: 4, source: 'MUNICIPALITY_FEED' });
  });

  it("a partner never sees, removes or uses another partner's watches and endpoints", async () => {
    const mine = await t.ok(LIST, {}, DEMO_KEYS.PARTNER);
    expect(mine.vacancyWatches.totalCount).toBeGreaterThanOrEqual(2);
    const theirs = await t.ok(LIST, {}, DEMO_KEYS.PARTNER_2);
    expect(theirs.vacancyWatches.edges.map((e: any) => e.node.id)).not.toEqual(expect.arrayContaining([mine.vacancyWatches.edges[0].node.id]));
    const id = mine.vacancyWatches.edges[0].node.id;
    const remove = await t.gql(`mutation($id: ID!) { removeVacancyWatch(id: $id) { id } }`, { id }, DEMO_KEYS.PARTNER_2);
    expect(remove.errors?.[0].extensions).toMatchObject({ code: 'NOT_FOUND', field: 'id' });
    const steal = await t.gql(CREATE, { i: { parentReference: 'x', facilityIds: [watched], classAge: 1, intakeMonth: '2027-03', endpointId } }, DEMO_KEYS.PARTNER_2);
    expect(steal.errors?.[0].extensions).toMatchObject({ code: 'NOT_FOUND', field: 'input.endpointId' });
    const removed = await t.ok(`mutation($id: ID!) { removeVacancyWatch(id: $id) { id } }`, { id }, DEMO_KEYS.PARTNER);
    expect(removed.removeVacancyWatch.id).toBe(id);
    const after = await t.ok(LIST, {}, DEMO_KEYS.PARTNER);
    expect(after.vacancyWatches.totalCount).toBe(mine.vacancyWatches.totalCount - 1);
  });

  it.each([
    [{ parentReference: 'p', classAge: 1, intakeMonth: '2027-03' }, 'input.facilityIds'],
    [{ parentReference: 'p', classAge: 1, intakeMonth: '2027-03', facilityIds: ['00000000-0000-4000-8000-000000000000'] }, 'input.facilityIds'],
    [{ parentReference: 'p', classAge: 1, intakeMonth: '2027-03', municipalityCode: ITABASHI, near: { latitude: 35.7, longitude: 139.7, radiusMeters: 0 } }, 'input.near.radiusMeters'],
  ])('refuses a bad watch %j naming %s', async (input, field) => {
    const r = await t.gql(CREATE, { i: { ...input, endpointId } }, DEMO_KEYS.PARTNER);
    expect(r.errors?.[0].extensions.field).toBe(field);
  });
});

describe('open data', () => {
  it('serves the facility list as 子育て施設一覧 CSV with a BOM, without credentials', async () => {
    const res = await fetch(`${t.url}/open-data/facilities.csv?municipalityCode=${ITABASHI}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/csv');
    expect(res.headers.get('link')).toContain('license');
    const bytes = Buffer.from(await res.arrayBuffer());
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = bytes.toString('utf8');
    const lines = text.slice(1).trim().split(/\r?\n/);
    expect(lines[0]).toBe(KOSODATE_SHISETSU_COLUMNS.join(','));
    const [{ n }] = await t.db.query(`SELECT count(*)::int AS n FROM facility WHERE municipality_code = $1`, [ITABASHI]);
    expect(lines.length - 1).toBe(n);
    expect(text).toContain('かないくぼ');
  });

  it('serves the vacancy figures as CSV, one row per cell with its meaning, date and source', async () => {
    const res = await fetch(`${t.url}/open-data/vacancies.csv?municipalityCode=${ADACHI}&intakeMonth=2026-09`);
    expect(res.status).toBe(200);
    const lines = Buffer.from(await res.arrayBuffer()).toString('utf8').slice(1).trim().split(/\r?\n/);
    expect(lines[0]).toBe('municipality_code,facility_id,facility_name,intake_month,class_age,seats,has_class,figure_kind,as_of,source');
    const [{ n }] = await t.db.query(`SELECT count(*)::int AS n FROM vacancy v JOIN facility f ON f.id = v.facility_id WHERE f.municipality_code = $1 AND v.intake_month = '2026-09'`, [ADACHI]);
    expect(lines.length - 1).toBe(n);
    expect(lines[1]).toMatch(/^131211,[0-9a-f-]{36},.+,2026-09,[0-5],\d*,(true|false),INTAKE_QUOTA,2026-07-31T15:00:00.000Z,IMPORT$/);
    const bad = await fetch(`${t.url}/open-data/vacancies.csv?intakeMonth=2026-9`);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as any).errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'intakeMonth', requestId: bad.headers.get('x-request-id') });
  });
});

describe('webhook delivery', () => {
  it('records the watch notices as DELIVERED once the partner answered', async () => {
    const delivered = await eventually(async () => {
      const [{ n }] = await t.db.query(`SELECT count(*)::int AS n FROM outbox_message WHERE type = 'jp.hokatsu.vacancy.opened' AND status = 'DELIVERED'`);
      return n >= 2 ? n : null;
    });
    expect(delivered).toBeGreaterThanOrEqual(2);
  });
});
