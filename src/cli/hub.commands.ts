import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Inject } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { GraphQLSchemaHost } from '@nestjs/graphql';
import { lexicographicSortSchema, printSchema } from 'graphql';
import { Command, CommandRunner, Option } from 'nest-commander';
import { DataSource } from 'typeorm';
import { CLOCK, Clock } from '../common/clock';
import { projectRoot } from '../common/paths';
import { DemoSeedService } from '../demo/demo-seed.service';
import { decodeCsvBuffer } from '../facilities/kosodate-shisetsu-csv';
import { FacilityImportService } from '../facilities/facility-import.service';

export const SCHEMA_HEADER = '# Generated from the code-first resolvers; do not edit. Regenerate with `npm run schema:print`.\n\n';

@Command({ name: 'import-facilities', arguments: '<file>', description: 'Import a 「子育て施設一覧」 CSV (UTF-8 or Shift_JIS). All-or-nothing; prints the report.' })
export class ImportFacilitiesCommand extends CommandRunner {
  constructor(private readonly importer: FacilityImportService, @Inject(CLOCK) private readonly clock: Clock) {
    super();
  }

  async run([file]: string[], options: { dryRun?: boolean }) {
    const text = decodeCsvBuffer(readFileSync(file));
    const report = await this.importer.importCsv(text, null, this.clock.now(), options.dryRun ?? false);
    for (const r of report.rejected) console.error(`line ${r.line}${r.field ? ` [${r.field}]` : ''}: ${r.reason} / ${r.reasonJa}`);
    console.log(
      `${report.applied ? 'applied' : report.dryRun && !report.rejected.length ? 'dry run: would apply' : 'REJECTED (nothing changed)'}: ` +
        `${report.rowsRead} rows, ${report.created} created, ${report.updated} updated, ${report.unchanged} unchanged, ${report.rejected.length} rejected`,
    );
    if (report.rejected.length) process.exitCode = 1;
  }

  @Option({ flags: '--dry-run', description: 'Check the file without writing anything' })
  parseDryRun() {
    return true;
  }
}

@Command({ name: 'print-schema', description: 'Write schema.gql from the code-first resolvers.' })
export class PrintSchemaCommand extends CommandRunner {
  constructor(private readonly moduleRef: ModuleRef) {
    super();
  }
  async run() {
    const file = join(projectRoot(), 'schema.gql');
    const { schema } = this.moduleRef.get(GraphQLSchemaHost, { strict: false });
    writeFileSync(file, `${SCHEMA_HEADER}${printSchema(lexicographicSortSchema(schema))}\n`);
    console.log(`wrote ${file}`);
  }
}

@Command({ name: 'seed-demo', description: 'Load the demo data (idempotent: each part runs once per database).' })
export class SeedDemoCommand extends CommandRunner {
  constructor(private readonly seeds: DemoSeedService, @Inject(CLOCK) private readonly clock: Clock) {
    super();
  }
  async run() {
    const reports = await this.seeds.runAll(this.clock.now());
    console.log(JSON.stringify(reports, null, 2));
  }
}

@Command({ name: 'demo-report', description: 'Print what loading the demo data reported, e.g. facilities whose coordinates could not be matched by name.' })
export class DemoReportCommand extends CommandRunner {
  constructor(private readonly db: DataSource) {
    super();
  }
  async run() {
    const rows: Array<{ name: string; ran_at: Date; report: Record<string, unknown> }> = await this.db.query(`SELECT name, ran_at, report FROM seed_run ORDER BY ran_at`);
    if (!rows.length) console.log('No demo data has been loaded in this database.');
    for (const r of rows) console.log(`${r.name} (${r.ran_at.toISOString()}):\n${JSON.stringify(r.report, null, 2)}\n`);
  }
}
