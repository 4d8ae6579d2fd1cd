import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * No parallel scans of `facility` and `vacancy_grid`. vacancySearch over a whole month (no
 * municipality) walks the facilities in name order and stops after one page; for its generic plan
 * PostgreSQL chose a parallel index scan, whose worker start-up made the search take 38 ms instead of
 * 0.7 ms on the national set (BENCHMARKS.md). Neither table is ever read in bulk by a query that a
 * second worker would help (the open-data export streams one municipality or the 40,000 facilities
 * in one pass), so the tables say so themselves rather than every connection turning parallelism off.
 */
export class NoParallelSearchScans1764000011000 implements MigrationInterface {
  name = 'NoParallelSearchScans1764000011000';

  async up(q: QueryRunner): Promise<void> {
    for (const table of ['facility', 'vacancy_grid']) await q.query(`ALTER TABLE ${table} SET (parallel_workers = 0)`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['facility', 'vacancy_grid']) await q.query(`ALTER TABLE ${table} RESET (parallel_workers)`);
  }
}
