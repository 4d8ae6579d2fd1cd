import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { rootLogger } from '../common/logger';

export interface DemoSeeder {
  /** Stable name; a seeder runs once per database (recorded in seed_run). */
  name: string;
  /** Lower runs first: facilities 10, clients 20, vacancies 30, procedures 40, … */
  order: number;
  run(manager: EntityManager, now: Date): Promise<Record<string, unknown>>;
}

const SEED_LOCK = 7_140_002;

/**
 * Demo data for `npm start` on a fresh machine. Features register their seeders; each runs once,
 * in its own transaction together with its seed_run marker, so a crash mid-seed leaves nothing
 * half-done and the next start completes the rest.
 */
@Injectable()
export class DemoSeedService {
  private readonly seeders: DemoSeeder[] = [];

  constructor(private readonly db: DataSource) {}

  register(seeder: DemoSeeder) {
    if (!this.seeders.some((s) => s.name === seeder.name)) this.seeders.push(seeder);
  }

  async runAll(now: Date, only?: string[]): Promise<Record<string, Record<string, unknown>>> {
    const reports: Record<string, Record<string, unknown>> = {};
    for (const seeder of [...this.seeders].sort((a, b) => a.order - b.order)) {
      if (only && !only.includes(seeder.name)) continue;
      await this.db.transaction(async (m) => {
        await m.query('SELECT pg_advisory_xact_lock($1)', [SEED_LOCK]);
        const done = await m.query('SELECT 1 FROM seed_run WHERE name = $1', [seeder.name]);
        if (done.length) return;
        const report = await seeder.run(m, now);
        await m.query('INSERT INTO seed_run (name, report) VALUES ($1, $2)', [seeder.name, JSON.stringify(report)]);
        reports[seeder.name] = report;
        rootLogger.info({ seeder: seeder.name, report: summarize(report) }, 'demo data loaded');
      });
    }
    return reports;
  }
}

function summarize(report: Record<string, unknown>) {
  return Object.fromEntries(Object.entries(report).map(([k, v]) => [k, Array.isArray(v) ? v.length : v]));
}
