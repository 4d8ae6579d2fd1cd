import { Field, ID, InputType } from '@nestjs/graphql';
import { ArrayMaxSize, ArrayUnique, IsArray, IsEnum, IsOptional, IsUUID } from 'class-validator';
import { Text } from '../../common/text-field';
import { CareReason, DocumentKind } from '../care-reason';

@InputType({ description: 'A family’s situation. Nothing of it is stored: the plan is computed and returned.' })
export class NextActionsInput {
  @Field({ description: 'The child’s birth date (or expected birth date), YYYY-MM-DD.' })
  @Text('date')
  birthDate: string;

  @Field({ description: 'The municipality the family lives in (6 digits): applications go through it.' })
  @Text('municipalityCode')
  residenceMunicipalityCode: string;

  @Field(() => String, { nullable: true, description: 'YYYY-MM. Left out: the earliest month still open.' })
  @IsOptional() @Text('yearMonth')
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
  @IsOptional() @Text('date')
  today?: string | null;
}
