import { Field, ID, InputType, Int, registerEnumType } from '@nestjs/graphql';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsBoolean, IsEnum, IsInt, IsOptional, IsUUID, Max, Min, ValidateNested } from 'class-validator';
import { Text } from '../../common/text-field';
import { CareReason, DocumentKind } from '../../procedures/care-reason';
import { ApplicationType } from '../application.entity';
// CareReason and DocumentKind are GraphQL enums registered by the procedures feature.
import '../../procedures/procedures.types';

registerEnumType(ApplicationType, { name: 'ApplicationType', description: 'NEW (新規) or TRANSFER (転園: the child already attends a facility).' });

export enum ChildSex {
  FEMALE = 'FEMALE',
  MALE = 'MALE',
  UNSTATED = 'UNSTATED',
}
registerEnumType(ChildSex, { name: 'ChildSex', description: "The child's sex (性別) as on the application form; UNSTATED where the family leaves it out." });

export enum GuardianRelationship {
  MOTHER = 'MOTHER',
  FATHER = 'FATHER',
  GRANDPARENT = 'GRANDPARENT',
  OTHER = 'OTHER',
}
registerEnumType(GuardianRelationship, { name: 'GuardianRelationship', description: 'How the guardian (保護者) is related to the child (続柄).' });

/** About 1 MB of file: attachments are for small scans; larger files go by reference. */
export const MAX_ATTACHMENT_BASE64_LENGTH = 1_400_000;

@InputType({ description: 'The child applying (児童).' })
export class ChildInput {
  @Field({ description: 'Name as on the family register (氏名): letters (kanji, kana, Latin), spaces and ・ . \' -; NFKC-normalised, CJK compatibility ideographs kept.' })
  @Text('personName')
  name: string;

  @Field({ description: 'Name in kana (フリガナ), katakana or hiragana (stored in katakana); with the birth date and residence it identifies the child for the one-application rules.' })
  @Text('kanaName')
  kana: string;

  @Field({ description: 'Birth date, YYYY-MM-DD (a child not yet born may apply with the expected date).' })
  @Text('date')
  birthDate: string;

  @Field(() => ChildSex)
  @IsEnum(ChildSex)
  sex: ChildSex;

  @Field(() => String, { nullable: true, description: 'Health notes the facility must know (allergies, medical care); only where needed.' })
  @IsOptional() @Text('note', { max: 2000 })
  healthNotes?: string;
}

@InputType({ description: '就労: where and how much the guardian works.' })
export class EmploymentDetailsInput {
  @Field({ description: 'Employer (勤務先), or "self-employed".' })
  @Text('organisationName', { max: 200 })
  employerName: string;

  @Field(() => Int, { description: 'Working days per week.' })
  @IsInt() @Min(1) @Max(7)
  daysPerWeek: number;

  @Field({ description: 'Start of the working day, HH:MM.' })
  @Text('time')
  startTime: string;

  @Field({ description: 'End of the working day, HH:MM.' })
  @Text('time')
  endTime: string;

  @Field(() => Int, { description: 'Working hours per month (月の就労時間), as on the employment certificate.' })
  @IsInt() @Min(1) @Max(400)
  hoursPerMonth: number;
}

@InputType({ description: 'A guardian (保護者) and their reason for care (保育を必要とする事由).' })
export class GuardianInput {
  @Field() @Text('personName') name: string;
  @Field() @Text('kanaName') kana: string;

  @Field(() => GuardianRelationship)
  @IsEnum(GuardianRelationship)
  relationship: GuardianRelationship;

  @Field(() => CareReason)
  @IsEnum(CareReason)
  careReason: CareReason;

  @Field(() => EmploymentDetailsInput, { nullable: true, description: 'Required when careReason is EMPLOYMENT.' })
  @IsOptional() @ValidateNested() @Type(() => EmploymentDetailsInput)
  employment?: EmploymentDetailsInput;

  @Field(() => String, { nullable: true, description: 'PREGNANCY_CHILDBIRTH: expected (or actual) delivery date, YYYY-MM-DD.' })
  @IsOptional() @Text('date')
  expectedDeliveryDate?: string;

  @Field(() => String, { nullable: true, description: 'Details of the reason: school (STUDY), illness, who is cared for (NURSING_CARE), the situation (OTHER). Required for every reason but EMPLOYMENT, JOB_SEEKING and PREGNANCY_CHILDBIRTH.' })
  @IsOptional() @Text('note', { max: 2000 })
  reasonDetails?: string;
}

@InputType({ description: 'The household (世帯).' })
export class HouseholdInput {
  @Field({ description: 'Address (住所) of the residence.' })
  @Text('address', { max: 300 })
  address: string;

  @Field(() => String, {
    nullable: true,
    description: 'Phone number for the municipality to call (offers are often given by phone): a Japanese fixed line (10 digits) or mobile/IP phone (11 digits, 090/080/070/050), with or without hyphens; full-width digits and +81 accepted.',
  })
  @IsOptional() @Text('phone')
  phone?: string;

  @Field(() => Int, { description: 'Number of people in the household.' })
  @IsInt() @Min(1) @Max(30)
  memberCount: number;
}

@InputType({ description: 'A family about to move (転入予定).' })
export class MoveInInput {
  @Field({ description: 'Municipality code the family moves to.' })
  @Text('municipalityCode')
  municipalityCode: string;

  @Field({ description: 'Planned move-in date, YYYY-MM-DD.' })
  @Text('date')
  moveInDate: string;
}

@InputType({ description: 'A wished facility (希望施設) with its rank.' })
export class WishInput {
  @Field(() => Int, { description: 'Rank, 1 = first wish (第1希望); ranks are 1..n without gaps.' })
  @IsInt() @Min(1) @Max(50)
  rank: number;

  @Field(() => ID)
  @IsUUID('all', { message: 'facilityId must be a facility id (UUID)' })
  facilityId: string;
}

@InputType({ description: 'A sibling applying at the same time (きょうだい同時申込み).' })
export class SiblingInput {
  @Field() @Text('personName') name: string;
  @Field() @Text('kanaName') kana: string;
  @Field() @Text('date') birthDate: string;

  @Field(() => ID, { nullable: true, description: "The sibling's application id, when it was submitted through the hub." })
  @IsOptional() @IsUUID('all')
  applicationId?: string;
}

@InputType({ description: 'A document provided: a reference (e.g. the partner\'s file id or an electronic submission number) or a small attachment.' })
export class DocumentInput {
  @Field(() => DocumentKind)
  @IsEnum(DocumentKind)
  kind: DocumentKind;

  @Field(() => String, { nullable: true })
  @IsOptional() @Text('reference', { max: 500 })
  reference?: string;

  @Field(() => String, { nullable: true, description: `The file as base64, at most ${MAX_ATTACHMENT_BASE64_LENGTH} characters (about 1 MB).` })
  @IsOptional() @Text('base64', { max: MAX_ATTACHMENT_BASE64_LENGTH })
  attachmentBase64?: string;

  @Field(() => String, { nullable: true, description: 'Media type of the attachment, e.g. application/pdf.' })
  @IsOptional() @Text('mediaType')
  attachmentContentType?: string;
}

@InputType({ description: 'An application (入園申込み), submitted once by a partner app for a family.' })
export class SubmitApplicationInput {
  @Field({ description: 'Idempotency key chosen by the partner: the same key with the same input returns the first result; with a different input it is CONFLICT.' })
  @Text('key', { max: 200 })
  idempotencyKey: string;

  @Field(() => ChildInput)
  @ValidateNested() @Type(() => ChildInput)
  child: ChildInput;

  @Field(() => HouseholdInput)
  @ValidateNested() @Type(() => HouseholdInput)
  household: HouseholdInput;

  @Field(() => [GuardianInput], { description: 'One or two guardians, each with a reason for care.' })
  @IsArray() @ArrayMinSize(1) @ArrayMaxSize(2) @ValidateNested({ each: true }) @Type(() => GuardianInput)
  guardians: GuardianInput[];

  @Field({ description: 'Municipality the family lives in (住所地), 6 digits.' })
  @Text('municipalityCode')
  residenceMunicipalityCode: string;

  @Field(() => MoveInInput, { nullable: true })
  @IsOptional() @ValidateNested() @Type(() => MoveInInput)
  moveIn?: MoveInInput;

  @Field({ description: 'Intake month (入所希望月), YYYY-MM.' })
  @Text('yearMonth')
  intakeMonth: string;

  @Field(() => [WishInput], { description: 'Wished facilities, ranks 1..n.' })
  @IsArray() @ArrayMinSize(1) @ArrayMaxSize(50) @ValidateNested({ each: true }) @Type(() => WishInput)
  wishes: WishInput[];

  @Field(() => ApplicationType)
  @IsEnum(ApplicationType)
  applicationType: ApplicationType;

  @Field(() => ID, { nullable: true, description: 'TRANSFER (転園): the facility the child attends now.' })
  @IsOptional() @IsUUID('all')
  currentFacilityId?: string;

  @Field(() => [SiblingInput], { defaultValue: [] })
  @IsArray() @ArrayMaxSize(10) @ValidateNested({ each: true }) @Type(() => SiblingInput)
  siblings: SiblingInput[] = [];

  @Field({ defaultValue: true, description: 'With siblings: whether the family accepts places at different facilities (別々の施設でも可).' })
  @IsBoolean()
  siblingsAcceptSplit: boolean = true;

  @Field(() => [DocumentInput], { defaultValue: [] })
  @IsArray() @ArrayMaxSize(30) @ValidateNested({ each: true }) @Type(() => DocumentInput)
  documents: DocumentInput[] = [];
}
