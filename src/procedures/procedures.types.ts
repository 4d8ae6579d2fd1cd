/**
 * GraphQL output types of procedures and planning. The stored rows hold rules as jsonb in the
 * domain's shape; these are the API's documented shape, so they are separate classes.
 */
import { Field, ID, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { CareReason, DocumentKind } from './care-reason';
import { DAY_ADJUSTMENTS } from './intake-calendar';
import { ApplicationChannel, ApplicationValidityKind } from './intake-procedure.entity';
import { NEXT_ACTION_KINDS, PLAN_WARNING_KINDS } from './next-actions';

const enumOf = <T extends readonly string[]>(values: T) => Object.fromEntries(values.map((value) => [value, value])) as { [K in T[number]]: K };

export const DayAdjustmentEnum = enumOf(DAY_ADJUSTMENTS);
export const NextActionKindEnum = enumOf(NEXT_ACTION_KINDS);
export const PlanWarningKindEnum = enumOf(PLAN_WARNING_KINDS);

registerEnumType(CareReason, {
  name: 'CareReason',
  description: '保育を必要とする事由: why a child needs care (就労, 求職, 妊娠・出産, 疾病・障害, 介護・看護, 就学, 災害復旧, その他).',
});
registerEnumType(DocumentKind, { name: 'DocumentKind', description: 'A document handed in with a daycare application (申込書類).' });
registerEnumType(DayAdjustmentEnum, {
  name: 'DayAdjustment',
  description: 'What happens when a computed day is not a working day of the municipal office (weekend, 祝日, 年末年始).',
});
registerEnumType(ApplicationValidityKind, {
  name: 'ApplicationValidityKind',
  description: 'How long an application stays valid after a month without a place (保留): a number of months, or to the end of the fiscal year.',
});
registerEnumType(ApplicationChannel, { name: 'ApplicationChannel', description: 'How the municipality accepts applications (申込方法).' });
registerEnumType(NextActionKindEnum, {
  name: 'NextActionKind',
  description: 'Stable kind of a next action (次にやること); listed in this order when due the same day.',
});
registerEnumType(PlanWarningKindEnum, { name: 'PlanWarningKind', description: 'Why a plan needs the family’s attention (a wish that cannot work, a month that moved, …).' });

@ObjectType({
  description:
    'A day of the schedule, stated once as a rule: either a day of a month relative to the intake month (monthOffset + day or lastDayOfMonth), or a number of calendar days from the closing day (daysFromCloses).',
})
export class DayRule {
  @Field(() => Int, { nullable: true, description: 'Months from the intake month: -1 is the month before.' }) monthOffset: number | null;
  @Field(() => Int, { nullable: true, description: 'Day of that month, 1–31 (clamped to the month’s end).' }) day: number | null;
  @Field(() => Boolean, { nullable: true, description: 'The last day of that month, instead of day.' }) lastDayOfMonth: boolean | null;
  @Field(() => Int, { nullable: true, description: 'Calendar days from the closing day (-7: a week earlier).' }) daysFromCloses: number | null;
  @Field(() => DayAdjustmentEnum) adjust: string;
}

@ObjectType({ description: 'A calendar month with no intake, and why (families read the reason).' })
export class NoIntakeMonth {
  @Field(() => Int, { description: 'Calendar month 1–12.' }) month: number;
  @Field() reason: string;
  @Field() reasonJa: string;
}

@ObjectType({ description: 'The rule a municipality states once; the twelve cycles of a fiscal year are generated from it.' })
export class IntakeRuleType {
  @Field(() => DayRule, { description: '受付開始: the window opens.' }) opens: DayRule;
  @Field(() => DayRule, { description: '申込締切: the deadline.' }) closes: DayRule;
  @Field(() => DayRule, { nullable: true, description: '管外締切: deadline for wishes in another municipality (the ordinary one when null).' }) outOfAreaCloses: DayRule | null;
  @Field(() => DayRule, { nullable: true, description: '利用調整: the allocation meeting.' }) allocationOn: DayRule | null;
  @Field(() => DayRule, { nullable: true, description: '結果通知: the result notice.' }) resultNoticeOn: DayRule | null;
  @Field(() => [NoIntakeMonth]) noIntakeMonths: NoIntakeMonth[];
}

@ObjectType({ description: 'A per-month override of the rule; dates left null come from the rule.' })
export class IntakeExceptionType {
  @Field({ description: 'YYYY-MM' }) intakeMonth: string;
  @Field(() => Boolean, { nullable: true }) hasIntake: boolean | null;
  @Field(() => String, { nullable: true }) noIntakeReason: string | null;
  @Field(() => String, { nullable: true }) noIntakeReasonJa: string | null;
  @Field(() => String, { nullable: true, description: 'YYYY-MM-DD' }) opensOn: string | null;
  @Field(() => String, { nullable: true, description: 'YYYY-MM-DD' }) closesOn: string | null;
  @Field(() => String, { nullable: true, description: 'YYYY-MM-DD' }) outOfAreaClosesOn: string | null;
  @Field(() => String, { nullable: true, description: 'YYYY-MM-DD' }) allocationOn: string | null;
  @Field(() => String, { nullable: true, description: 'YYYY-MM-DD' }) resultNoticeOn: string | null;
}

@ObjectType({ description: 'One intake month (入所月) of a municipality: its application window and dates, or why there is no intake. Dates are YYYY-MM-DD, calendar days in Japan.' })
export class IntakeCycle {
  @Field({ description: 'YYYY-MM' }) intakeMonth: string;
  @Field() hasIntake: boolean;
  @Field(() => String, { nullable: true }) noIntakeReason: string | null;
  @Field(() => String, { nullable: true }) noIntakeReasonJa: string | null;
  @Field(() => String, { nullable: true, description: '受付開始日' }) opensOn: string | null;
  @Field(() => String, { nullable: true, description: '申込締切日' }) closesOn: string | null;
  @Field(() => String, { nullable: true, description: '管外締切日: the deadline when a wish is in another municipality; equals closesOn when the municipality has no earlier one.' })
  outOfAreaClosesOn: string | null;
  @Field(() => String, { nullable: true, description: '利用調整日 (allocation meeting)' }) allocationOn: string | null;
  @Field(() => String, { nullable: true, description: '結果通知日' }) resultNoticeOn: string | null;
  @Field({ description: '入所日: always the 1st of the month.' }) entryOn: string;
  @Field(() => Int, { description: 'The procedure version whose dates this month shows: an earlier one when the window had opened before a change.' })
  keptFromVersion: number;
  @Field({ description: 'True when the municipality changed this month on purpose after its window had opened (the window was extended).' })
  changedAfterOpening: boolean;
}

@ObjectType({ description: 'How long an application stays valid after a month without a place (保留の有効期間).' })
export class ApplicationValidity {
  @Field(() => ApplicationValidityKind) kind: ApplicationValidityKind;
  @Field(() => Int, { nullable: true, description: 'For MONTHS: the number of months.' }) months: number | null;
}

@ObjectType({ description: 'Documents one reason for care needs, on top of the common ones.' })
export class ReasonDocuments {
  @Field(() => CareReason) reason: CareReason;
  @Field(() => [DocumentKind]) documents: DocumentKind[];
}

@ObjectType({ description: 'Which documents (必要書類) an application needs: the common ones, and per reason for care.' })
export class RequiredDocumentsType {
  @Field(() => [DocumentKind]) common: DocumentKind[];
  @Field(() => [ReasonDocuments]) byReason: ReasonDocuments[];
}

@ObjectType({ description: 'A municipality’s intake procedure (入所手続き) for one fiscal year (年度), in one version. A change makes a new version; earlier ones stay as history.' })
export class IntakeProcedure {
  @Field(() => ID) id: string;
  @Field() municipalityCode: string;
  @Field(() => Int, { description: 'Fiscal year (年度): April of this year to March of the next.' }) fiscalYear: number;
  @Field(() => Int) version: number;
  @Field(() => IntakeRuleType) rule: IntakeRuleType;
  @Field(() => [IntakeExceptionType]) exceptions: IntakeExceptionType[];
  @Field(() => Int, { description: '希望施設数の上限: how many facilities one application may list.' }) wishLimit: number;
  @Field(() => ApplicationValidity) validity: ApplicationValidity;
  @Field(() => RequiredDocumentsType) requiredDocuments: RequiredDocumentsType;
  @Field(() => [ApplicationChannel]) channels: ApplicationChannel[];
  @Field(() => String, { nullable: true, description: 'How 管外 applications (for facilities in other municipalities) work here.' }) outOfAreaNote: string | null;
  @Field(() => String, { nullable: true }) outOfAreaNoteJa: string | null;
  @Field(() => String, { nullable: true, description: 'Where the municipality publishes this procedure.' }) sourceUrl: string | null;
  @Field(() => String, { nullable: true, description: 'Why this version was made.' }) changeNote: string | null;
  @Field({ description: 'True for demo data not taken from the municipality.' }) isDemo: boolean;
  @Field({ description: 'When this version took effect.' }) validFrom: Date;
  @Field(() => ID, { nullable: true, description: 'The API client that made this version (null for seeded data).' }) createdBy: string | null;
  @Field(() => [IntakeCycle], { description: 'The twelve intake months, April to March.' }) cycles: IntakeCycle[];
}

@ObjectType()
export class SetIntakeProcedurePayload {
  @Field(() => IntakeProcedure) procedure: IntakeProcedure;
  @Field({ description: 'False when the input equals the current version (nothing was stored).' }) created: boolean;
  @Field(() => [String], { description: 'Months whose window had opened: the new rule’s dates were NOT applied to them (the earlier dates stand). Name a month in an exception to extend its window on purpose.' })
  keptMonths: string[];
  @Field(() => [String], { description: 'Opened months changed on purpose through an exception.' }) changedAfterOpeningMonths: string[];
}

@ObjectType({ description: 'A child’s class age (クラス年齢) for an intake month, and whether a facility can take the child then.' })
export class ClassAgeResult {
  @Field(() => Int, { description: 'Age on 1 April of the fiscal year (0歳児 … 5歳児); negative when not born by the entry date, above 5 at school age.' }) classAge: number;
  @Field(() => Int) fiscalYear: number;
  @Field({ description: '入所日 (YYYY-MM-DD): the 1st of the intake month.' }) entryDate: string;
  @Field(() => Int) ageInDaysAtEntry: number;
  @Field({ description: 'The class age is 0–5.' }) inDaycareRange: boolean;
  @Field({ description: 'The child has reached the facility’s minimum age by the entry date (true without a facility or minimum).' }) reachedMinimumAge: boolean;
  @Field(() => String, { nullable: true, description: 'The first day the child is old enough for the facility.' }) minimumAgeReachedOn: string | null;
  @Field(() => ID, { nullable: true }) facilityId: string | null;
  @Field(() => Int, { nullable: true, description: 'The facility’s minimum age in days (産休明け = 57).' }) minimumAgeDays: number | null;
  @Field(() => Boolean, { nullable: true, description: 'Whether the facility takes this class age (null without a facility).' }) facilityTakesClassAge: boolean | null;
}

@ObjectType({ description: 'One step for the family (次にやること), with its due date.' })
export class NextAction {
  @Field(() => NextActionKindEnum) kind: string;
  @Field({ description: 'YYYY-MM-DD' }) dueDate: string;
  @Field() textEn: string;
  @Field() textJa: string;
  @Field(() => ID, { nullable: true, description: 'The facility the action concerns (BOOK_TOUR).' }) facilityId: string | null;
  @Field(() => DocumentKind, { nullable: true, description: 'The document the action concerns (PREPARE_DOCUMENT).' }) documentKind: DocumentKind | null;
  @Field(() => String, { nullable: true }) municipalityCode: string | null;
}

@ObjectType({ description: 'Something the family should know: never a silent drop of a wish.' })
export class PlanWarning {
  @Field(() => PlanWarningKindEnum) kind: string;
  @Field(() => ID, { nullable: true }) facilityId: string | null;
  @Field() textEn: string;
  @Field() textJa: string;
}

@ObjectType({ description: 'What a family should do now and by when, for one intake month.' })
export class NextActionsPlan {
  @Field({ description: 'The day the plan was made for (YYYY-MM-DD, Japan).' }) today: string;
  @Field(() => String, { nullable: true, description: 'The intake month planned for; null when no month is open.' }) intakeMonth: string | null;
  @Field(() => Int, { nullable: true, description: 'クラス年齢 for that month.' }) classAge: number | null;
  @Field(() => String, { nullable: true, description: 'The deadline that applies: the 管外 one when a wish is in another municipality.' }) deadline: string | null;
  @Field({ description: 'True when a wish is in another municipality (管外).' }) outOfArea: boolean;
  @Field(() => IntakeCycle, { nullable: true, description: 'The residence municipality’s schedule for that month.' }) cycle: IntakeCycle | null;
  @Field(() => [DocumentKind], { description: 'Every document this family must hand in (prepared or not).' }) requiredDocuments: DocumentKind[];
  @Field(() => Int) wishLimit: number;
  @Field(() => ApplicationValidity) applicationValidity: ApplicationValidity;
  @Field(() => [NextAction], { description: 'Ordered by due date, then kind.' }) actions: NextAction[];
  @Field(() => [PlanWarning]) warnings: PlanWarning[];
}
