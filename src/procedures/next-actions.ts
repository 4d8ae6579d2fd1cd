/**
 * The "what to do now" planner (次にやること). Given a family's situation and the procedures of the
 * municipalities involved, it picks the intake month, works out the deadline that applies, and lists
 * every step with a due date, in English and Japanese. Facilities that cannot take the child are
 * pointed out in warnings, never silently dropped.
 */
import { hubError, CommonCode } from '../common/errors';
import { addDays, assertDate, assertYearMonth, compare, IsoDate, maxDate, YearMonth } from '../common/dates';
import { CareReason, DOCUMENT_KIND_LABEL_EN, DOCUMENT_KIND_LABEL_JA, DocumentKind, RequiredDocuments, requiredDocumentsFor } from './care-reason';
import { classAgeInfo, MAX_DAYCARE_CLASS_AGE } from './class-age';
import { deadlineOf, IntakeCycle, isStillOpen } from './intake-calendar';
import { addWorkingDays } from './holidays';

/** In the order they are listed when due the same day: choosing the month comes first, waiting last. */
export const NEXT_ACTION_KINDS = ['CHOOSE_ANOTHER_MONTH', 'BOOK_TOUR', 'PREPARE_DOCUMENT', 'SUBMIT_APPLICATION', 'WAIT_FOR_RESULT'] as const;
export type NextActionKind = (typeof NEXT_ACTION_KINDS)[number];

export const PLAN_WARNING_KINDS = [
  'DESIRED_MONTH_UNAVAILABLE',
  'NO_OPEN_INTAKE',
  'CHILD_NOT_YET_BORN',
  'CHILD_NOT_BORN_BY_ENTRY',
  'CHILD_OVER_DAYCARE_AGE',
  'FACILITY_DOES_NOT_TAKE_CLASS_AGE',
  'FACILITY_MINIMUM_AGE_NOT_REACHED',
  'FACILITY_MUNICIPALITY_NO_INTAKE',
  'TOO_MANY_WISHES',
  'NO_WISHED_FACILITIES',
  'NO_CARE_REASON',
] as const;
export type PlanWarningKind = (typeof PLAN_WARNING_KINDS)[number];

/** Tours fill up and must happen before the papers are final, so they are due this many working days before the deadline. */
export const TOUR_LEAD_WORKING_DAYS = 5;
/** Documents are due a little before the deadline so that a missing signature can still be fixed. */
export const DOCUMENT_LEAD_WORKING_DAYS = 2;

export interface WishedFacility {
  id: string;
  name: string;
  municipalityCode: string;
  classAgesTaken: number[];
  minimumAgeDays: number | null;
  takesTourBookings: boolean;
}

export interface MunicipalityProcedures {
  cycles: IntakeCycle[];
  requiredDocuments: RequiredDocuments;
  /** How many facilities one application may list (希望施設数の上限). */
  wishLimit: number;
  /** Used in texts when given; otherwise the municipality code is shown. */
  name?: { en: string; ja: string };
}

export interface PlanInput {
  today: IsoDate;
  birthDate: IsoDate;
  residenceMunicipalityCode: string;
  /** null or absent: the earliest month still open. */
  desiredIntakeMonth?: YearMonth | null;
  wishedFacilities: WishedFacility[];
  careReasons: CareReason[];
  documentsPrepared: DocumentKind[];
  proceduresByMunicipality: Record<string, MunicipalityProcedures>;
}

export interface NextAction {
  kind: NextActionKind;
  dueDate: IsoDate;
  textEn: string;
  textJa: string;
  facilityId?: string;
  documentKind?: DocumentKind;
  municipalityCode?: string;
}

export interface PlanWarning {
  kind: PlanWarningKind;
  facilityId?: string;
  textEn: string;
  textJa: string;
}

export interface NextActionsPlan {
  /** null when no month with an open deadline is published. */
  intakeMonth: YearMonth | null;
  classAge: number | null;
  /** The deadline that applies: the 管外 one when any wish is outside the residence municipality. */
  deadline: IsoDate | null;
  outOfArea: boolean;
  actions: NextAction[];
  warnings: PlanWarning[];
}

export function planNextActions(input: PlanInput): NextActionsPlan {
  const { today, birthDate, residenceMunicipalityCode: residenceCode } = input;
  assertDate('today', today);
  assertDate('birthDate', birthDate);
  if (input.desiredIntakeMonth != null) assertYearMonth('desiredIntakeMonth', input.desiredIntakeMonth);
  const residence = input.proceduresByMunicipality[residenceCode];
  if (!residence) {
    throw hubError(
      CommonCode.NOT_FOUND,
      `No intake procedures are published for municipality ${residenceCode}, so no plan can be made yet.`,
      `自治体 ${residenceCode} の入所手続きが登録されていないため、計画を作成できません。`,
      { field: 'residenceMunicipalityCode', details: { municipalityCode: residenceCode } },
    );
  }

  const warnings: PlanWarning[] = [];
  const actions: NextAction[] = [];
  const outOfArea = input.wishedFacilities.some((facility) => facility.municipalityCode !== residenceCode);
  const residenceName = municipalityName(input, residenceCode);

  if (compare(birthDate, today) > 0) {
    warnings.push({
      kind: 'CHILD_NOT_YET_BORN',
      textEn: `The plan uses the expected birth date ${birthDate}. Many municipalities accept an application only after the birth is registered; check with ${residenceName.en}.`,
      textJa: `出産予定日 ${birthDate} で計画しています。多くの自治体では出生届の後でなければ申し込めません。${residenceName.ja}に確認してください。`,
    });
  }
  if (input.wishedFacilities.length === 0) {
    warnings.push({
      kind: 'NO_WISHED_FACILITIES',
      textEn: 'No facility is listed yet: add the facilities you wish for before applying.',
      textJa: '希望施設がまだありません。申し込む前に希望施設を追加してください。',
    });
  }
  if (input.wishedFacilities.length > residence.wishLimit) {
    warnings.push({
      kind: 'TOO_MANY_WISHES',
      textEn: `${residenceName.en} accepts at most ${residence.wishLimit} facilities per application; you listed ${input.wishedFacilities.length}. Keep the ones you want most.`,
      textJa: `${residenceName.ja}では1回の申込みで希望できる施設は${residence.wishLimit}か所までです（現在${input.wishedFacilities.length}か所）。優先度の高い施設に絞ってください。`,
    });
  }
  if (input.careReasons.length === 0) {
    warnings.push({
      kind: 'NO_CARE_REASON',
      textEn: 'No reason for care (such as employment) is given, so only the common documents are listed. Add the reason for each guardian.',
      textJa: '保育を必要とする事由（就労など）が未入力のため、共通書類のみ表示しています。保護者ごとの事由を入力してください。',
    });
  }

  const cycle = chooseCycle(input, residence, outOfArea, warnings, actions);
  if (!cycle) {
    return { intakeMonth: null, classAge: null, deadline: null, outOfArea, actions: sortActions(actions), warnings };
  }
  // chooseCycle only returns cycles with an intake and a deadline.
  const deadline = deadlineOf(cycle, outOfArea) as IsoDate;
  const child = classAgeInfo(birthDate, cycle.intakeMonth, null);

  if (child.classAge < 0) {
    warnings.push({
      kind: 'CHILD_NOT_BORN_BY_ENTRY',
      textEn: `The child will not be born by the entry date ${cycle.entryOn}. Choose an intake month after the birth.`,
      textJa: `入所日 ${cycle.entryOn} の時点でお子さんはまだ生まれていません。出生後の入所月を選んでください。`,
    });
  } else if (child.classAge > MAX_DAYCARE_CLASS_AGE) {
    warnings.push({
      kind: 'CHILD_OVER_DAYCARE_AGE',
      textEn: `In fiscal year ${child.fiscalYear} the child is of school age (class age ${child.classAge}); daycare takes class ages 0 to 5 only.`,
      textJa: `${child.fiscalYear}年度のお子さんは就学年齢（${child.classAge}歳児クラス相当）です。保育施設は0〜5歳児クラスのみが対象です。`,
    });
  }

  const eligibleFacilities = input.wishedFacilities.filter((facility) => {
    const facilityWarning = checkFacility(facility, input, cycle);
    if (facilityWarning) warnings.push(facilityWarning);
    // A wish that cannot work for this month gets a warning instead of a tour.
    return !facilityWarning;
  });

  const notBefore = (date: IsoDate) => maxDate(date, today);
  for (const facility of eligibleFacilities.filter((f) => f.takesTourBookings)) {
    const dueDate = notBefore(addWorkingDays(deadline, -TOUR_LEAD_WORKING_DAYS));
    actions.push({
      kind: 'BOOK_TOUR',
      dueDate,
      facilityId: facility.id,
      textEn: `Book a tour of ${facility.name} and visit by ${dueDate}, so that you can still change your wishes before the deadline ${deadline}.`,
      textJa: `${facility.name}の見学を予約し、${dueDate}までに見学しましょう（締切 ${deadline} までに希望を見直せるように）。`,
    });
  }

  const prepared = new Set(input.documentsPrepared);
  const documentsDue = notBefore(addWorkingDays(deadline, -DOCUMENT_LEAD_WORKING_DAYS));
  for (const documentKind of requiredDocumentsFor(input.careReasons, residence.requiredDocuments)) {
    if (prepared.has(documentKind)) continue;
    actions.push({
      kind: 'PREPARE_DOCUMENT',
      dueDate: documentsDue,
      documentKind,
      municipalityCode: residenceCode,
      textEn: `Prepare the ${DOCUMENT_KIND_LABEL_EN[documentKind].toLowerCase()} by ${documentsDue}.`,
      textJa: `${DOCUMENT_KIND_LABEL_JA[documentKind]}を${documentsDue}までに用意しましょう。`,
    });
  }

  actions.push({
    kind: 'SUBMIT_APPLICATION',
    dueDate: deadline,
    municipalityCode: residenceCode,
    textEn: outOfArea
      ? `Submit the application for the ${cycle.intakeMonth} intake to ${residenceName.en} by ${deadline}. This is the earlier deadline for facilities in other municipalities (管外); your municipality forwards the application.`
      : `Submit the application for the ${cycle.intakeMonth} intake to ${residenceName.en} by ${deadline}.`,
    textJa: outOfArea
      ? `${cycle.intakeMonth}入所の申込書を${deadline}までに${residenceName.ja}へ提出してください。他の自治体の施設（管外）を希望しているため、通常より早い締切です。お住まいの自治体から施設のある自治体へ送られます。`
      : `${cycle.intakeMonth}入所の申込書を${deadline}までに${residenceName.ja}へ提出してください。`,
  });

  const resultDate = cycle.resultNoticeOn ?? cycle.allocationOn ?? addDays(cycle.entryOn, -1);
  const resultDateKnown = cycle.resultNoticeOn !== null;
  actions.push({
    kind: 'WAIT_FOR_RESULT',
    dueDate: notBefore(resultDate),
    municipalityCode: residenceCode,
    textEn: resultDateKnown
      ? `Wait for the result from ${residenceName.en}, due on ${resultDate}.`
      : `Wait for the result from ${residenceName.en}; it comes before the entry date ${cycle.entryOn}.`,
    textJa: resultDateKnown
      ? `${residenceName.ja}からの結果通知（${resultDate}予定）を待ちましょう。`
      : `${residenceName.ja}からの結果通知を待ちましょう。入所日 ${cycle.entryOn} より前に届きます。`,
  });

  return { intakeMonth: cycle.intakeMonth, classAge: child.classAge, deadline, outOfArea, actions: sortActions(actions), warnings };
}

/**
 * The desired month if it is still open, otherwise the first open month at or after it (or the
 * earliest open month when none was desired). Says why when it moves the family to another month.
 */
function chooseCycle(
  input: PlanInput,
  residence: MunicipalityProcedures,
  outOfArea: boolean,
  warnings: PlanWarning[],
  actions: NextAction[],
): IntakeCycle | null {
  const { today, desiredIntakeMonth } = input;
  const residenceName = municipalityName(input, input.residenceMunicipalityCode);
  const inMonthOrder = [...residence.cycles].sort((a, b) => compare(a.intakeMonth, b.intakeMonth));
  const open = inMonthOrder.filter(
    (cycle) => cycle.hasIntake && isStillOpen(cycle, today, outOfArea) && (desiredIntakeMonth == null || compare(cycle.intakeMonth, desiredIntakeMonth) >= 0),
  );
  const chosen = open[0] ?? null;

  if (desiredIntakeMonth != null && chosen?.intakeMonth !== desiredIntakeMonth) {
    const desired = inMonthOrder.find((cycle) => cycle.intakeMonth === desiredIntakeMonth);
    const why = whyUnavailable(desired, desiredIntakeMonth, today, outOfArea, residenceName);
    const instead = chosen
      ? {
          en: ` The plan uses ${chosen.intakeMonth} instead (deadline ${deadlineOf(chosen, outOfArea)}); choose another month if that does not suit you.`,
          ja: `代わりに${chosen.intakeMonth}入所（締切 ${deadlineOf(chosen, outOfArea)}）で計画しています。都合が合わなければ別の月を選んでください。`,
        }
      : { en: ' No later month is open yet.', ja: 'これ以降に受付中の月はまだありません。' };
    warnings.push({ kind: 'DESIRED_MONTH_UNAVAILABLE', textEn: why.en + instead.en, textJa: why.ja + instead.ja });
    actions.push({ kind: 'CHOOSE_ANOTHER_MONTH', dueDate: today, municipalityCode: input.residenceMunicipalityCode, textEn: why.en + instead.en, textJa: why.ja + instead.ja });
  }

  if (!chosen) {
    const text = {
      en: `${residenceName.en} has not published an intake month whose deadline is still ahead. Check again when the next calendar is out, or ask the municipality.`,
      ja: `${residenceName.ja}では、締切前の入所月がまだ公表されていません。次のスケジュールの公表後に確認するか、自治体に問い合わせてください。`,
    };
    warnings.push({ kind: 'NO_OPEN_INTAKE', textEn: text.en, textJa: text.ja });
    if (desiredIntakeMonth == null) {
      actions.push({ kind: 'CHOOSE_ANOTHER_MONTH', dueDate: today, municipalityCode: input.residenceMunicipalityCode, textEn: text.en, textJa: text.ja });
    }
  }
  return chosen;
}

function whyUnavailable(
  desired: IntakeCycle | undefined,
  month: YearMonth,
  today: IsoDate,
  outOfArea: boolean,
  residenceName: { en: string; ja: string },
): { en: string; ja: string } {
  if (!desired) {
    return {
      en: `${residenceName.en} has not published a schedule for the ${month} intake.`,
      ja: `${residenceName.ja}は${month}入所のスケジュールをまだ公表していません。`,
    };
  }
  if (!desired.hasIntake) {
    return {
      en: `There is no intake in ${month}: ${withoutFinalStop(desired.noIntakeReason ?? 'the municipality takes no children that month')}.`,
      ja: `${month}は入所がありません（${withoutFinalStop(desired.noIntakeReasonJa ?? 'この月の受入れはありません')}）。`,
    };
  }
  const deadline = deadlineOf(desired, outOfArea);
  const which = outOfArea ? { en: ' for facilities in other municipalities (管外)', ja: '管外の' } : { en: '', ja: '' };
  return compare(today, deadline as IsoDate) > 0
    ? { en: `The ${month} intake deadline${which.en} passed on ${deadline}.`, ja: `${month}入所の${which.ja}締切（${deadline}）は過ぎています。` }
    : { en: `The ${month} intake is not open.`, ja: `${month}入所は受付していません。` };
}

/** A warning when the facility cannot take the child for this intake, or its municipality has no intake that month. */
function checkFacility(facility: WishedFacility, input: PlanInput, cycle: IntakeCycle): PlanWarning | null {
  const child = classAgeInfo(input.birthDate, cycle.intakeMonth, facility.minimumAgeDays);
  if (child.inDaycareRange && !facility.classAgesTaken.includes(child.classAge)) {
    const taken = [...facility.classAgesTaken].sort((a, b) => a - b);
    return {
      kind: 'FACILITY_DOES_NOT_TAKE_CLASS_AGE',
      facilityId: facility.id,
      textEn: `${facility.name} does not take class age ${child.classAge} for the ${cycle.intakeMonth} intake (it takes ${taken.join(', ') || 'none'}). No tour is suggested; consider another facility.`,
      textJa: `${facility.name}は${cycle.intakeMonth}入所で${child.classAge}歳児クラスを受け入れていません（受入れ: ${taken.map((age) => `${age}歳児`).join('・') || 'なし'}）。見学の提案はしていません。他の施設も検討してください。`,
    };
  }
  if (child.inDaycareRange && !child.reachedMinimumAge && child.minimumAgeReachedOn) {
    return {
      kind: 'FACILITY_MINIMUM_AGE_NOT_REACHED',
      facilityId: facility.id,
      textEn: `${facility.name} takes children from ${facility.minimumAgeDays} days old; the child reaches that on ${child.minimumAgeReachedOn}, after the entry date ${cycle.entryOn}. No tour is suggested for this month.`,
      textJa: `${facility.name}の受入れは生後${facility.minimumAgeDays}日からです。お子さんがその日齢に達するのは${child.minimumAgeReachedOn}で、入所日 ${cycle.entryOn} に間に合いません。この月の見学の提案はしていません。`,
    };
  }
  const facilityMunicipality = input.proceduresByMunicipality[facility.municipalityCode];
  const facilityCycle = facilityMunicipality?.cycles.find((c) => c.intakeMonth === cycle.intakeMonth);
  if (facility.municipalityCode !== input.residenceMunicipalityCode && facilityCycle && !facilityCycle.hasIntake) {
    const name = municipalityName(input, facility.municipalityCode);
    return {
      kind: 'FACILITY_MUNICIPALITY_NO_INTAKE',
      facilityId: facility.id,
      textEn: `${facility.name} is in ${name.en}, which has no intake in ${cycle.intakeMonth}${facilityCycle.noIntakeReason ? `: ${withoutFinalStop(facilityCycle.noIntakeReason)}` : ''}. No tour is suggested for this month.`,
      textJa: `${facility.name}のある${name.ja}は${cycle.intakeMonth}の入所がありません${facilityCycle.noIntakeReasonJa ? `（${withoutFinalStop(facilityCycle.noIntakeReasonJa)}）` : ''}。この月の見学の提案はしていません。`,
    };
  }
  return null;
}

/** Municipalities write reasons as sentences; the texts here add their own full stop. */
function withoutFinalStop(text: string): string {
  return text.trim().replace(/[.。]$/, '');
}

function municipalityName(input: PlanInput, code: string): { en: string; ja: string } {
  return input.proceduresByMunicipality[code]?.name ?? { en: `municipality ${code}`, ja: `自治体（${code}）` };
}

/** By due date, then by the fixed kind order; ties keep the order they were added in (wishes, documents). */
function sortActions(actions: NextAction[]): NextAction[] {
  return actions
    .map((action, index) => ({ action, index }))
    .sort(
      (a, b) =>
        compare(a.action.dueDate, b.action.dueDate) ||
        NEXT_ACTION_KINDS.indexOf(a.action.kind) - NEXT_ACTION_KINDS.indexOf(b.action.kind) ||
        a.index - b.index,
    )
    .map(({ action }) => action);
}
