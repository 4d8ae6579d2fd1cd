/**
 * GraphQL shapes of the status feature. ApplicationStatus and StatusActor are registered by the
 * applications feature (application.types.ts), which also owns ApplicationTimelineEntry; this file
 * registers only what it adds.
 */
import { Field, Float, ID, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { ApplicationStatus, OfferStepKind } from './application-status';
import { NotificationKind } from './status.entities';

/** The events a municipality (or an admin correcting its record) may send; the rest are the family's or the hub's. */
export enum MunicipalityStatusEventType {
  RECEIVED = 'RECEIVED',
  RETURNED = 'RETURNED',
  ALLOCATION_STARTED = 'ALLOCATION_STARTED',
  OFFERED = 'OFFERED',
  NOT_PLACED = 'NOT_PLACED',
  REJECTED = 'REJECTED',
  APPROVED = 'APPROVED',
  ENROLLED = 'ENROLLED',
  WITHDRAWN = 'WITHDRAWN',
}
registerEnumType(MunicipalityStatusEventType, {
  name: 'MunicipalityStatusEventType',
  description:
    'A status change reported by the municipality: RECEIVED (受理), RETURNED (差戻し: documents missing), ALLOCATION_STARTED (利用調整開始), '
    + 'OFFERED (内定), NOT_PLACED (保留: not placed this month, stays valid), REJECTED (不承諾: final), APPROVED (利用承認), ENROLLED (入園), '
    + 'WITHDRAWN (取下げ at the counter).',
});

export enum OfferStepKindEnum {
  INTERVIEW = 'INTERVIEW',
  HEALTH_CHECK = 'HEALTH_CHECK',
  OTHER = 'OTHER',
}
registerEnumType(OfferStepKindEnum, { name: 'OfferStepKind', description: 'A step after an offer (内定): interview (面接), health check (健康診断) or other.' });

registerEnumType(NotificationKind, {
  name: 'NotificationKind',
  description: 'What a notification to a partner was about: a status change, a deadline reminder (リマインド) or a vacancy alert (空き通知).',
});

@ObjectType({ description: 'A step the family must take after an offer (内定).' })
export class OfferStepView {
  @Field(() => OfferStepKindEnum) kind: OfferStepKind;
  @Field(() => String, { nullable: true, description: 'By when (YYYY-MM-DD), if the municipality says.' }) dueDate: string | null;
  @Field(() => String, { nullable: true }) note?: string;
}

@ObjectType({ description: '内定: the place offered and what the family must do by when.' })
export class OfferView {
  @Field(() => ID) facilityId: string;
  @Field({ description: 'Entry date (入園日), YYYY-MM-DD.' }) entryDate: string;
  @Field({ description: 'The family must accept or decline by this day (回答期限, inclusive, Japan time).' }) respondBy: string;
  @Field(() => [OfferStepView]) steps: OfferStepView[];
}

@ObjectType({ description: '差戻し: what is missing and by when.' })
export class ReturnNoticeView {
  @Field(() => [String], { description: 'Missing documents, as the municipality names them.' }) missingDocuments: string[];
  @Field({ description: 'Add them by this day (YYYY-MM-DD).' }) fixDueDate: string;
}

@ObjectType({ description: 'The result of a status change (or of its exact repeat).' })
export class ApplicationStatusChange {
  @Field(() => ID) applicationId: string;
  @Field(() => ApplicationStatus) status: ApplicationStatus;
  @Field({ description: 'Intake month (入所希望月) the application now waits for, YYYY-MM.' }) intakeMonth: string;
  @Field(() => String, { nullable: true }) validUntil: string | null;
  @Field(() => Int, { description: 'Row version; +1 per change.' }) version: number;
  @Field(() => OfferView, { nullable: true }) offer: OfferView | null;
  @Field(() => ReturnNoticeView, { nullable: true }) returnNotice: ReturnNoticeView | null;
  @Field({ description: 'True when this exact change had already been applied (same municipality event id or same content): nothing new was recorded.' })
  duplicate: boolean;
  @Field(() => Int, { nullable: true, description: 'The timeline entry this change made (null for a duplicate).' }) seq: number | null;
}

@ObjectType({ description: 'A duration distribution in seconds (p50 = median, p90).' })
export class DurationPercentiles {
  @Field(() => Int, { description: 'Applications measured.' }) count: number;
  @Field(() => Float, { nullable: true }) p50Seconds: number | null;
  @Field(() => Float, { nullable: true }) p90Seconds: number | null;
}

@ObjectType({ description: 'Applications in one status for one intake month.' })
export class ApplicationStatusCount {
  @Field() municipalityCode: string;
  @Field(() => ID) partnerClientId: string;
  @Field() intakeMonth: string;
  @Field(() => ApplicationStatus) status: ApplicationStatus;
  @Field(() => Int) count: number;
}

@ObjectType({ description: 'Measures of one municipality, one partner, or (both null) of everything in the filter.' })
export class ApplicationMetricsGroup {
  @Field(() => String, { nullable: true }) municipalityCode: string | null;
  @Field(() => ID, { nullable: true }) partnerClientId: string | null;
  @Field(() => Int) applications: number;
  @Field(() => DurationPercentiles, { description: 'Submission to delivery (the local system acknowledged receipt).' }) submittedToDelivered: DurationPercentiles;
  @Field(() => DurationPercentiles, { description: 'Submission to receipt (受理).' }) submittedToReceived: DurationPercentiles;
  @Field(() => DurationPercentiles, { description: 'Submission to the first decision (内定, 保留 or 不承諾).' }) submittedToDecision: DurationPercentiles;
  @Field(() => Int, { description: 'Offers accepted by the family (内定承諾).' }) offersAccepted: number;
  @Field(() => Int, { description: 'Offers declined by the family (内定辞退).' }) offersDeclined: number;
  @Field(() => Int, { description: 'Offers that lapsed without an answer.' }) offersLapsed: number;
  @Field(() => Int, { description: 'Webhook deliveries to this municipality or partner still being retried after a failure.' }) deliveriesRetrying: number;
  @Field(() => Int, { description: 'Webhook deliveries that gave up (dead letters, 配信不能).' }) deliveriesDead: number;
}

@ObjectType({ description: '閲覧率: the share of notifications a partner reports its parents opened.' })
export class NotificationViewRate {
  @Field(() => ID) partnerClientId: string;
  @Field(() => NotificationKind) kind: NotificationKind;
  @Field(() => Int) sent: number;
  @Field(() => Int) opened: number;
  @Field(() => Float, { nullable: true, description: 'opened / sent (0–1); null when nothing was sent.' }) rate: number | null;
}

@ObjectType({ description: 'Measures of the application journey (for admins, and each municipality for its own applications).' })
export class ApplicationMetrics {
  @Field(() => [ApplicationStatusCount], { description: 'Counts by municipality, partner, intake month and status.' }) statusCounts: ApplicationStatusCount[];
  @Field(() => ApplicationMetricsGroup) overall: ApplicationMetricsGroup;
  @Field(() => [ApplicationMetricsGroup]) byMunicipality: ApplicationMetricsGroup[];
  @Field(() => [ApplicationMetricsGroup]) byPartner: ApplicationMetricsGroup[];
  @Field(() => [NotificationViewRate], { description: '閲覧率 per partner and kind of notification.' }) notificationViewRates: NotificationViewRate[];
}

@ObjectType({ description: 'A notification sent to a partner; `id` is the webhook-id of its delivery.' })
export class NotificationView {
  @Field(() => ID) id: string;
  @Field(() => NotificationKind) kind: NotificationKind;
  @Field(() => ID, { nullable: true }) applicationId: string | null;
  @Field() sentAt: Date;
  @Field(() => Date, { nullable: true, description: 'When the parent first opened it (as the partner reported).' }) openedAt: Date | null;
}
