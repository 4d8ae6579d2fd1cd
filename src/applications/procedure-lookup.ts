/**
 * What an application needs to know of a municipality's intake procedure (入所手続き): the monthly
 * cycles (deadlines), the wish limit, the required documents and how long an application stays
 * valid. Read from the procedures feature's tables (intake_procedure / intake_cycle, the current
 * version); a municipality that has stated no procedure for a fiscal year gets the national
 * default (DEFAULT_PROCEDURE), and the answer says so (`source`).
 *
 * Kept behind an interface so that the procedures feature's own service can replace the SQL here
 * without touching the submission rules.
 */
import { DEFAULT_REQUIRED_DOCUMENTS, RequiredDocuments } from '../procedures/care-reason';
import { fiscalYearOf } from '../procedures/class-age';
import { generateCalendar, IntakeCycle, IntakeRule } from '../procedures/intake-calendar';
import type { ValidityPolicy } from '../status/application-status';

export interface ApplicationProcedure {
  municipalityCode: string;
  /** Cycles of the intake month's fiscal year and the next one, in month order. */
  cycles: IntakeCycle[];
  wishLimit: number;
  requiredDocuments: RequiredDocuments;
  validity: ValidityPolicy;
  /** Where the answer came from: the municipality's stated procedure, or the hub's default. */
  source: 'PROCEDURE' | 'DEFAULT';
}


/** The common practice (DOMAIN.md): closes on the 10th of the previous month, 管外 a week earlier. */
export const DEFAULT_INTAKE_RULE: IntakeRule = {
  opens: { monthOffset: -2, day: 1, adjust: 'NONE' },
  closes: { monthOffset: -1, day: 10, adjust: 'PREVIOUS_WORKING_DAY' },
  outOfAreaCloses: { relativeTo: 'closes', days: -7, adjust: 'PREVIOUS_WORKING_DAY' },
};
export const DEFAULT_WISH_LIMIT = 10;

export function defaultProcedure(municipalityCode: string, fiscalYears: number[]): ApplicationProcedure {
  return {
    municipalityCode,
    cycles: fiscalYears.flatMap((year) => generateCalendar(DEFAULT_INTAKE_RULE, year)),
    wishLimit: DEFAULT_WISH_LIMIT,
    requiredDocuments: DEFAULT_REQUIRED_DOCUMENTS,
    validity: { kind: 'END_OF_FISCAL_YEAR' },
    source: 'DEFAULT',
  };
}

/** Fiscal years whose procedures a submission needs: the intake month's and the next, today's and the next. */
export function procedureYears(intakeMonth: string, today: string): number[] {
  const fiscalYear = fiscalYearOf(intakeMonth);
  const todayYear = fiscalYearOf(today.slice(0, 7));
  return [...new Set([fiscalYear, fiscalYear + 1, todayYear, todayYear + 1])].sort();
}

/**
 * The procedures in force (the highest version per municipality and year, as ProceduresService.current)
 * for codes $1 and fiscal years $2, as a JSON array of ProcedureRow. Shared with the submission's
 * one-statement fact loading (ApplicationsService), which embeds it as a sub-select.
 */
export const PROCEDURES_JSON_SQL = (codes: string, years: string) => `
  SELECT coalesce(json_agg(p), '[]') FROM (
    SELECT DISTINCT ON (municipality_code, fiscal_year)
           id, municipality_code, fiscal_year, wish_limit, validity_kind, validity_months, required_documents
      FROM intake_procedure
     WHERE municipality_code = ANY(${codes}) AND fiscal_year = ANY(${years})
     ORDER BY municipality_code, fiscal_year, version DESC) p`;

/** The cycles of the procedures PROCEDURES_JSON_SQL selects, as a JSON array of CycleRow. */
export const CYCLES_JSON_SQL = (codes: string, years: string) => `
  SELECT coalesce(json_agg(c ORDER BY c.intake_month), '[]') FROM (
    SELECT procedure_id, intake_month, has_intake, no_intake_reason, no_intake_reason_ja,
           to_char(opens_on, 'YYYY-MM-DD') AS opens_on, to_char(closes_on, 'YYYY-MM-DD') AS closes_on,
           to_char(out_of_area_closes_on, 'YYYY-MM-DD') AS out_of_area_closes_on,
           to_char(allocation_on, 'YYYY-MM-DD') AS allocation_on, to_char(result_notice_on, 'YYYY-MM-DD') AS result_notice_on,
           to_char(entry_on, 'YYYY-MM-DD') AS entry_on
      FROM intake_cycle WHERE procedure_id IN (
        SELECT DISTINCT ON (municipality_code, fiscal_year) id FROM intake_procedure
         WHERE municipality_code = ANY(${codes}) AND fiscal_year = ANY(${years})
         ORDER BY municipality_code, fiscal_year, version DESC)) c`;

export interface ProcedureRow {
  id: string;
  municipality_code: string;
  fiscal_year: number;
  wish_limit: number;
  validity_kind: 'MONTHS' | 'END_OF_FISCAL_YEAR';
  validity_months: number | null;
  required_documents: RequiredDocuments;
}

export interface CycleRow {
  procedure_id: string;
  intake_month: string;
  has_intake: boolean;
  no_intake_reason: string | null;
  no_intake_reason_ja: string | null;
  opens_on: string | null;
  closes_on: string | null;
  out_of_area_closes_on: string | null;
  allocation_on: string | null;
  result_notice_on: string | null;
  entry_on: string;
}

/** The procedure of each code from the rows PROCEDURES_JSON_SQL / CYCLES_JSON_SQL returned (pure). */
export function proceduresFromRows(
  codes: readonly string[], intakeMonth: string, today: string, procedures: ProcedureRow[], cycles: CycleRow[],
): Map<string, ApplicationProcedure> {
  const fiscalYear = fiscalYearOf(intakeMonth);
  const years = procedureYears(intakeMonth, today);
  const result = new Map<string, ApplicationProcedure>();
  for (const code of codes) {
    const own = procedures.filter((p) => p.municipality_code === code);
    const current = own.find((p) => p.fiscal_year === fiscalYear);
    if (!current) {
      result.set(code, defaultProcedure(code, years));
      continue;
    }
    const ownCycles = own.flatMap((p) => cycles.filter((c) => c.procedure_id === p.id).map(toCycle));
    // A next fiscal year not stated yet is left out: its months are not open for applications anyway.
    result.set(code, {
      municipalityCode: code,
      cycles: ownCycles.sort((a, b) => a.intakeMonth.localeCompare(b.intakeMonth)),
      wishLimit: current.wish_limit,
      requiredDocuments: normaliseRequired(current.required_documents),
      validity: current.validity_kind === 'MONTHS' ? { kind: 'MONTHS', months: current.validity_months ?? 6 } : { kind: 'END_OF_FISCAL_YEAR' },
      source: 'PROCEDURE',
    });
  }
  return result;
}

function toCycle(row: CycleRow): IntakeCycle {
  return {
    intakeMonth: row.intake_month,
    hasIntake: row.has_intake,
    ...(row.no_intake_reason ? { noIntakeReason: row.no_intake_reason } : {}),
    ...(row.no_intake_reason_ja ? { noIntakeReasonJa: row.no_intake_reason_ja } : {}),
    opensOn: row.opens_on,
    closesOn: row.closes_on,
    outOfAreaClosesOn: row.out_of_area_closes_on,
    allocationOn: row.allocation_on,
    resultNoticeOn: row.result_notice_on,
    entryOn: row.entry_on,
  };
}

function normaliseRequired(value: Partial<RequiredDocuments> | null | undefined): RequiredDocuments {
  return { common: value?.common ?? DEFAULT_REQUIRED_DOCUMENTS.common, byReason: value?.byReason ?? {} };
}
