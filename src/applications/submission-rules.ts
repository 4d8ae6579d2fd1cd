/**
 * The checks an application must pass before anything is stored (pure: no Nest, no database, today
 * passed in). Each refusal has its own code and names the field as the partner sent it
 * ('input.wishes[1].facilityId'). The service loads the facts (facilities, municipalities, procedures)
 * and the duplicate-child check, which needs the database, stays in the service.
 *
 * Incomplete or refused (書類不足の扱い): when required documents are missing, a municipality that
 * accepts incomplete applications (municipality_delivery.accepts_incomplete) gets the application
 * marked incomplete with the missing documents named, so the family keeps its place in the month
 * and hands the papers in later; any other municipality refuses it with DOCUMENTS_MISSING.
 * The policy is the deciding (primary) municipality's, because it is the one that examines the papers.
 */
import { HubError, Errors, hubError } from '../common/errors';
import { compare, IsoDate, isRealDate } from '../common/dates';
import { CareReason, DOCUMENT_KIND_LABEL_JA, DocumentKind, requiredDocumentsFor } from '../procedures/care-reason';
import { classAgeInfo } from '../procedures/class-age';
import { deadlineOf, earliestOpenCycle, IntakeCycle } from '../procedures/intake-calendar';
import { computeValidUntil } from '../status/application-status';
import { ApplicationErrorCode as Code } from './applications.errors';
import type { ApplicationProcedure } from './procedure-lookup';
import { MunicipalityInfo, routeApplication, RoutingDecision } from './routing';
import type { SubmitApplicationInput } from './dto/submit-application.input';
import { ApplicationType } from './application.entity';

export interface FacilityFacts {
  id: string;
  name: string;
  municipalityCode: string;
  classAgesTaken: number[];
  minimumAgeDays: number | null;
}

export interface SubmissionFacts {
  /** Today in Japan, YYYY-MM-DD. */
  today: IsoDate;
  /** Every wished facility and the current facility that exist, by id. */
  facilities: ReadonlyMap<string, FacilityFacts>;
  /** Municipalities by code: residence, move-in destination and those of the wished facilities. */
  municipalities: Readonly<Record<string, MunicipalityInfo>>;
  /** Procedures of the municipalities that may decide (residence and move-in destination), by code. */
  procedures: ReadonlyMap<string, ApplicationProcedure>;
  /** Municipalities that accept incomplete applications. */
  acceptsIncomplete: ReadonlySet<string>;
}

export interface SubmissionVerdict {
  classAge: number;
  routing: RoutingDecision;
  wishes: Array<{ rank: number; facilityId: string; municipalityCode: string }>;
  missingDocuments: DocumentKind[];
  incomplete: boolean;
  validUntil: IsoDate;
}

/** Reasons whose details are free text the municipality needs (what illness, who is cared for, which school). */
const REASONS_NEEDING_DETAILS: readonly CareReason[] = [
  CareReason.ILLNESS_DISABILITY, CareReason.NURSING_CARE, CareReason.STUDY, CareReason.DISASTER_RECOVERY, CareReason.OTHER,
];

export function checkSubmission(input: SubmitApplicationInput, facts: SubmissionFacts): SubmissionVerdict {
  checkShape(input);
  checkReferences(input, facts);
  const routing = route(input, facts);
  const procedure = facts.procedures.get(routing.primaryMunicipalityCode);
  if (!procedure) {
    throw hubError('INTERNAL', `No procedure loaded for ${routing.primaryMunicipalityCode}.`, `${routing.primaryMunicipalityCode} の手続きが読み込まれていません。`);
  }
  const classAge = checkWishes(input, facts, procedure);
  checkDeadline(input, routing, procedure, facts.today);
  const missingDocuments = missingDocumentsOf(input, procedure);
  const acceptsIncomplete = facts.acceptsIncomplete.has(routing.primaryMunicipalityCode);
  if (missingDocuments.length > 0 && !acceptsIncomplete) {
    const names = missingDocuments.join(', ');
    const namesJa = missingDocuments.map((kind) => DOCUMENT_KIND_LABEL_JA[kind]).join('、');
    throw hubError(
      Code.DOCUMENTS_MISSING,
      `input.documents: these required documents are not listed: ${names}. This municipality does not accept incomplete applications; add them (a reference or an attachment each) and send again.`,
      `input.documents: 必要書類（${namesJa}）がありません。この自治体は書類が揃っていない申込みを受け付けません。各書類の参照または添付を加えて再送してください。`,
      { field: 'input.documents', details: { missingDocuments } },
    );
  }
  return {
    classAge,
    routing,
    wishes: input.wishes.map((w) => ({ rank: w.rank, facilityId: w.facilityId, municipalityCode: facts.facilities.get(w.facilityId)!.municipalityCode })),
    missingDocuments,
    incomplete: missingDocuments.length > 0,
    validUntil: computeValidUntil(input.intakeMonth, procedure.validity),
  };
}

/** Required documents (common + per guardian's reason) that no listed document covers, in a stable order. */
export function missingDocumentsOf(input: Pick<SubmitApplicationInput, 'guardians' | 'documents'>, procedure: Pick<ApplicationProcedure, 'requiredDocuments'>): DocumentKind[] {
  const provided = new Set((input.documents ?? []).map((d) => d.kind));
  return requiredDocumentsFor(input.guardians.map((g) => g.careReason), procedure.requiredDocuments).filter((kind) => !provided.has(kind));
}

function checkShape(input: SubmitApplicationInput): void {
  realDate('input.child.birthDate', input.child.birthDate);
  if (input.moveIn) realDate('input.moveIn.moveInDate', input.moveIn.moveInDate);
  input.siblings?.forEach((s, i) => realDate(`input.siblings[${i}].birthDate`, s.birthDate));

  input.guardians.forEach((g, i) => {
    const field = `input.guardians[${i}]`;
    if (g.careReason === CareReason.EMPLOYMENT && !g.employment) {
      throw Errors.badInput(`${field}.employment`, `${field}.employment is required for EMPLOYMENT (就労): employer, days per week, working hours.`,
        `${field}.employment は就労の場合に必須です（勤務先・週の勤務日数・勤務時間）。`);
    }
    if (g.employment && g.employment.startTime >= g.employment.endTime) {
      // Night shifts exist, but the form asks for the usual daytime hours the child needs care for.
      throw Errors.badInput(`${field}.employment.endTime`, `${field}.employment.endTime must be after startTime.`,
        `${field}.employment.endTime は startTime より後にしてください。`);
    }
    if (g.careReason === CareReason.PREGNANCY_CHILDBIRTH) {
      if (!g.expectedDeliveryDate) {
        throw Errors.badInput(`${field}.expectedDeliveryDate`, `${field}.expectedDeliveryDate is required for PREGNANCY_CHILDBIRTH (妊娠・出産).`,
          `${field}.expectedDeliveryDate は妊娠・出産の場合に必須です。`);
      }
    }
    if (g.expectedDeliveryDate) realDate(`${field}.expectedDeliveryDate`, g.expectedDeliveryDate);
    if (REASONS_NEEDING_DETAILS.includes(g.careReason) && !g.reasonDetails?.trim()) {
      throw Errors.badInput(`${field}.reasonDetails`, `${field}.reasonDetails is required for ${g.careReason}: say what the municipality needs to judge the need for care.`,
        `${field}.reasonDetails は ${g.careReason} の場合に必須です。保育の必要性の判断に必要な内容を記入してください。`);
    }
  });

  // Ranks are 1..n: a gap would make "第3希望" mean different things to the family and the municipality.
  const ranks = input.wishes.map((w) => w.rank);
  input.wishes.forEach((w, i) => {
    if (ranks.indexOf(w.rank) !== i || w.rank > input.wishes.length) {
      throw Errors.badInput(`input.wishes[${i}].rank`, `input.wishes[${i}].rank must be 1..${input.wishes.length}, each once; got ${w.rank}.`,
        `input.wishes[${i}].rank（希望順位）は 1〜${input.wishes.length} を1回ずつ指定してください（指定値: ${w.rank}）。`);
    }
  });
  const firstIndex = new Map<string, number>();
  input.wishes.forEach((w, i) => {
    const earlier = firstIndex.get(w.facilityId);
    if (earlier !== undefined) {
      throw hubError(
        Code.DUPLICATE_WISH,
        `input.wishes[${i}].facilityId: facility ${w.facilityId} is already wish ${input.wishes[earlier].rank}; list each facility once.`,
        `input.wishes[${i}].facilityId: 施設 ${w.facilityId} は第${input.wishes[earlier].rank}希望と重複しています。各施設は1回だけ指定してください。`,
        { field: `input.wishes[${i}].facilityId`, details: { facilityId: w.facilityId, ranks: [input.wishes[earlier].rank, w.rank] } },
      );
    }
    firstIndex.set(w.facilityId, i);
  });

  if (input.applicationType === ApplicationType.TRANSFER && !input.currentFacilityId) {
    throw Errors.badInput('input.currentFacilityId', 'input.currentFacilityId is required for a TRANSFER (転園): the facility the child attends now.',
      'input.currentFacilityId は転園の場合に必須です（現在通っている施設）。');
  }
  if (input.applicationType === ApplicationType.NEW && input.currentFacilityId) {
    throw Errors.badInput('input.currentFacilityId', 'input.currentFacilityId is only for a TRANSFER (転園); leave it out for a NEW application.',
      'input.currentFacilityId は転園の場合だけ指定します。新規の申込みでは指定しないでください。');
  }
  const currentAsWish = input.wishes.findIndex((w) => w.facilityId === input.currentFacilityId);
  if (input.currentFacilityId && currentAsWish >= 0) {
    throw Errors.badInput(`input.wishes[${currentAsWish}].facilityId`, `input.wishes[${currentAsWish}].facilityId is the facility the child already attends; a transfer wishes for other facilities.`,
      `input.wishes[${currentAsWish}].facilityId は現在通っている施設です。転園の希望には他の施設を指定してください。`);
  }

  input.documents?.forEach((d, i) => {
    if (!d.reference && !d.attachmentBase64) {
      throw Errors.badInput(`input.documents[${i}]`, `input.documents[${i}] needs a reference or an attachment (attachmentBase64).`,
        `input.documents[${i}] には参照（reference）または添付（attachmentBase64）が必要です。`);
    }
    if (d.attachmentBase64 && !d.attachmentContentType) {
      throw Errors.badInput(`input.documents[${i}].attachmentContentType`, `input.documents[${i}].attachmentContentType is required with an attachment (e.g. application/pdf).`,
        `input.documents[${i}].attachmentContentType は添付がある場合に必須です（例: application/pdf）。`);
    }
  });
}

function checkReferences(input: SubmitApplicationInput, facts: SubmissionFacts): void {
  input.wishes.forEach((w, i) => {
    if (!facts.facilities.has(w.facilityId)) throw Errors.notFound('Facility', w.facilityId, `input.wishes[${i}].facilityId`);
  });
  if (input.currentFacilityId && !facts.facilities.has(input.currentFacilityId)) {
    throw Errors.notFound('Facility', input.currentFacilityId, 'input.currentFacilityId');
  }
  if (!facts.municipalities[input.residenceMunicipalityCode]) {
    throw Errors.notFound('Municipality', input.residenceMunicipalityCode, 'input.residenceMunicipalityCode');
  }
  if (input.moveIn && !facts.municipalities[input.moveIn.municipalityCode]) {
    throw Errors.notFound('Municipality', input.moveIn.municipalityCode, 'input.moveIn.municipalityCode');
  }
}

function route(input: SubmitApplicationInput, facts: SubmissionFacts): RoutingDecision {
  try {
    return routeApplication({
      residence: facts.municipalities[input.residenceMunicipalityCode],
      moveIn: input.moveIn ? { municipality: facts.municipalities[input.moveIn.municipalityCode], moveInDate: input.moveIn.moveInDate } : undefined,
      wishes: input.wishes.map((w) => ({ rank: w.rank, facilityId: w.facilityId, municipalityCode: facts.facilities.get(w.facilityId)!.municipalityCode })),
      municipalities: facts.municipalities,
    });
  } catch (err) {
    // Routing names fields relative to the application; the API names them from the argument.
    if (err instanceof HubError && err.field && !err.field.startsWith('input.')) {
      throw new HubError(err.code, `input.${err.message}`, `input.${err.messageJa}`, `input.${err.field}`, err.details);
    }
    throw err;
  }
}

/** Class age in range, wish limit, and every wished facility takes the child that month. Returns the class age. */
function checkWishes(input: SubmitApplicationInput, facts: SubmissionFacts, procedure: ApplicationProcedure): number {
  if (input.wishes.length > procedure.wishLimit) {
    throw hubError(
      Code.TOO_MANY_WISHES,
      `input.wishes lists ${input.wishes.length} facilities; municipality ${procedure.municipalityCode} takes at most ${procedure.wishLimit}.`,
      `input.wishes に ${input.wishes.length} 施設が指定されていますが、自治体 ${procedure.municipalityCode} の上限は ${procedure.wishLimit} 施設です。`,
      { field: 'input.wishes', details: { count: input.wishes.length, limit: procedure.wishLimit } },
    );
  }
  const base = classAgeInfo(input.child.birthDate, input.intakeMonth, null);
  if (!base.inDaycareRange) {
    throw hubError(
      Code.CHILD_AGE_OUT_OF_RANGE,
      `input.child.birthDate: for intake ${input.intakeMonth} the child's class age (クラス年齢) would be ${base.classAge}; daycare takes classes 0 to 5 and a child born by the entry day.`,
      `input.child.birthDate: ${input.intakeMonth} 入所ではクラス年齢が ${base.classAge} になります。保育施設は0〜5歳児クラスで、入所日までに生まれている子どもが対象です。`,
      { field: 'input.child.birthDate', details: { classAge: base.classAge, intakeMonth: input.intakeMonth } },
    );
  }
  input.wishes.forEach((w, i) => {
    const facility = facts.facilities.get(w.facilityId)!;
    const field = `input.wishes[${i}].facilityId`;
    if (!facility.classAgesTaken.includes(base.classAge)) {
      throw hubError(
        Code.WISH_CLASS_AGE_NOT_TAKEN,
        `${field}: ${facility.name} (wish ${w.rank}) does not take the ${base.classAge}-year class (${base.classAge}歳児クラス), which the child is in for intake ${input.intakeMonth}; it takes ${facility.classAgesTaken.join(', ') || 'no class'}.`,
        `${field}: 第${w.rank}希望の${facility.name}は、${input.intakeMonth} 入所でお子さまが入る${base.classAge}歳児クラスを受け入れていません（受入: ${facility.classAgesTaken.map((a) => `${a}歳児`).join('・') || 'なし'}）。`,
        { field, details: { facilityId: facility.id, facilityName: facility.name, classAge: base.classAge, classAgesTaken: facility.classAgesTaken } },
      );
    }
    const info = classAgeInfo(input.child.birthDate, input.intakeMonth, facility.minimumAgeDays);
    if (!info.reachedMinimumAge) {
      throw hubError(
        Code.WISH_MINIMUM_AGE_NOT_REACHED,
        `${field}: ${facility.name} (wish ${w.rank}) takes children from ${facility.minimumAgeDays} days old; the child reaches that on ${info.minimumAgeReachedOn}, after the entry day ${info.entryDate}.`,
        `${field}: 第${w.rank}希望の${facility.name}は生後${facility.minimumAgeDays}日から受け入れます。お子さまがその日齢になるのは${info.minimumAgeReachedOn}で、入所日（${info.entryDate}）より後です。`,
        { field, details: { facilityId: facility.id, facilityName: facility.name, minimumAgeDays: facility.minimumAgeDays, reachedOn: info.minimumAgeReachedOn } },
      );
    }
  });
  return base.classAge;
}

function checkDeadline(input: SubmitApplicationInput, routing: RoutingDecision, procedure: ApplicationProcedure, today: IsoDate): void {
  const { outOfArea } = routing;
  const cycle = procedure.cycles.find((c) => c.intakeMonth === input.intakeMonth);
  const open = earliestOpenCycle(procedure.cycles, today, outOfArea);
  const openDetails = { earliestOpenMonth: open?.intakeMonth ?? null, earliestOpenDeadline: open ? deadlineOf(open, outOfArea) : null };
  const openEn = open ? `The earliest month still open is ${open.intakeMonth} (deadline ${deadlineOf(open, outOfArea)}).` : 'No later month is open for applications yet.';
  const openJa = open ? `申込みできる最も早い月は ${open.intakeMonth}（締切 ${deadlineOf(open, outOfArea)}）です。` : '現在申込みを受け付けている月はまだありません。';
  if (!cycle || !cycle.hasIntake) {
    throw hubError(
      Code.NO_INTAKE_IN_MONTH,
      `input.intakeMonth: municipality ${procedure.municipalityCode} has no intake in ${input.intakeMonth}${cycle?.noIntakeReason ? ` (${cycle.noIntakeReason})` : ''}. ${openEn}`,
      `input.intakeMonth: 自治体 ${procedure.municipalityCode} は ${input.intakeMonth} の入所を行いません${cycle?.noIntakeReasonJa ? `（${cycle.noIntakeReasonJa}）` : ''}。${openJa}`,
      { field: 'input.intakeMonth', details: { intakeMonth: input.intakeMonth, ...openDetails } },
    );
  }
  const deadline = deadlineOf(cycle, outOfArea)!;
  if (compare(today, deadline) > 0) {
    const which = outOfArea ? 'out-of-area (管外) deadline' : 'deadline';
    throw hubError(
      Code.DEADLINE_PASSED,
      `input.intakeMonth: the ${which} for intake ${input.intakeMonth} was ${deadline}. ${openEn}`,
      `input.intakeMonth: ${input.intakeMonth} 入所の${outOfArea ? '管外申込みの' : ''}締切（${deadline}）を過ぎています。${openJa}`,
      { field: 'input.intakeMonth', details: { intakeMonth: input.intakeMonth, deadline, outOfArea, ...openDetails } },
    );
  }
  if (isOpening(cycle) && compare(today, cycle.opensOn!) < 0) {
    throw hubError(
      Code.APPLICATION_WINDOW_NOT_OPEN,
      `input.intakeMonth: applications for intake ${input.intakeMonth} open on ${cycle.opensOn}. ${openEn}`,
      `input.intakeMonth: ${input.intakeMonth} 入所の申込受付は ${cycle.opensOn} からです。${openJa}`,
      { field: 'input.intakeMonth', details: { intakeMonth: input.intakeMonth, opensOn: cycle.opensOn, ...openDetails } },
    );
  }
}

function isOpening(cycle: IntakeCycle): boolean {
  return cycle.opensOn !== null;
}

function realDate(field: string, value: string): void {
  if (!isRealDate(value)) {
    throw Errors.badInput(field, `${field} is not a real date: ${value}.`, `${field} は存在しない日付です（${value}）。`, { value });
  }
}
