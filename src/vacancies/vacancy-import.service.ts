import { japanDateOf } from '../common/dates';
import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ApiRole } from '../auth/api-client.entity';
import type { AuthenticatedClient } from '../auth/current-client.decorator';
import { assertMunicipalityScope } from '../auth/scope';
import { Errors } from '../common/errors';
import { emptyReport, ImportReport, RejectedRowReport } from '../common/import-report';
import { normalizeFacilityName } from '../common/normalize';
import { assertMunicipalityCode } from '../municipalities/municipality-code';
import { VacancyFileFormat } from './dto/import-vacancies.args';
import { VacancyErrors } from './vacancies.errors';
import { VacancyFigureKind } from './vacancy-figure-kind';
import { isIsoDate, parseVacancyCsv, parseVacancyJson, SixFigures } from './vacancy-file';
import { listDateToInstant, VacancySide, VacancySource } from './vacancy-rules';
import { CellWrite, StaleVacancyVersion, writeVacancyCells } from './vacancy-writer';
import { VacancyWatchesService } from './vacancy-watches.service';

export interface VacancyImportRequest {
  format: VacancyFileFormat;
  content: string;
  municipalityCode: string;
  intakeMonth?: string | null;
  figureKind: VacancyFigureKind;
  /** CSV only, 'YYYY-MM-DD' */
  asOf?: string | null;
  dryRun: boolean;
}

/** One facility row of a file, before matching. */
interface FileRow {
  /** CSV: the line; JSON: the 1-based position in facilities[] */
  line: number;
  /** the hub facility id, when the file gives one */
  facilityId: string | null;
  /** JSON: the municipality's own id of the facility */
  sourceKey: string | null;
  name: string | null;
  intakeMonth: string;
  figures: SixFigures;
  /** the source publishes one total instead of per-age figures: its nulls mean "not published", not "no class" */
  nullsAreUnpublished: boolean;
}

/** What matching needs of a facility of the municipality. */
type FacilityKey = { id: string; name: string; source_key: string };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MAX_ATTEMPTS = 3;
class DryRunRollback extends Error {}

/**
 * A municipality's monthly list (JSON of data/vacancy/, or the documented CSV), for that
 * municipality only. All-or-nothing per file: any rejected row means nothing is written. Facilities
 * the hub cannot match are reported in `unmatched` and never created; the rest is applied.
 * Idempotent: a cell whose municipality figure, meaning and date are unchanged is not touched.
 *
 * Matching, within the municipality: the hub facility id (a uuid in the file) → the facility whose
 * source key is the JSON id (the lists the demo facilities came from) → the one facility whose
 * normalised name (normalizeFacilityName) is equal. Two facilities with the same normalised name
 * are ambiguous: reported as unmatched, never guessed.
 */
@Injectable()
export class VacancyImportService {
  constructor(private readonly db: DataSource, private readonly watches: VacancyWatchesService) {}

  async import(req: VacancyImportRequest, actor: AuthenticatedClient | null, now: Date, onProgress?: (done: number, total: number) => void): Promise<ImportReport> {
    assertMunicipalityCode('municipalityCode', req.municipalityCode);
    if (actor) assertMunicipalityScope(actor, req.municipalityCode, 'municipalityCode');
    // The municipality and its facilities in one round trip (a municipality without facilities gives one row of NULLs).
    const found: Array<{ id: string | null; name: string; source_key: string }> = await this.db.query(
      `SELECT f.id, f.name, f.source_key FROM municipality m LEFT JOIN facility f ON f.municipality_code = m.code WHERE m.code = $1`,
      [req.municipalityCode],
    );
    if (!found.length) throw Errors.notFound('Municipality', req.municipalityCode, 'municipalityCode');
    const facilities = found.filter((f): f is FacilityKey => f.id !== null);

    const { rows, rejected, asOf } = req.format === VacancyFileFormat.JSON ? this.readJson(req) : this.readCsv(req, now);
    const report = emptyReport(rows.length + rejected.length, req.dryRun);

    const cells = this.match(facilities, rows, rejected, report);
    report.rejected = rejected.sort((a, b) => a.line - b.line);
    const fileSha = createHash('sha256').update(req.content).digest('hex');
    const kind = `vacancy-${req.format.toLowerCase()}`;
    if (report.rejected.length) {
      if (!req.dryRun) await this.recordRun(this.db.manager, kind, fileSha, actor, 'REJECTED', report);
      return report;
    }

    const batch = {
      side: VacancySide.MUNICIPALITY,
      source: actor?.role === ApiRole.MUNICIPALITY ? VacancySource.MUNICIPALITY_FEED : VacancySource.IMPORT,
      figureKind: req.figureKind,
      asOf: listDateToInstant(asOf),
      setBy: actor?.id ?? null,
      cells,
    };
    for (let attempt = 1; ; attempt++) {
      try {
        await this.db.transaction(async (m) => {
          const result = await writeVacancyCells(m, batch, now, onProgress && ((done) => onProgress(done, cells.length)));
          Object.assign(report, { created: result.created, updated: result.updated, unchanged: result.unchanged });
          if (req.dryRun) throw new DryRunRollback();
          await this.watches.notifyOpened(m, result.opened);
          report.applied = true;
          await this.recordRun(m, kind, fileSha, actor, 'APPLIED', report);
        });
        return report;
      } catch (err) {
        if (err instanceof DryRunRollback) return report;
        report.applied = false;
        // An operator saved a cell of this list between our read and our write: read again and retry.
        if (!(err instanceof StaleVacancyVersion)) throw err;
        if (attempt >= MAX_ATTEMPTS) throw VacancyErrors.importRace(req.municipalityCode);
      }
    }
  }

  private readJson(req: VacancyImportRequest): { rows: FileRow[]; rejected: RejectedRowReport[]; asOf: string } {
    if (!req.intakeMonth)
      throw Errors.badInput('intakeMonth', 'A JSON list does not say which intake month it is for: give intakeMonth (YYYY-MM).', 'JSON の一覧には入所月がありません。intakeMonth（YYYY-MM）を指定してください。');
    let json: unknown;
    try {
      json = JSON.parse(req.content);
    } catch (err) {
      throw Errors.badInput('content', `The content is not valid JSON: ${(err as Error).message}.`, `content が正しい JSON ではありません: ${(err as Error).message}。`);
    }
    const file = parseVacancyJson(json);
    const raw = (json as { facilities: Array<{ id?: unknown; vacancyTotal?: unknown }> }).facilities;
    const indexById = new Map<unknown, number>();
    raw.forEach((f, i) => {
      if (f && typeof f === 'object' && !indexById.has(f.id)) indexById.set(f.id, i);
    });
    const rejected = file.problems.map((p) => ({ line: p.index + 1, field: p.field, reason: p.reason, reasonJa: p.reasonJa }));
    const rows = file.facilities.map((f): FileRow => {
      const index = indexById.get(f.sourceKey)!;
      const isId = UUID.test(f.sourceKey);
      return {
        line: index + 1,
        facilityId: isId ? f.sourceKey.toLowerCase() : null,
        sourceKey: isId ? null : f.sourceKey,
        name: f.name,
        intakeMonth: req.intakeMonth!,
        figures: f.figures,
        nullsAreUnpublished: f.figures.every((v) => v === null) && Number.isInteger(raw[index].vacancyTotal),
      };
    });
    return { rows, rejected, asOf: file.asOf };
  }

  private readCsv(req: VacancyImportRequest, now: Date): { rows: FileRow[]; rejected: RejectedRowReport[]; asOf: string } {
    if (req.asOf && !isIsoDate(req.asOf)) throw Errors.badInput('asOf', `asOf "${req.asOf}" is not a real date (YYYY-MM-DD).`, `asOf「${req.asOf}」は正しい日付（YYYY-MM-DD）ではありません。`);
    const parsed = parseVacancyCsv(req.content, req.municipalityCode);
    const rejected: RejectedRowReport[] = parsed.rejected.map((r) => ({ line: r.line, field: r.field ?? null, reason: r.reason, reasonJa: r.reasonJa }));
    const rows: FileRow[] = [];
    for (const r of parsed.rows) {
      if (req.intakeMonth && r.intakeMonth !== req.intakeMonth) {
        rejected.push({ line: r.line, field: 'intake_month', reason: `intake_month ${r.intakeMonth} is not the month of this import (${req.intakeMonth})`, reasonJa: `intake_month ${r.intakeMonth} はこの取込みの入所月（${req.intakeMonth}）と異なります` });
        continue;
      }
      rows.push({ line: r.line, facilityId: r.facilityId, sourceKey: null, name: r.facilityName, intakeMonth: r.intakeMonth, figures: r.figures, nullsAreUnpublished: false });
    }
    return { rows, rejected, asOf: req.asOf ?? japanDateOf(now) };
  }

  /** Facility rows → cells; fills report.unmatched and adds duplicate rows to rejected. */
  private match(facilities: FacilityKey[], rows: FileRow[], rejected: RejectedRowReport[], report: ImportReport): CellWrite[] {
    const ids = new Set(facilities.map((f) => f.id));
    const group = (key: (f: (typeof facilities)[number]) => string) => {
      const map = new Map<string, string[]>();
      for (const f of facilities) map.set(key(f), [...(map.get(key(f)) ?? []), f.id]);
      return map;
    };
    const bySourceKey = group((f) => f.source_key);
    const byName = group((f) => normalizeFacilityName(f.name));
    // A CSV names each facility once per intake month: normalise each distinct name once.
    const normalized = new Map<string, string>();
    const normalizedName = (name: string) => {
      let n = normalized.get(name);
      if (n === undefined) normalized.set(name, (n = normalizeFacilityName(name)));
      return n;
    };
    const cells: CellWrite[] = [];
    const firstLine = new Map<string, number>();
    for (const row of rows) {
      let facilityId: string | undefined;
      let ambiguous = 0;
      if (row.facilityId) facilityId = ids.has(row.facilityId) ? row.facilityId : undefined;
      else {
        const byKey = row.sourceKey ? bySourceKey.get(row.sourceKey) ?? [] : [];
        const named = row.name ? byName.get(normalizedName(row.name)) ?? [] : [];
        if (byKey.length === 1) facilityId = byKey[0];
        else if (named.length === 1) facilityId = named[0];
        else ambiguous = Math.max(byKey.length, named.length);
      }
      if (!facilityId) {
        const label = row.facilityId ?? row.name ?? row.sourceKey ?? `line ${row.line}`;
        report.unmatched.push(ambiguous > 1 ? `${label} (ambiguous: ${ambiguous} facilities / 候補 ${ambiguous} 施設)` : label);
        continue;
      }
      const key = `${facilityId}|${row.intakeMonth}`;
      if (firstLine.has(key)) {
        rejected.push({ line: row.line, field: 'facility', reason: `the same facility and intake month as line ${firstLine.get(key)}`, reasonJa: `${firstLine.get(key)}行目と同じ施設・入所月です` });
        continue;
      }
      firstLine.set(key, row.line);
      row.figures.forEach((seats, classAge) => {
        if (seats === null && row.nullsAreUnpublished) return;
        cells.push({ facilityId: facilityId!, intakeMonth: row.intakeMonth, classAge, seats });
      });
    }
    return cells;
  }

  private async recordRun(m: DataSource['manager'], kind: string, sha: string, actor: AuthenticatedClient | null, status: 'APPLIED' | 'REJECTED', report: ImportReport) {
    await m.query(`INSERT INTO import_run (kind, file_sha256, api_client_id, status, report) VALUES ($1, $2, $3, $4, $5)`, [
      kind, sha, actor?.id ?? null, status, JSON.stringify({ ...report, rejected: report.rejected.length, unmatched: report.unmatched.length }),
    ]);
  }
}
