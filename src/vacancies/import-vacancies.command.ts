import { readFileSync } from 'node:fs';
import { Inject } from '@nestjs/common';
import { SingleBar, Presets } from 'cli-progress';
import { Command, CommandRunner, Option } from 'nest-commander';
import { CLOCK, Clock } from '../common/clock';
import { decodeCsvBuffer } from '../facilities/kosodate-shisetsu-csv';
import { VacancyFileFormat } from './dto/import-vacancies.args';
import { VacancyFigureKind } from './vacancy-figure-kind';
import { VacancyImportService } from './vacancy-import.service';

interface ImportVacanciesOptions {
  municipality: string;
  format?: VacancyFileFormat;
  intakeMonth?: string;
  figureKind?: VacancyFigureKind;
  asOf?: string;
  dryRun?: boolean;
}

/**
 * `npm run hub -- import-vacancies <file> --municipality 131199 [--format JSON|CSV] [--intake-month 2026-09]`:
 * the same import as the importVacancies mutation (all-or-nothing, idempotent), as the platform
 * (source IMPORT), with a progress bar over the figures written.
 */
@Command({ name: 'import-vacancies', arguments: '<file>', description: "Import a municipality's vacancy list (JSON of data/vacancy/ or the documented CSV). All-or-nothing; prints the report." })
export class ImportVacanciesCommand extends CommandRunner {
  constructor(private readonly importer: VacancyImportService, @Inject(CLOCK) private readonly clock: Clock) {
    super();
  }

  async run([file]: string[], options: ImportVacanciesOptions) {
    const format = options.format ?? (file.toLowerCase().endsWith('.json') ? VacancyFileFormat.JSON : VacancyFileFormat.CSV);
    const buffer = readFileSync(file);
    const content = format === VacancyFileFormat.CSV ? decodeCsvBuffer(buffer) : buffer.toString('utf8');
    const bar = new SingleBar({ format: 'importing figures [{bar}] {percentage}% {value}/{total}', hideCursor: true }, Presets.shades_classic);
    let started = false;
    const report = await this.importer.import(
      {
        format,
        content,
        municipalityCode: options.municipality,
        intakeMonth: options.intakeMonth ?? null,
        figureKind: options.figureKind ?? VacancyFigureKind.INTAKE_QUOTA,
        asOf: options.asOf ?? null,
        dryRun: options.dryRun ?? false,
      },
      null,
      this.clock.now(),
      (done, total) => {
        if (!started) bar.start(total, 0);
        started = true;
        bar.update(done);
      },
    );
    if (started) bar.stop();
    for (const r of report.rejected) console.error(`line ${r.line}${r.field ? ` [${r.field}]` : ''}: ${r.reason} / ${r.reasonJa}`);
    for (const u of report.unmatched) console.error(`unmatched (not created): ${u}`);
    console.log(
      `${report.applied ? 'applied' : report.dryRun && !report.rejected.length ? 'dry run: would apply' : 'REJECTED (nothing changed)'}: ` +
        `${report.rowsRead} rows, figures ${report.created} created, ${report.updated} updated, ${report.unchanged} unchanged; ${report.rejected.length} rejected, ${report.unmatched.length} unmatched`,
    );
    if (report.rejected.length) process.exitCode = 1;
  }

  @Option({ flags: '-m, --municipality <code>', description: 'Municipality code (6 digits) the list is for', required: true })
  parseMunicipality(value: string) {
    return value;
  }

  @Option({ flags: '-f, --format <format>', description: 'JSON or CSV (default: from the file extension)' })
  parseFormat(value: string) {
    const v = value.toUpperCase();
    if (v !== 'JSON' && v !== 'CSV') throw new Error(`--format must be JSON or CSV, got "${value}"`);
    return v as VacancyFileFormat;
  }

  @Option({ flags: '--intake-month <YYYY-MM>', description: 'Intake month (required for JSON)' })
  parseIntakeMonth(value: string) {
    return value;
  }

  @Option({ flags: '--figure-kind <kind>', description: 'OPEN_SEATS or INTAKE_QUOTA (default INTAKE_QUOTA)' })
  parseFigureKind(value: string) {
    if (!(value in VacancyFigureKind)) throw new Error(`--figure-kind must be OPEN_SEATS or INTAKE_QUOTA, got "${value}"`);
    return value as VacancyFigureKind;
  }

  @Option({ flags: '--as-of <YYYY-MM-DD>', description: "CSV only: the list's date (default: today in Japan)" })
  parseAsOf(value: string) {
    return value;
  }

  @Option({ flags: '--dry-run', description: 'Check the file without writing anything' })
  parseDryRun() {
    return true;
  }
}
