import { Inject, Injectable } from '@nestjs/common';
import { DataSource, EntityManager, In } from 'typeorm';
import type { AuthenticatedClient } from '../auth/current-client.decorator';
import { assertMunicipalityScope } from '../auth/scope';
import { CLOCK, Clock } from '../common/clock';
import { compare, YearMonth } from '../common/dates';
import { Errors } from '../common/errors';
import { canonicalJson } from '../common/idempotency';
import { FacilitiesService } from '../facilities/facilities.service';
import { assertMunicipalityCode } from '../municipalities/municipality-code';
import { MunicipalitiesService } from '../municipalities/municipalities.service';
import { DEFAULT_REQUIRED_DOCUMENTS, RequiredDocuments } from './care-reason';
import { classAgeInfo } from './class-age';
import { SetIntakeProcedureInput } from './dto/set-intake-procedure.input';
import { generateCalendar, IntakeCycle, IntakeException, IntakeRule, validateRule } from './intake-calendar';
import { ApplicationChannel, ApplicationValidityKind, IntakeCycleRow, IntakeProcedureRow } from './intake-procedure.entity';
import { japanDateOf } from '../common/dates';
import { fromIntakeRule, fromRequiredDocuments, toIntakeRule, toRequiredDocuments, withFieldPrefix } from './procedure-input';
import { mergeNewVersion, VersionedCycle } from './procedure-versioning';
import { ProcedureErrors } from './procedures.errors';
import { ClassAgeResult, IntakeCycle as IntakeCycleType, IntakeProcedure, SetIntakeProcedurePayload } from './procedures.types';

/** Everything a version stores, already validated; the cycles are what the rule generates before merging. */
export interface ProcedureSpec {
  municipalityCode: string;
  fiscalYear: number;
  rule: IntakeRule;
  exceptions: IntakeException[];
  wishLimit: number;
  validityKind: ApplicationValidityKind;
  validityMonths: number | null;
  requiredDocuments: RequiredDocuments;
  channels: ApplicationChannel[];
  outOfAreaNote: string | null;
  outOfAreaNoteJa: string | null;
  sourceUrl: string | null;
  changeNote: string | null;
  isDemo: boolean;
  generated: IntakeCycle[];
}

/** A stored version with its cycles, in month order. */
export interface StoredProcedure {
  row: IntakeProcedureRow;
  cycles: VersionedCycle[];
}

@Injectable()
export class ProceduresService {
  constructor(
    private readonly db: DataSource,
    private readonly municipalities: MunicipalitiesService,
    private readonly facilities: FacilitiesService,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** The current version, or null when the municipality has published none for that year. */
  async current(municipalityCode: string, fiscalYear: number): Promise<IntakeProcedure | null> {
    await this.existingMunicipality(municipalityCode, 'municipalityCode');
    const [stored] = await this.versions(this.db.manager, municipalityCode, fiscalYear, 1);
    return stored ? toIntakeProcedure(stored) : null;
  }

  /** The current version's twelve cycles; NO_INTAKE_PROCEDURE when none is published. */
  async calendar(municipalityCode: string, fiscalYear: number): Promise<IntakeCycleType[]> {
    const municipality = await this.existingMunicipality(municipalityCode, 'municipalityCode');
    const [stored] = await this.versions(this.db.manager, municipalityCode, fiscalYear, 1);
    if (!stored) throw ProcedureErrors.noProcedure(municipalityCode, municipality.name, fiscalYear, 'municipalityCode');
    return stored.cycles.map(toCycleType);
  }

  /** Every version, newest first, each with the dates it published. */
  async history(municipalityCode: string, fiscalYear: number): Promise<IntakeProcedure[]> {
    await this.existingMunicipality(municipalityCode, 'municipalityCode');
    return (await this.versions(this.db.manager, municipalityCode, fiscalYear)).map(toIntakeProcedure);
  }

  /** MUNICIPALITY clients set their own procedures, ADMIN any. Bad input stores nothing. */
  async setProcedure(input: SetIntakeProcedureInput, client: AuthenticatedClient): Promise<SetIntakeProcedurePayload> {
    assertMunicipalityCode('input.municipalityCode', input.municipalityCode);
    assertMunicipalityScope(client, input.municipalityCode, 'input.municipalityCode');
    const municipality = await this.existingMunicipality(input.municipalityCode, 'input.municipalityCode');
    if (municipality.isPrefecture) {
      throw Errors.badInput('input.municipalityCode', `${input.municipalityCode} is a prefecture; procedures belong to municipalities.`, `${input.municipalityCode} は都道府県のコードです。手続きは区市町村ごとに登録します。`);
    }
    const spec = specFromInput(input);
    const now = this.clock.now();
    return this.db.transaction((m) => this.writeVersion(m, spec, client.id, now));
  }

  /**
   * Stores the spec as the next version, unless it equals the current one. Months whose window had
   * opened keep their dates (see procedure-versioning.ts). Serialised per municipality and year, so
   * two concurrent changes cannot both become version n.
   */
  async writeVersion(m: EntityManager, spec: ProcedureSpec, createdBy: string | null, now: Date): Promise<SetIntakeProcedurePayload> {
    await m.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`intake_procedure:${spec.municipalityCode}:${spec.fiscalYear}`]);
    const [current] = await this.versions(m, spec.municipalityCode, spec.fiscalYear, 1);
    if (current && contentKey(current.row) === contentKey(spec)) {
      return { procedure: toIntakeProcedure(current), created: false, keptMonths: [], changedAfterOpeningMonths: [] };
    }
    const version = (current?.row.version ?? 0) + 1;
    const explicitMonths = new Map(spec.exceptions.map((exception, index) => [exception.intakeMonth, index]));
    const merged = mergeNewVersion({
      previous: current?.cycles ?? null,
      generated: spec.generated,
      explicitMonths,
      newVersion: version,
      today: japanDateOf(now),
      exceptionsField: 'input.exceptions',
    });
    const { generated: _generated, ...columns } = spec;
    const row = await m.save(m.create(IntakeProcedureRow, { ...columns, version, validFrom: now, createdBy }));
    await m.insert(
      IntakeCycleRow,
      merged.cycles.map((cycle) => ({
        procedureId: row.id,
        intakeMonth: cycle.intakeMonth,
        hasIntake: cycle.hasIntake,
        noIntakeReason: cycle.hasIntake ? null : cycle.noIntakeReason ?? null,
        noIntakeReasonJa: cycle.hasIntake ? null : cycle.noIntakeReasonJa ?? null,
        opensOn: cycle.opensOn,
        closesOn: cycle.closesOn,
        outOfAreaClosesOn: cycle.outOfAreaClosesOn,
        allocationOn: cycle.allocationOn,
        resultNoticeOn: cycle.resultNoticeOn,
        entryOn: cycle.entryOn,
        keptFromVersion: cycle.keptFromVersion,
        changedAfterOpening: cycle.changedAfterOpening,
      })),
    );
    const [stored] = await this.versions(m, spec.municipalityCode, spec.fiscalYear, 1);
    return { procedure: toIntakeProcedure(stored), created: true, keptMonths: merged.keptMonths, changedAfterOpeningMonths: merged.changedAfterOpeningMonths };
  }

  /**
   * The current version of each (municipality, fiscal year) in the range, for planning: three
   * queries whatever the number of municipalities.
   */
  async currentVersionsOf(codes: readonly string[], fromFiscalYear: number, toFiscalYear: number): Promise<StoredProcedure[]> {
    if (codes.length === 0) return [];
    const ids: { id: string }[] = await this.db.query(
      `SELECT DISTINCT ON (municipality_code, fiscal_year) id FROM intake_procedure
        WHERE municipality_code = ANY($1) AND fiscal_year BETWEEN $2 AND $3
        ORDER BY municipality_code, fiscal_year, version DESC`,
      [[...codes], fromFiscalYear, toFiscalYear],
    );
    return this.withCycles(this.db.manager, await this.db.manager.findBy(IntakeProcedureRow, { id: In(ids.map((r) => r.id)) }));
  }

  async classAge(birthDate: string, intakeMonth: string, facilityId: string | null): Promise<ClassAgeResult> {
    const facility = facilityId ? await this.facilities.findById(facilityId) : null;
    if (facilityId && !facility) throw Errors.notFound('Facility', facilityId, 'facilityId');
    const info = classAgeInfo(birthDate, intakeMonth, facility?.minimumAgeDays ?? null);
    const classAges = facility ? (await this.facilities.classAgesOf([facility.id])).map((c) => c.classAge) : null;
    return {
      ...info,
      facilityId: facility?.id ?? null,
      minimumAgeDays: facility?.minimumAgeDays ?? null,
      facilityTakesClassAge: classAges ? classAges.includes(info.classAge) : null,
    };
  }

  private async existingMunicipality(code: string, field: string) {
    assertMunicipalityCode(field, code);
    return this.municipalities.getByCode(code, field);
  }

  private async versions(m: EntityManager, municipalityCode: string, fiscalYear: number, limit?: number): Promise<StoredProcedure[]> {
    const rows = await m.find(IntakeProcedureRow, { where: { municipalityCode, fiscalYear }, order: { version: 'DESC' }, take: limit });
    return this.withCycles(m, rows);
  }

  private async withCycles(m: EntityManager, rows: IntakeProcedureRow[]): Promise<StoredProcedure[]> {
    if (rows.length === 0) return [];
    const cycles = await m.find(IntakeCycleRow, { where: { procedureId: In(rows.map((r) => r.id)) } });
    return rows.map((row) => ({
      row,
      cycles: cycles
        .filter((c) => c.procedureId === row.id)
        .sort((a, b) => compare(a.intakeMonth, b.intakeMonth))
        .map(toVersionedCycle),
    }));
  }
}

/** Validates and normalises an API input into a spec; throws naming the field, storing nothing. */
export function specFromInput(input: SetIntakeProcedureInput): ProcedureSpec {
  const rule = withFieldPrefix('input', () => {
    const domainRule = toIntakeRule('input.rule', input.rule);
    validateRule(domainRule);
    return domainRule;
  });
  const exceptions: IntakeException[] = (input.exceptions ?? []).map((exception) =>
    Object.fromEntries(Object.entries({ ...exception }).filter(([, value]) => value !== undefined)) as unknown as IntakeException,
  );
  const generated = withFieldPrefix('input', () => generateCalendar(rule, input.fiscalYear, exceptions));
  const { kind, months } = input.validity;
  if (kind === ApplicationValidityKind.MONTHS && (months === undefined || months === null)) {
    throw Errors.badInput('input.validity.months', 'validity.months is required when kind is MONTHS (e.g. 6).', 'kind が MONTHS の場合は validity.months（例: 6）を指定してください。');
  }
  if (kind !== ApplicationValidityKind.MONTHS && months !== undefined && months !== null) {
    throw Errors.badInput('input.validity.months', `validity.months is only for kind MONTHS; leave it out for ${kind}.`, `validity.months は kind が MONTHS の場合のみ指定できます（${kind} では省略してください）。`);
  }
  return {
    municipalityCode: input.municipalityCode,
    fiscalYear: input.fiscalYear,
    rule,
    exceptions,
    wishLimit: input.wishLimit,
    validityKind: kind,
    validityMonths: kind === ApplicationValidityKind.MONTHS ? (months as number) : null,
    requiredDocuments: input.requiredDocuments ? toRequiredDocuments('input.requiredDocuments', input.requiredDocuments) : DEFAULT_REQUIRED_DOCUMENTS,
    channels: [...new Set(input.channels)],
    outOfAreaNote: input.outOfAreaNote ?? null,
    outOfAreaNoteJa: input.outOfAreaNoteJa ?? null,
    sourceUrl: input.sourceUrl ?? null,
    changeNote: input.changeNote ?? null,
    isDemo: input.isDemo ?? false,
    generated,
  };
}

/** What makes two versions the same procedure (the change note is not part of it). */
function contentKey(p: Omit<ProcedureSpec, 'generated' | 'municipalityCode' | 'fiscalYear' | 'changeNote'>): string {
  return canonicalJson({
    rule: p.rule,
    exceptions: p.exceptions,
    wishLimit: p.wishLimit,
    validityKind: p.validityKind,
    validityMonths: p.validityMonths,
    requiredDocuments: p.requiredDocuments,
    channels: [...p.channels].sort(),
    outOfAreaNote: p.outOfAreaNote,
    outOfAreaNoteJa: p.outOfAreaNoteJa,
    sourceUrl: p.sourceUrl,
    isDemo: p.isDemo,
  });
}

function toVersionedCycle(row: IntakeCycleRow): VersionedCycle {
  return {
    intakeMonth: row.intakeMonth as YearMonth,
    hasIntake: row.hasIntake,
    ...(row.hasIntake ? {} : { noIntakeReason: row.noIntakeReason ?? undefined, noIntakeReasonJa: row.noIntakeReasonJa ?? undefined }),
    opensOn: row.opensOn,
    closesOn: row.closesOn,
    outOfAreaClosesOn: row.outOfAreaClosesOn,
    allocationOn: row.allocationOn,
    resultNoticeOn: row.resultNoticeOn,
    entryOn: row.entryOn,
    keptFromVersion: row.keptFromVersion,
    changedAfterOpening: row.changedAfterOpening,
  };
}

export function toCycleType(cycle: VersionedCycle): IntakeCycleType {
  return { ...cycle, noIntakeReason: cycle.noIntakeReason ?? null, noIntakeReasonJa: cycle.noIntakeReasonJa ?? null };
}

export function toIntakeProcedure({ row, cycles }: StoredProcedure): IntakeProcedure {
  const rule = fromIntakeRule(row.rule);
  const flat = (r: ReturnType<typeof fromIntakeRule>['opens'] | null | undefined) =>
    r ? { monthOffset: r.monthOffset ?? null, day: r.day ?? null, lastDayOfMonth: r.lastDayOfMonth ?? null, daysFromCloses: r.daysFromCloses ?? null, adjust: r.adjust } : null;
  return {
    id: row.id,
    municipalityCode: row.municipalityCode,
    fiscalYear: row.fiscalYear,
    version: row.version,
    rule: {
      opens: flat(rule.opens)!,
      closes: flat(rule.closes)!,
      outOfAreaCloses: flat(rule.outOfAreaCloses),
      allocationOn: flat(rule.allocationOn),
      resultNoticeOn: flat(rule.resultNoticeOn),
      noIntakeMonths: rule.noIntakeMonths ?? [],
    },
    exceptions: row.exceptions.map((e) => ({
      intakeMonth: e.intakeMonth,
      hasIntake: e.hasIntake ?? null,
      noIntakeReason: e.noIntakeReason ?? null,
      noIntakeReasonJa: e.noIntakeReasonJa ?? null,
      opensOn: e.opensOn ?? null,
      closesOn: e.closesOn ?? null,
      outOfAreaClosesOn: e.outOfAreaClosesOn ?? null,
      allocationOn: e.allocationOn ?? null,
      resultNoticeOn: e.resultNoticeOn ?? null,
    })),
    wishLimit: row.wishLimit,
    validity: { kind: row.validityKind, months: row.validityMonths },
    requiredDocuments: fromRequiredDocuments(row.requiredDocuments),
    channels: row.channels,
    outOfAreaNote: row.outOfAreaNote,
    outOfAreaNoteJa: row.outOfAreaNoteJa,
    sourceUrl: row.sourceUrl,
    changeNote: row.changeNote,
    isDemo: row.isDemo,
    validFrom: row.validFrom,
    createdBy: row.createdBy,
    cycles: cycles.map(toCycleType),
  };
}
