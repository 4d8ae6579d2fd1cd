import { YEAR_MONTH_INPUT_PATTERN } from '../../common/dates';
import { Field, ID, InputType } from '@nestjs/graphql';
import { ArrayMaxSize, ArrayUnique, IsArray, IsEnum, IsOptional, IsUUID, Matches } from 'class-validator';
import { CareReason, DocumentKind } from '../care-reason';

@InputType({ description: 'A family’s situation. Nothing of it is stored: the plan is computed and returned.' })
export class NextActionsInput {
  @Field({ description: 'The child’s birth date (or expected birth date), YYYY-MM-DD.' })
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'birthDate must be YYYY-MM-DD' })
  birthDate: string;

  @Field({ description: 'The municipality the family lives in (6 digits): applications go through it.' })
  @Matches(/^\d{6}$/, { message: 'residenceMunicipalityCode must be six digits' })
  residenceMunicipalityCode: string;

  @Field(() => String, { nullable: true, description: 'YYYY-MM. Left out: the earliest month still open.' })
  @IsOptional() @Matches(YEAR_MONTH_INPUT_PATTERN, { message: 'desiredIntakeMonth must be YYYY-MM' })
  desiredIntakeMonth?: string | null;

  @Field(() => [ID], { description: 'Wished facilities, most wanted first.' })
  @IsArray() @ArrayMaxSize(50) @ArrayUnique({ message: 'wishedFacilityIds must not list a facility twice' }) @IsUUID('all', { each: true })
  wishedFacilityIds: string[];

  @Field(() => [CareReason], { description: 'Reasons for care of the guardians (保育を必要とする事由).' })
  @IsArray() @ArrayMaxSize(8) @IsEnum(CareReason, { each: true })
  careReasons: CareReason[];

  @Field(() => [DocumentKind], { description: 'Documents already prepared.' })
  @IsArray() @ArrayMaxSize(20) @IsEnum(DocumentKind, { each: true })
  documentsPrepared: DocumentKind[];

  @Field(() => String, { nullable: true, description: 'YYYY-MM-DD; defaults to today in Japan.' })
  @IsOptional() @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'today must be YYYY-MM-DD' })
  today?: string | null;
}
