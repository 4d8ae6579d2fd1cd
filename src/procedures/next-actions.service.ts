import { Inject, Injectable } from '@nestjs/common';
import { CLOCK, Clock } from '../common/clock';
import { assertDate, assertYearMonth, monthOf } from '../common/dates';
import { Errors } from '../common/errors';
import { FacilitiesService } from '../facilities/facilities.service';
import { assertMunicipalityCode } from '../municipalities/municipality-code';
import { MunicipalitiesService } from '../municipalities/municipalities.service';
import { requiredDocumentsFor } from './care-reason';
import { fiscalYearOf } from './class-age';
import { earliestOpenCycle } from './intake-calendar';
import { japanDateOf } from '../common/dates';
import { NextActionsInput } from './dto/next-actions.input';
import { MunicipalityProcedures, planNextActions, WishedFacility } from './next-actions';
import { ProcedureErrors } from './procedures.errors';
import { ProceduresService, StoredProcedure, toCycleType } from './procedures.service';
import { NextActionsPlan } from './procedures.types';

/**
 * Loads what planNextActions needs from the database — the wished facilities with their class ages
 * and minimum age, the current procedures of the residence municipality and of each wished
 * facility's municipality — and maps the plan to the API. Nothing about the family is stored.
 */
@Injectable()
export class NextActionsService {
  constructor(
    private readonly procedures: ProceduresService,
    private readonly municipalities: MunicipalitiesService,
    private readonly facilities: FacilitiesService,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async plan(input: NextActionsInput): Promise<NextActionsPlan> {
    const today = input.today ?? japanDateOf(this.clock.now());
    assertDate('input.today', today);
    assertDate('input.birthDate', input.birthDate);
    if (input.desiredIntakeMonth != null) assertYearMonth('input.desiredIntakeMonth', input.desiredIntakeMonth);
    const residenceCode = input.residenceMunicipalityCode;
    assertMunicipalityCode('input.residenceMunicipalityCode', residenceCode);
    const residence = await this.municipalities.getByCode(residenceCode, 'input.residenceMunicipalityCode');
    if (!residence.participates) throw ProcedureErrors.notParticipating(residenceCode, residence.name, 'input.residenceMunicipalityCode');

    const facilityRows = await this.facilities.findByIds(input.wishedFacilityIds);
    const byId = new Map(facilityRows.map((f) => [f.id, f]));
    input.wishedFacilityIds.forEach((id, index) => {
      if (!byId.has(id)) throw Errors.notFound('Facility', id, `input.wishedFacilityIds[${index}]`);
    });
    const classAges = await this.facilities.classAgesOf(input.wishedFacilityIds);
    const wishedFacilities: WishedFacility[] = input.wishedFacilityIds.map((id) => {
      const facility = byId.get(id)!;
      return {
        id,
        name: facility.name,
        municipalityCode: facility.municipalityCode,
        classAgesTaken: classAges.filter((c) => c.facilityId === id).map((c) => c.classAge),
        minimumAgeDays: facility.minimumAgeDays,
        takesTourBookings: facility.takesTourBookings,
      };
    });

    // The current fiscal year and the next cover "the earliest month still open"; a desired month further ahead widens it.
    const fromFiscalYear = fiscalYearOf(monthOf(today));
    const toFiscalYear = Math.max(fromFiscalYear + 1, input.desiredIntakeMonth ? fiscalYearOf(input.desiredIntakeMonth) : 0);
    const codes = [...new Set([residenceCode, ...wishedFacilities.map((f) => f.municipalityCode)])];
    const [stored, municipalities] = await Promise.all([
      this.procedures.currentVersionsOf(codes, fromFiscalYear, toFiscalYear),
      this.municipalities.findByCodes(codes),
    ]);
    const residenceVersions = stored.filter((p) => p.row.municipalityCode === residenceCode);
    if (residenceVersions.length === 0) throw ProcedureErrors.noProcedure(residenceCode, residence.name, null, 'input.residenceMunicipalityCode');

    const outOfArea = wishedFacilities.some((f) => f.municipalityCode !== residenceCode);
    const proceduresByMunicipality: Record<string, MunicipalityProcedures> = {};
    for (const code of codes) {
      const versions = stored.filter((p) => p.row.municipalityCode === code).sort((a, b) => a.row.fiscalYear - b.row.fiscalYear);
      if (versions.length === 0) continue;
      const cycles = versions.flatMap((p) => p.cycles);
      const name = municipalities.find((m) => m.code === code)?.name ?? code;
      const governing = governingVersion(versions, input.desiredIntakeMonth ?? earliestOpenCycle(cycles, today, outOfArea)?.intakeMonth ?? null);
      proceduresByMunicipality[code] = { cycles, requiredDocuments: governing.row.requiredDocuments, wishLimit: governing.row.wishLimit, name: { en: name, ja: name } };
    }

    const plan = planNextActions({
      today,
      birthDate: input.birthDate,
      residenceMunicipalityCode: residenceCode,
      desiredIntakeMonth: input.desiredIntakeMonth ?? null,
      wishedFacilities,
      careReasons: input.careReasons,
      documentsPrepared: input.documentsPrepared,
      proceduresByMunicipality,
    });
    const residenceGoverning = governingVersion(residenceVersions, plan.intakeMonth);
    const cycle = residenceVersions.flatMap((p) => p.cycles).find((c) => c.intakeMonth === plan.intakeMonth);
    return {
      today,
      ...plan,
      cycle: cycle ? toCycleType(cycle) : null,
      requiredDocuments: requiredDocumentsFor(input.careReasons, residenceGoverning.row.requiredDocuments),
      wishLimit: residenceGoverning.row.wishLimit,
      applicationValidity: { kind: residenceGoverning.row.validityKind, months: residenceGoverning.row.validityMonths },
      actions: plan.actions.map((a) => ({ ...a, facilityId: a.facilityId ?? null, documentKind: a.documentKind ?? null, municipalityCode: a.municipalityCode ?? null })),
      warnings: plan.warnings.map((w) => ({ ...w, facilityId: w.facilityId ?? null })),
    };
  }
}

/** The version of the fiscal year the family is planning for (documents and wish limits can change per year). */
function governingVersion(versions: StoredProcedure[], intakeMonth: string | null): StoredProcedure {
  const fiscalYear = intakeMonth ? fiscalYearOf(intakeMonth) : null;
  return versions.find((p) => p.row.fiscalYear === fiscalYear) ?? versions[0];
}
