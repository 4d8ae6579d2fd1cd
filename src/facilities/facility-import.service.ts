import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource, In } from 'typeorm';
import { ApiRole } from '../auth/api-client.entity';
import type { AuthenticatedClient } from '../auth/current-client.decorator';
import { canActForMunicipality } from '../auth/scope';
import { emptyReport, ImportReport } from '../common/import-report';
import { Municipality } from '../municipalities/municipality.entity';
import { parseKosodateShisetsuCsv, ParsedFacilityRow } from './kosodate-shisetsu-csv';
import { FacilityRecord, upsertFacilities } from './facility-writer';

export const KOSODATE_SOURCE = 'kosodate-shisetsu-csv';

export function toFacilityRecord(r: ParsedFacilityRow): FacilityRecord {
  return {
    ...r,
    sourceKey: r.sourceKey,
    openDays: r.openDays?.join(';') ?? null,
    classAges: r.classAgesTaken ? r.classAgesTaken.map((a) => ({ classAge: a, capacity: null })) : null,
  };
}

/** Import of the national standard 「子育て施設一覧」 CSV: all-or-nothing per file, idempotent. */
@Injectable()
export class FacilityImportService {
  constructor(private readonly db: DataSource) {}

  async importCsv(text: string, actor: AuthenticatedClient | null, now: Date, dryRun = false): Promise<ImportReport> {
    const parsed = parseKosodateShisetsuCsv(text); // header problems throw BAD_USER_INPUT naming the columns
    const report = emptyReport(parsed.rows.length + parsed.rejected.length, dryRun);
    report.rejected = parsed.rejected.map((r) => ({ line: r.line, field: r.field ?? null, reason: r.reason, reasonJa: r.reasonJa }));

    const codes = [...new Set(parsed.rows.map((r) => r.municipalityCode))];
    const known = new Set((await this.db.manager.find(Municipality, { select: { code: true }, where: { code: In(codes) } })).map((m) => m.code));
    for (const r of parsed.rows) {
      if (!known.has(r.municipalityCode))
        report.rejected.push({ line: r.line, field: '都道府県コード又は市区町村コード', reason: `Municipality code ${r.municipalityCode} passes the check digit but is not on the national list.`, reasonJa: `自治体コード ${r.municipalityCode} は検査数字は正しいものの、全国地方公共団体コードの一覧にありません。` });
      else if (actor && actor.role !== ApiRole.ADMIN && !canActForMunicipality(actor, r.municipalityCode))
        report.rejected.push({ line: r.line, field: '都道府県コード又は市区町村コード', reason: `Your API client may not import facilities of municipality ${r.municipalityCode}.`, reasonJa: `このAPIクライアントは自治体 ${r.municipalityCode} の施設を取り込めません。` });
    }
    report.rejected.sort((a, b) => a.line - b.line);
    const status = report.rejected.length ? 'REJECTED' : 'APPLIED';
    await this.db.transaction(async (m) => {
      if (status === 'APPLIED' && !dryRun) {
        const result = await upsertFacilities(m, KOSODATE_SOURCE, now, parsed.rows.map(toFacilityRecord));
        Object.assign(report, { applied: true, created: result.created, updated: result.updated, unchanged: result.unchanged });
      }
      if (!dryRun)
        await m.query(`INSERT INTO import_run (kind, file_sha256, api_client_id, status, report) VALUES ($1, $2, $3, $4, $5)`, [
          KOSODATE_SOURCE, createHash('sha256').update(text).digest('hex'), actor?.id ?? null, status, JSON.stringify({ ...report, rejected: report.rejected.length }),
        ]);
    });
    return report;
  }
}
