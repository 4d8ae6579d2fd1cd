/**
 * GraphQL shapes of an application. Separate from the entities because personal data is stored
 * encrypted and appears here only decrypted into a response.
 */
import { HubError } from '../common/errors';
import { Field, ID, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { CareReason, DocumentKind } from '../procedures/care-reason';
import { ApplicationStatus, StatusActor } from '../status/application-status';
import { ApplicationType, DeliveryMode } from './application.entity';
import { ChildSex, GuardianRelationship } from './dto/submit-application.input';

export enum RecipientRoleEnum {
  APPLICATION = 'APPLICATION',
  FORWARDED_NOTICE = 'FORWARDED_NOTICE',
}

registerEnumType(ApplicationStatus, { name: 'ApplicationStatus', description: '申込ステータス: where the application is in its journey.' });
registerEnumType(StatusActor, { name: 'StatusActor', description: 'Who caused a timeline event: the partner (for the family), the municipality, the hub itself, or the platform operator.' });
registerEnumType(DeliveryMode, { name: 'DeliveryMode', description: 'How a municipality takes applications: PUSH (signed webhook), PULL (feed it reads), BATCH (CSV file per intake month).' });
registerEnumType(RecipientRoleEnum, {
  name: 'RecipientRole',
  description: 'APPLICATION: the municipality receives the application and decides on it (受付自治体). FORWARDED_NOTICE: a copy forwarded by the deciding municipality (管外, move-in destination); not a second application.',
});

@ObjectType({ description: 'One explanation of the routing decision, for families and municipalities.' })
export class RoutingReasonView {
  @Field({ description: 'RESIDENCE, MOVE_IN_DIRECT, MOVE_IN_VIA_RESIDENCE, MOVE_IN_DESTINATION, OUT_OF_AREA_WISH or OUT_OF_AREA_EARLIER_DEADLINE.' }) code: string;
  @Field() municipalityCode: string;
  @Field() textEn: string;
  @Field() textJa: string;
}

@ObjectType({ description: 'A municipality the application goes to, and how far delivery has got.' })
export class ApplicationRecipientView {
  @Field() municipalityCode: string;
  @Field(() => RecipientRoleEnum) role: RecipientRoleEnum;
  @Field({ description: 'Why this municipality receives it (a RoutingReason code).' }) reason: string;
  @Field(() => DeliveryMode) deliveryMode: DeliveryMode;
  @Field(() => Date, { nullable: true, description: 'When it was handed over (push answered 2xx, feed acknowledged, batch downloaded).' }) deliveredAt: Date | null;
  @Field(() => Date, { nullable: true }) acknowledgedAt: Date | null;
}

@ObjectType({ description: 'Where the application goes (振り分け) and why.' })
export class ApplicationRouting {
  @Field({ description: 'The municipality that receives and decides on it (受付自治体).' }) primaryMunicipalityCode: string;
  @Field({ description: '管外: some wished facility is in another municipality.' }) outOfArea: boolean;
  @Field(() => [ApplicationRecipientView]) recipients: ApplicationRecipientView[];
  @Field(() => [RoutingReasonView]) reasons: RoutingReasonView[];
}

@ObjectType({ description: 'A wished facility (希望施設).' })
export class ApplicationWishView {
  @Field(() => Int, { description: '1 = first wish (第1希望).' }) rank: number;
  @Field(() => ID) facilityId: string;
  @Field() municipalityCode: string;
}

@ObjectType({ description: 'One entry of the application timeline (経過).' })
export class ApplicationTimelineEntry {
  @Field(() => Int, { description: 'Order within the application, from 1.' }) seq: number;
  @Field({ description: 'SUBMITTED or a status event type (DELIVERY_ACKNOWLEDGED, RECEIVED, …).' }) type: string;
  @Field(() => StatusActor) actor: StatusActor;
  @Field(() => ApplicationStatus, { nullable: true }) fromStatus: ApplicationStatus | null;
  @Field(() => ApplicationStatus) toStatus: ApplicationStatus;
  @Field() messageEn: string;
  @Field() messageJa: string;
  @Field() occurredAt: Date;
}

@ObjectType({ description: 'The child (児童).' })
export class ChildView {
  @Field() name: string;
  @Field() kana: string;
  @Field() birthDate: string;
  @Field(() => ChildSex) sex: ChildSex;
  @Field(() => String, { nullable: true }) healthNotes: string | null;
}

@ObjectType({ description: '就労 details.' })
export class EmploymentView {
  @Field() employerName: string;
  @Field(() => Int) daysPerWeek: number;
  @Field() startTime: string;
  @Field() endTime: string;
  @Field(() => Int) hoursPerMonth: number;
}

@ObjectType({ description: 'A guardian (保護者) and their reason for care.' })
export class GuardianView {
  @Field() name: string;
  @Field() kana: string;
  @Field(() => GuardianRelationship) relationship: GuardianRelationship;
  @Field(() => CareReason) careReason: CareReason;
  @Field(() => EmploymentView, { nullable: true }) employment: EmploymentView | null;
  @Field(() => String, { nullable: true }) expectedDeliveryDate: string | null;
  @Field(() => String, { nullable: true }) reasonDetails: string | null;
}

@ObjectType({ description: 'The household (世帯).' })
export class HouseholdView {
  @Field() address: string;
  @Field(() => String, { nullable: true }) phone: string | null;
  @Field(() => Int) memberCount: number;
}

@ObjectType({ description: 'A sibling applying at the same time.' })
export class SiblingView {
  @Field() name: string;
  @Field() kana: string;
  @Field() birthDate: string;
  @Field(() => ID, { nullable: true }) applicationId: string | null;
}

@ObjectType({ description: 'A document provided with the application.' })
export class DocumentView {
  @Field(() => DocumentKind) kind: DocumentKind;
  @Field(() => String, { nullable: true }) reference: string | null;
  @Field(() => String, { nullable: true, description: 'Media type of the attachment, when one was sent.' }) attachmentContentType: string | null;
  @Field(() => String, { nullable: true, description: 'The attachment as base64, when one was sent.' }) attachmentBase64: string | null;
}

@ObjectType({ description: 'Personal data of the application (個人情報), decrypted for this response only; every read is recorded in the audit log.' })
export class ApplicationPersonalData {
  @Field(() => ChildView) child: ChildView;
  @Field(() => HouseholdView) household: HouseholdView;
  @Field(() => [GuardianView]) guardians: GuardianView[];
  @Field(() => [SiblingView]) siblings: SiblingView[];
  @Field({ description: 'Whether siblings may be placed at different facilities.' }) siblingsAcceptSplit: boolean;
  @Field(() => [DocumentView]) documents: DocumentView[];
}

@ObjectType({ description: 'An application (入園申込み) submitted through a partner app.' })
export class ApplicationView {
  @Field(() => ID) id: string;
  @Field(() => ApplicationStatus) status: ApplicationStatus;
  @Field({ description: 'Intake month (入所希望月), YYYY-MM.' }) intakeMonth: string;
  @Field(() => Int, { description: 'クラス年齢 for the intake month (0–5).' }) classAge: number;
  @Field(() => ApplicationType) applicationType: ApplicationType;
  @Field(() => ID, { nullable: true, description: 'TRANSFER: the facility the child attends now.' }) currentFacilityId: string | null;
  @Field() residenceMunicipalityCode: string;
  @Field(() => String, { nullable: true }) moveInMunicipalityCode: string | null;
  @Field(() => String, { nullable: true }) moveInDate: string | null;
  @Field(() => ApplicationRouting) routing: ApplicationRouting;
  @Field(() => [ApplicationWishView]) wishes: ApplicationWishView[];
  @Field({ description: 'Accepted with required documents missing (書類不足); see missingDocuments.' }) incomplete: boolean;
  @Field(() => [DocumentKind]) missingDocuments: DocumentKind[];
  @Field(() => String, { nullable: true, description: 'Last valid day (有効期限), YYYY-MM-DD.' }) validUntil: string | null;
  /** Or, when the stored value cannot be read, the error its field answers with (ApplicationsResolver.personalData). */
  @Field(() => ApplicationPersonalData, {
    description: 'Decrypted for this response only. DATA_INTEGRITY_ERROR when the stored value fails its integrity check (e.g. it belongs to another application); the other fields still answer.',
  })
  personalData: ApplicationPersonalData | HubError;
  @Field() submittedAt: Date;
  @Field() updatedAt: Date;
  @Field(() => Int) version: number;
}

/**
 * Municipalities' and admins' only (possibleDuplicateApplications): deliberately not a field of
 * ApplicationView, which partners read too.
 */
@ObjectType({
  description: 'Another application for the same child (same kana name, birth date and residence municipality) and intake month, submitted through another partner app while this one was live: possibly one applicant applying twice. Seen by municipalities and admins only; partners are never told.',
})
export class PossibleDuplicateApplicationView {
  @Field(() => ID) applicationId: string;
  @Field(() => ApplicationStatus) status: ApplicationStatus;
  @Field({ description: 'YYYY-MM' }) intakeMonth: string;
  @Field() submittedAt: Date;
  @Field({ description: 'When the hub found the pair: the later of the two submissions.' }) detectedAt: Date;
}

@ObjectType({ description: 'The result of submitApplication.' })
export class SubmitApplicationPayload {
  @Field(() => ApplicationView) application: ApplicationView;
  @Field({ description: 'True when this idempotency key had already been used with the same input: the first result is returned and nothing new was stored.' })
  replayed: boolean;
}
