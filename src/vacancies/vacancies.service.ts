import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { AuthenticatedClient } from '../auth/current-client.decorator';
import { assertFacilityScope } from '../auth/scope';
import { CLOCK, Clock } from '../common/clock';
import { Errors } from '../common/errors';
import { ConnectionShape, decodeCursor, encodeCursor, pageOf } from '../common/pagination';
import { preparedQuery } from '../common/sql';
import { SearchResultCache } from './search-cache';
import { FacilitiesService } from '../facilities/facilities.service';
import { Facility } from '../facilities/facility.entity';
import { assertMunicipalityCode } from '../municipalities/municipality-code';
import { UpdateVacanciesInput } from './dto/update-vacancies.input';
import { VacancySearchArgs } from './dto/vacancy-search.args';
import { VacancyErrors } from './vacancies.errors';
import { VacancyFigureKind } from './vacancy-figure-kind';
import { DAY_MS, staleVersions, VacancySide, VacancySource } from './vacancy-rules';
import { SearchRow, vacancySearchKey, vacancySearchSql } from './vacancy-search.sql';
import { toCellSources, toVacancyFigure, VacancyCellSources, VacancyFigure, VacancyGrid, VacancySearchResult } from './vacancy.types';
import { StaleVacancyVersion, VacancyRow, writeVacancyCells } from './vacancy-writer';
import { VacancyWatchesService } from './vacancy-watches.service';

/** A page of vacancySearch as kept by SearchResultCache (shared between requests: only `built` is replaced). */
interface SearchPage {
  hasNextPage: boolean;
  hasPreviousPage: boolean;
  /** The connection as last built, valid for requests at instants in [from, until) (the one field set later). */
  built?: { from: number; until: number; value: Omit<ConnectionShape<VacancySearchResult>, 'totalCount'> };
  items: SearchItem[];
}

/** One result as kept in the cache. Its cursor is encoded the first time a client selects it. */
class SearchItem {
  private encoded?: string;
  constructor(
    readonly facility: Facility,
    readonly cell: Parameters<typeof toVacancyFigure>[0],
    readonly distanceMeters: number | null,
    private readonly key: unknown[],
  ) {}
  get cursor(): string {
    return (this.encoded ??= encodeCursor(this.key));
  }
}

/** An edge of a built page: the item's cursor (lazily) and the node at the moment it was built. */
class SearchEdge {
  constructor(
    private readonly item: SearchItem,
    readonly node: VacancySearchResult,
  ) {}
  get cursor(): string {
    return this.item.cursor;
  }
}

/** The key of a search page's total: counted on demand, never part of the page's own data. */
export const COUNT_TOTAL = Symbol('countTotal');

/** What vacancySearch answers: the page, and its total on demand. */
export interface VacancySearchPage extends Omit<ConnectionShape<VacancySearchResult>, 'totalCount'> {
  [COUNT_TOTAL]: () => Promise<number>;
}

/** Reading figures (search, grids) and the operator's update. */
@Injectable()
export class VacanciesService {
  constructor(
    private readonly db: DataSource,
    private readonly facilities: FacilitiesService,
    private readonly watches: VacancyWatchesService,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly cache: SearchResultCache,
  ) {}

  /** Every stored cell of these facilities for one month, one query (for DataLoaders). */
  async rowsFor(facilityIds: readonly string[], intakeMonth: string): Promise<VacancyRow[]> {
    return this.db.query(`SELECT * FROM vacancy WHERE facility_id = ANY($1::uuid[]) AND intake_month = $2 ORDER BY facility_id, class_age`, [[...facilityIds], intakeMonth]);
  }

  async figuresFor(facilityIds: readonly string[], intakeMonth: string): Promise<VacancyFigure[]> {
    const now = this.clock.now();
    return (await this.rowsFor(facilityIds, intakeMonth)).map((r) => toVacancyFigure(r, now));
  }

  async sourcesFor(facilityIds: readonly string[], intakeMonth: string): Promise<Array<VacancyCellSources & { facilityId: string }>> {
    return (await this.rowsFor(facilityIds, intakeMonth)).map((r) => Object.assign(toCellSources(r), { facilityId: r.facility_id }));
  }

  async grid(facilityId: string, intakeMonth: string): Promise<VacancyGrid> {
    return { facilityId, intakeMonth, figures: await this.figuresFor([facilityId], intakeMonth) };
  }

  /**
   * An operator's save of one cell or a whole grid: all cells or none. Every cell names the version
   * it was based on; if any is stale (someone saved in between, or a municipality list came in), the
   * save is refused with CONFLICT carrying the current figures. Two concurrent saves of the same
   * cell cannot both win: rows are locked FOR UPDATE and written with a version guard (vacancy-writer).
   */
  async update(input: UpdateVacanciesInput, client: AuthenticatedClient): Promise<VacancyGrid> {
    assertFacilityScope(client, input.facilityId, 'input.facilityId');
    const seen = new Map<number, number>();
    input.cells.forEach((c, i) => {
      if (seen.has(c.classAge))
        throw Errors.badInput(`input.cells[${i}].classAge`, `Class age ${c.classAge} appears twice (cells[${seen.get(c.classAge)}] and cells[${i}]); give each class age once.`, `クラス年齢 ${c.classAge} が2回指定されています（cells[${seen.get(c.classAge)}] と cells[${i}]）。各クラス年齢は1回だけ指定してください。`);
      seen.set(c.classAge, i);
    });
    if (!(await this.facilities.findById(input.facilityId))) throw Errors.notFound('Facility', input.facilityId, 'input.facilityId');
    const now = this.clock.now();
    const save = () => this.db.transaction(async (m) => {
      const result = await writeVacancyCells(
        m,
        {
          side: VacancySide.OPERATOR,
          source: VacancySource.OPERATOR,
          figureKind: VacancyFigureKind.OPEN_SEATS,
          asOf: now,
          setBy: client.id,
          cells: input.cells.map((c) => ({ facilityId: input.facilityId, intakeMonth: input.intakeMonth, classAge: c.classAge, seats: c.seats ?? null, expectedVersion: c.expectedVersion })),
        },
        now,
      );
      await this.watches.notifyOpened(m, result.opened);
    });
    try {
      // A facility × month that a concurrent writer created after our read: read it again, once.
      await save().catch((err) => {
        if (err instanceof StaleVacancyVersion && err.rowTaken) return save();
        throw err;
      });
    } catch (err) {
      if (!(err instanceof StaleVacancyVersion)) throw err;
      const current = await this.figuresFor([input.facilityId], input.intakeMonth);
      // Judged against what is there now, so that every stale cell is named, whatever PostgreSQL
      // reported (a row created concurrently comes without its cells), and agrees with `current`.
      const judged = staleVersions(input.cells, current).map((c) => ({ facilityId: input.facilityId, intakeMonth: input.intakeMonth, ...c }));
      const stale = judged.length ? judged : err.cells;
      const firstStale = input.cells.findIndex((c) => stale.some((s) => s.classAge === c.classAge));
      throw VacancyErrors.stale(`input.cells[${Math.max(0, firstStale)}].expectedVersion`, input.facilityId, input.intakeMonth, stale, current);
    }
    return this.grid(input.facilityId, input.intakeMonth);
  }

  /**
   * The Facility of a search row, mapped by hand from the entity's column metadata: the same object
   * TypeORM would hydrate (pg already parses the types), without a second query or TypeORM's
   * per-row hydration cost on the hot path of vacancySearch.
   */
  private facilityColumns?: Map<string, string>;
  private toFacility(row: SearchRow, columns: ReadonlyArray<readonly [string, string]>): Facility {
    const facility = new Facility() as unknown as Record<string, unknown>;
    for (const [property, column] of columns) facility[property] = row[column];
    return facility as unknown as Facility;
  }

  /** The [property, column] pairs of the Facility columns a statement returned (every row has the same). */
  private returnedColumns(row: SearchRow | undefined): Array<[string, string]> {
    return row ? [...this.columnOfProperty()].filter(([, column]) => column in row) : [];
  }

  /**
   * The edges and page info of a page at `now`. Only the figures' age depends on the moment, in
   * whole days since each figure's as-of, so what was built is reused until the first of them
   * would change (the page itself is shared, never changed).
   */
  private builtPage(page: SearchPage, now: Date): Omit<ConnectionShape<VacancySearchResult>, 'totalCount'> {
    const t = now.getTime();
    const built = page.built;
    if (built && t >= built.from && t < built.until) return built.value;
    const edges = page.items.map((item) => new SearchEdge(item, { facility: item.facility, figure: toVacancyFigure(item.cell, now), distanceMeters: item.distanceMeters }));
    const value = pageOf(edges, page.hasNextPage, page.hasPreviousPage);
    // The next moment one figure's ageInDays grows by one.
    const until = Math.min(...edges.map(({ node }) => node.figure.asOf.getTime() + (node.figure.ageInDays + 1) * DAY_MS), Number.MAX_SAFE_INTEGER);
    page.built = { from: t, until, value };
    return value;
  }

  /** One page of search results as kept in the cache: everything but the figures' age. */
  private toSearchPage(rows: SearchRow[], first: number, near: boolean, hasPreviousPage: boolean): SearchPage {
    const columns = this.returnedColumns(rows[0]);
    return {
      hasNextPage: rows.length > first,
      hasPreviousPage,
      items: rows.slice(0, first).map(
        (r) =>
          new SearchItem(
            this.toFacility(r, columns),
            { facility_id: r.id, intake_month: r.v_intake_month, class_age: r.v_class_age, seats: r.v_seats, figure_kind: r.v_figure_kind, as_of: r.v_as_of, side: r.v_side, source: r.v_source, version: r.v_version },
            r.distance === null ? null : Math.round(r.distance * 10) / 10,
            vacancySearchKey(r, near),
          ),
      ),
    };
  }

  private columnOfProperty(): Map<string, string> {
    return (this.facilityColumns ??= new Map(this.db.getMetadata(Facility).columns.map((c) => [c.propertyName, c.databaseName])));
  }

  /**
   * The columns behind the selected Facility fields; fields that are not columns are resolved from
   * the id. Kept per selection: selectedFields gives the same set for every request of one query.
   */
  private facilityColumnsFor(fields: ReadonlySet<string>): string[] {
    let found = this.columnsOfSelection.get(fields);
    if (!found) {
      const columns = this.columnOfProperty();
      this.columnsOfSelection.set(fields, (found = [...fields].flatMap((field) => (columns.has(field) ? [columns.get(field)!] : []))));
    }
    return found;
  }
  private readonly columnsOfSelection = new WeakMap<ReadonlySet<string>, string[]>();

  /**
   * vacancySearch: one statement for the page and its facilities (or the page kept in memory); the
   * total only when asked for. `facilityFields`: the Facility fields the client selected; only their columns are fetched (a
   * field that is not a column, such as `vacancies`, needs only the id). Absent: every column.
   */
  async search(args: VacancySearchArgs, facilityFields?: ReadonlySet<string>): Promise<VacancySearchPage> {
    const f = args.filter;
    f.municipalityCodes?.forEach((c, i) => assertMunicipalityCode(`filter.municipalityCodes[${i}]`, c));
    const query = {
      classAge: f.classAge,
      intakeMonth: f.intakeMonth,
      municipalityCodes: f.municipalityCodes,
      kinds: f.kinds,
      onlyWithSeats: f.onlyWithSeats,
      near: f.near,
      first: args.first,
      after: args.after ? decodeCursor(args.after, f.near ? 2 : 3) : null,
      facilityColumns: facilityFields && this.facilityColumnsFor(facilityFields),
    };
    const { sql, params, shape } = vacancySearchSql(query);
    const key = `${shape}\u0000${JSON.stringify(params)}`;
    let page = this.cache.get<SearchPage>(key);
    if (!page) {
      const generation = this.cache.generation;
      page = this.toSearchPage(await preparedQuery<SearchRow>(this.db, sql, params), args.first, !!f.near, !!args.after);
      this.cache.set(key, generation, page);
    }
    const { edges, pageInfo } = this.builtPage(page, this.clock.now());
    return {
      edges,
      pageInfo,
      // A second statement, run only when the client selects totalCount (VacancySearchConnectionResolver).
      [COUNT_TOTAL]: async () => {
        const count = vacancySearchSql(query, true);
        return (await preparedQuery<{ n: number }>(this.db, count.sql, count.params))[0].n;
      },
    };
  }
}
