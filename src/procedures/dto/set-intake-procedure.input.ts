import { Field, InputType, Int } from '@nestjs/graphql';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsEnum,
  IsIn,
  IsInt,
  IsOptional,
  IsUrl,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';
import { Text } from '../../common/text-field';
import { CareReason, DocumentKind } from '../care-reason';
import { DAY_ADJUSTMENTS, DayAdjustment } from '../intake-calendar';
import { ApplicationChannel, ApplicationValidityKind } from '../intake-procedure.entity';
import { DayAdjustmentEnum } from '../procedures.types';

@InputType({
  description:
    'A day of the schedule: either monthOffset with day (or lastDayOfMonth), e.g. { monthOffset: -1, day: 10 } = the 10th of the month before the intake month; or daysFromCloses, e.g. -7 = a week before the closing day.',
})
export class DayRuleInput {
  @Field(() => Int, { nullable: true }) @IsOptional() @IsInt() @Min(-12) @Max(12) monthOffset?: number | null;
  @Field(() => Int, { nullable: true }) @IsOptional() @IsInt() @Min(1) @Max(31) day?: number | null;
  @Field(() => Boolean, { nullable: true }) @IsOptional() @IsBoolean() lastDayOfMonth?: boolean | null;
  @Field(() => Int, { nullable: true }) @IsOptional() @IsInt() @Min(-366) @Max(366) daysFromCloses?: number | null;
  @Field(() => DayAdjustmentEnum, { description: 'PREVIOUS_WORKING_DAY: "if that day is a weekend or a public holiday, the working day before".' })
  @IsIn([...DAY_ADJUSTMENTS])
  adjust: DayAdjustment;
}

@InputType()
export class NoIntakeMonthInput {
  @Field(() => Int, { description: 'Calendar month 1–12 (2 = February).' }) @IsInt() @Min(1) @Max(12) month: number;
  @Field({ description: 'Why, in English; families read it.' }) @Text('note', { max: 500 }) reason: string;
  @Field({ description: 'Why, in Japanese.' }) @Text('note', { max: 500 }) reasonJa: string;
}

@InputType({ description: 'The rule stated once for the whole fiscal year.' })
export class IntakeRuleInput {
  @Field(() => DayRuleInput) @ValidateNested() @Type(() => DayRuleInput) opens: DayRuleInput;
  @Field(() => DayRuleInput, { description: 'Must be a day of a month (monthOffset ≤ -1).' }) @ValidateNested() @Type(() => DayRuleInput) closes: DayRuleInput;
  @Field(() => DayRuleInput, { nullable: true, description: '管外 deadline; the ordinary deadline when left out.' })
  @IsOptional() @ValidateNested() @Type(() => DayRuleInput)
  outOfAreaCloses?: DayRuleInput | null;
  @Field(() => DayRuleInput, { nullable: true }) @IsOptional() @ValidateNested() @Type(() => DayRuleInput) allocationOn?: DayRuleInput | null;
  @Field(() => DayRuleInput, { nullable: true }) @IsOptional() @ValidateNested() @Type(() => DayRuleInput) resultNoticeOn?: DayRuleInput | null;
  @Field(() => [NoIntakeMonthInput], { nullable: true, description: 'Calendar months without intake, e.g. February and March filled from January’s remainder.' })
  @IsOptional() @IsArray() @ArrayMaxSize(12) @ValidateNested({ each: true }) @Type(() => NoIntakeMonthInput)
  noIntakeMonths?: NoIntakeMonthInput[] | null;
}

@InputType({ description: 'An explicit exception for one month. Dates left out come from the rule; allocationOn/resultNoticeOn: null means "none that month".' })
export class IntakeExceptionInput {
  @Field({ description: 'YYYY-MM' }) @Text('yearMonth') intakeMonth: string;
  @Field(() => Boolean, { nullable: true }) @IsOptional() @IsBoolean() hasIntake?: boolean;
  @Field(() => String, { nullable: true }) @IsOptional() @Text('note', { max: 500 }) noIntakeReason?: string;
  @Field(() => String, { nullable: true }) @IsOptional() @Text('note', { max: 500 }) noIntakeReasonJa?: string;
  @Field(() => String, { nullable: true }) @IsOptional() @Text('date') opensOn?: string;
  @Field(() => String, { nullable: true }) @IsOptional() @Text('date') closesOn?: string;
  @Field(() => String, { nullable: true }) @IsOptional() @Text('date') outOfAreaClosesOn?: string;
  @Field(() => String, { nullable: true }) @IsOptional() @Text('date') allocationOn?: string | null;
  @Field(() => String, { nullable: true }) @IsOptional() @Text('date') resultNoticeOn?: string | null;
}

@InputType()
export class ApplicationValidityInput {
  @Field(() => ApplicationValidityKind) @IsEnum(ApplicationValidityKind) kind: ApplicationValidityKind;
  @Field(() => Int, { nullable: true, description: 'Required for MONTHS (1–24); not allowed otherwise.' }) @IsOptional() @IsInt() @Min(1) @Max(24) months?: number | null;
}

@InputType()
export class ReasonDocumentsInput {
  @Field(() => CareReason) @IsEnum(CareReason) reason: CareReason;
  @Field(() => [DocumentKind]) @IsArray() @ArrayMaxSize(20) @IsEnum(DocumentKind, { each: true }) documents: DocumentKind[];
}

@InputType({ description: 'Documents every application needs, and those added per reason for care.' })
export class RequiredDocumentsInput {
  @Field(() => [DocumentKind]) @IsArray() @ArrayMaxSize(20) @IsEnum(DocumentKind, { each: true }) common: DocumentKind[];
  @Field(() => [ReasonDocumentsInput]) @IsArray() @ArrayMaxSize(20) @ValidateNested({ each: true }) @Type(() => ReasonDocumentsInput) byReason: ReasonDocumentsInput[];
}

@InputType({ description: 'The whole procedure of one municipality for one fiscal year. Each call makes a new version (or nothing, when equal to the current one).' })
export class SetIntakeProcedureInput {
  @Field() @Text('municipalityCode') municipalityCode: string;
  @Field(() => Int, { description: 'Fiscal year (年度), e.g. 2026 = April 2026 to March 2027.' }) @IsInt() @Min(2000) @Max(2100) fiscalYear: number;
  @Field(() => IntakeRuleInput) @ValidateNested() @Type(() => IntakeRuleInput) rule: IntakeRuleInput;
  @Field(() => [IntakeExceptionInput], { nullable: true, defaultValue: [] })
  @IsOptional() @IsArray() @ArrayMaxSize(12) @ValidateNested({ each: true }) @Type(() => IntakeExceptionInput)
  exceptions?: IntakeExceptionInput[];
  @Field(() => Int, { description: '希望施設数の上限 (1–50).' }) @IsInt() @Min(1) @Max(50) wishLimit: number;
  @Field(() => ApplicationValidityInput) @ValidateNested() @Type(() => ApplicationValidityInput) validity: ApplicationValidityInput;
  @Field(() => RequiredDocumentsInput, { nullable: true, description: 'Left out: the national default list.' })
  @IsOptional() @ValidateNested() @Type(() => RequiredDocumentsInput)
  requiredDocuments?: RequiredDocumentsInput | null;
  @Field(() => [ApplicationChannel]) @IsArray() @ArrayMinSize(1) @ArrayMaxSize(4) @IsEnum(ApplicationChannel, { each: true }) channels: ApplicationChannel[];
  @Field(() => String, { nullable: true }) @IsOptional() @Text('note', { max: 2000 }) outOfAreaNote?: string | null;
  @Field(() => String, { nullable: true }) @IsOptional() @Text('note', { max: 2000 }) outOfAreaNoteJa?: string | null;
  @Field(() => String, { nullable: true })
  @IsOptional() @Text('url', { max: 2000 }) @IsUrl({ require_protocol: true, protocols: ['http', 'https'], require_tld: false })
  sourceUrl?: string | null;
  @Field(() => String, { nullable: true, description: 'Why this version is made (kept in the history).' }) @IsOptional() @Text('note', { max: 2000 }) changeNote?: string | null;
  @Field(() => Boolean, { nullable: true, defaultValue: false, description: 'Marks demo data not taken from the municipality.' }) @IsOptional() @IsBoolean() isDemo?: boolean;
}
