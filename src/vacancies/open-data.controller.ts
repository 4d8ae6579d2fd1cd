import { Controller, Get, Query, Res } from '@nestjs/common';
import { stringify } from 'csv-stringify';
import type { Response } from 'express';
import { DataSource } from 'typeorm';
import { Errors } from '../common/errors';
import { FACILITY_KIND_JA, FacilityKind } from '../facilities/facility-kind';
import { KOSODATE_SHISETSU_COLUMNS } from '../facilities/kosodate-shisetsu-csv';
import { assertMunicipalityCode } from '../municipalities/municipality-code';
import { INTAKE_MONTH_PATTERN } from './dto/update-vacancies.input';

const PAGE = 2000;

export const OPEN_DATA_LICENSE = {
  license: 'CC BY 4.0',
  licenseUrl: 'https://creativecommons.org/licenses/by/4.0/',
  attribution: '保活情報連携基盤 (hokatsu hub)',
  note: 'Facility lists and vacancy figures as the municipalities and facilities published them; each vacancy row names its source and date. 各自治体・施設が公表した情報です。空き状況は行ごとに出所と時点を示します。',
};

/** The column layout of vacancies.csv: one row per cell, so every figure keeps its own meaning, date and source. */
export const VACANCY_OPEN_DATA_COLUMNS = ['municipality_code', 'facility_id', 'facility_name', 'intake_month', 'class_age', 'seats', 'has_class', 'figure_kind', 'as_of', 'source'] as const;

/** 受入年齢 in a form parseAcceptedAges reads back: 「57日～5歳」, 「1歳～5歳」. */
export function acceptedAgesText(classAges: number[] | null, minimumAgeDays: number | null): string {
  if (!classAges?.length) return '';
  const from = Math.min(...classAges);
  const to = Math.max(...classAges);
  return from === 0 && minimumAgeDays !== null ? `${minimumAgeDays}日～${to}歳` : `${from}歳～${to}歳`;
}

/**
 * Open data over plain HTTP, no credentials: the facility list in the national 「子育て施設一覧」
 * layout and the vacancy figures, as UTF-8 CSV with a BOM (so Excel opens it correctly), streamed
 * page by page so a national export never sits in memory.
 */
@Controller('open-data')
export class OpenDataController {
  constructor(private readonly db: DataSource) {}

  @Get()
  index() {
    return {
      ...OPEN_DATA_LICENSE,
      datasets: [
        { path: '/open-data/facilities.csv', title: '子育て施設一覧 (national standard layout)', parameters: { municipalityCode: 'optional, 6 digits' } },
        { path: '/open-data/vacancies.csv', title: '空き状況 (vacancy figures, one row per facility, class age and intake month)', parameters: { municipalityCode: 'optional, 6 digits', intakeMonth: 'optional, YYYY-MM' }, columns: VACANCY_OPEN_DATA_COLUMNS },
      ],
    };
  }

  @Get('facilities.csv')
  async facilities(@Query('municipalityCode') municipalityCode: string | undefined, @Res() res: Response) {
    if (municipalityCode !== undefined) assertMunicipalityCode('municipalityCode', municipalityCode);
    this.csvHeaders(res, 'facilities.csv');
    const csv = stringify({ header: true, columns: [...KOSODATE_SHISETSU_COLUMNS], bom: true });
    csv.pipe(res);
    let after: [string, string, string] | null = null;
    let no = 0;
    for (;;) {
      const rows: Array<Record<string, any>> = await this.db.query(
        `SELECT f.*, m.prefecture, m.name AS municipality_name,
                (SELECT array_agg(a.class_age ORDER BY a.class_age) FROM facility_class_age a WHERE a.facility_id = f.id) AS class_ages
           FROM facility f JOIN municipality m ON m.code = f.municipality_code
          WHERE ($1::char(6) IS NULL OR f.municipality_code = $1) AND ($2::char(6) IS NULL OR (f.municipality_code, f.name, f.id) > ($2, $3, $4::uuid))
          ORDER BY f.municipality_code, f.name, f.id LIMIT ${PAGE}`,
        [municipalityCode ?? null, after?.[0] ?? null, after?.[1] ?? null, after?.[2] ?? null],
      );
      for (const f of rows) {
        const row: Record<string, unknown> = {
          都道府県コード又は市区町村コード: f.municipality_code, NO: ++no, 都道府県名: f.prefecture, 市区町村名: f.municipality_name, 名称: f.name,
          名称_カナ: f.name_kana ?? '', 種別: FACILITY_KIND_JA[f.kind as FacilityKind], 住所: f.address ?? '', 緯度: f.latitude ?? '', 経度: f.longitude ?? '',
          電話番号: f.phone ?? '', 法人番号: f.corporate_number ?? '', 団体名: f.operator_name ?? '', 収容定員: f.capacity_total ?? '',
          受入年齢: acceptedAgesText(f.class_ages, f.minimum_age_days), 利用可能曜日: f.open_days ?? '',
          開始時間: f.opens_at ? String(f.opens_at).slice(0, 5) : '', 終了時間: f.closes_at ? String(f.closes_at).slice(0, 5) : '',
          利用可能日時特記事項: f.hours_note ?? '', URL: f.url ?? '', 備考: f.category_label ? `自治体の区分: ${f.category_label}` : '',
        };
        if (!csv.write(row)) await new Promise((r) => csv.once('drain', r));
      }
      if (rows.length < PAGE) break;
      const last = rows[rows.length - 1];
      after = [last.municipality_code, last.name, last.id];
    }
    csv.end();
  }

  @Get('vacancies.csv')
  async vacancies(@Query('municipalityCode') municipalityCode: string | undefined, @Query('intakeMonth') intakeMonth: string | undefined, @Res() res: Response) {
    if (municipalityCode !== undefined) assertMunicipalityCode('municipalityCode', municipalityCode);
    if (intakeMonth !== undefined && !INTAKE_MONTH_PATTERN.test(intakeMonth))
      throw Errors.badInput('intakeMonth', `intakeMonth "${intakeMonth}" must be YYYY-MM (e.g. 2026-10).`, `intakeMonth「${intakeMonth}」は YYYY-MM 形式（例: 2026-10）で指定してください。`);
    this.csvHeaders(res, 'vacancies.csv');
    const csv = stringify({ header: true, columns: [...VACANCY_OPEN_DATA_COLUMNS], bom: true });
    csv.pipe(res);
    let after: unknown[] | null = null;
    for (;;) {
      const rows: Array<Record<string, any>> = await this.db.query(
        `SELECT f.municipality_code, f.name, v.facility_id, v.intake_month, v.class_age, v.seats, v.figure_kind, v.as_of, v.source
           FROM vacancy v JOIN facility f ON f.id = v.facility_id
          WHERE ($1::char(6) IS NULL OR f.municipality_code = $1) AND ($2::char(7) IS NULL OR v.intake_month = $2)
            AND ($3::char(6) IS NULL OR (f.municipality_code, f.name, v.facility_id, v.intake_month, v.class_age) > ($3, $4, $5::uuid, $6::char(7), $7::smallint))
          ORDER BY f.municipality_code, f.name, v.facility_id, v.intake_month, v.class_age LIMIT ${PAGE}`,
        [municipalityCode ?? null, intakeMonth ?? null, ...(after ?? [null, null, null, null, null])],
      );
      for (const v of rows) {
        const row = {
          municipality_code: v.municipality_code, facility_id: v.facility_id, facility_name: v.name, intake_month: v.intake_month.trim(), class_age: v.class_age,
          seats: v.seats ?? '', has_class: v.seats === null ? 'false' : 'true', figure_kind: v.figure_kind, as_of: new Date(v.as_of).toISOString(), source: v.source,
        };
        if (!csv.write(row)) await new Promise((r) => csv.once('drain', r));
      }
      if (rows.length < PAGE) break;
      const last = rows[rows.length - 1];
      after = [last.municipality_code, last.name, last.facility_id, last.intake_month, last.class_age];
    }
    csv.end();
  }

  private csvHeaders(res: Response, file: string) {
    res.status(200);
    res.setHeader('content-type', 'text/csv; charset=utf-8');
    res.setHeader('content-disposition', `attachment; filename="${file}"`);
    res.setHeader('link', `<${OPEN_DATA_LICENSE.licenseUrl}>; rel="license"`);
    res.setHeader('x-data-license', `${OPEN_DATA_LICENSE.license}; attribution: hokatsu hub; figures as published by each municipality or facility (see the source and as_of columns)`);
  }
}
