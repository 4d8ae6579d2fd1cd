import { Field, ID, InputType } from '@nestjs/graphql';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsDate, IsEnum, IsOptional, IsUUID, ValidateNested } from 'class-validator';
import { Text } from '../../common/text-field';
import { ApplicationStatus } from '../application-status';
import { MunicipalityStatusEventType, OfferStepKindEnum } from '../status.types';

@InputType({ description: 'A step after an offer (内定), e.g. the interview (面接) or health check (健康診断).' })
export class OfferStepInput {
  @Field(() => OfferStepKindEnum)
  @IsEnum(OfferStepKindEnum)
  kind: OfferStepKindEnum;

  @Field(() => String, { nullable: true, description: 'By when, YYYY-MM-DD.' })
  @IsOptional() @Text('date')
  dueDate?: string;

  @Field(() => String, { nullable: true })
  @IsOptional() @Text('note', { max: 500 })
  note?: string;
}

@InputType({
  description:
    'A status change from the municipality\'s system. `municipalityEventId` makes it idempotent: the same id with the same content is applied once; '
    + 'with different content it is CONFLICT. `expectedStatus` (recommended) names the status the change applies to: when the application is elsewhere '
    + '(a change sent out of order), it is refused with CONFLICT and nothing changes.',
})
export class RecordApplicationStatusInput {
  @Field(() => ID)
  @IsUUID('all', { message: 'applicationId must be an application id (UUID)' })
  applicationId: string;

  @Field({ description: "The municipality's own id of this event (1–200 characters), unique per municipality." })
  @Text('key', { max: 200 })
  municipalityEventId: string;

  @Field(() => MunicipalityStatusEventType)
  @IsEnum(MunicipalityStatusEventType)
  type: MunicipalityStatusEventType;

  @Field(() => ApplicationStatus, { nullable: true, description: 'The status the municipality believes the application is in.' })
  @IsOptional() @IsEnum(ApplicationStatus)
  expectedStatus?: ApplicationStatus;

  @Field(() => String, { nullable: true, description: 'The intake month decided on, YYYY-MM (tells last month\'s late decision apart after a rollover).' })
  @IsOptional() @Text('yearMonth')
  expectedIntakeMonth?: string;

  @Field(() => Date, { nullable: true, description: 'When it happened in the municipality\'s system (default: now; not in the future).' })
  @IsOptional() @IsDate()
  occurredAt?: Date;

  @Field(() => [String], { nullable: true, description: 'RETURNED: the missing documents.' })
  @IsOptional() @IsArray() @ArrayMinSize(1) @ArrayMaxSize(30) @Text('label', { each: true, max: 200 })
  missingDocuments?: string[];

  @Field(() => String, { nullable: true, description: 'RETURNED: by when to add them, YYYY-MM-DD.' })
  @IsOptional() @Text('date')
  fixDueDate?: string;

  @Field(() => ID, { nullable: true, description: 'OFFERED: the facility offered.' })
  @IsOptional() @IsUUID('all', { message: 'facilityId must be a facility id (UUID)' })
  facilityId?: string;

  @Field(() => String, { nullable: true, description: 'OFFERED: entry date (入園日), YYYY-MM-DD.' })
  @IsOptional() @Text('date')
  entryDate?: string;

  @Field(() => String, { nullable: true, description: 'OFFERED: the family must answer by this day (回答期限), YYYY-MM-DD.' })
  @IsOptional() @Text('date')
  respondBy?: string;

  @Field(() => [OfferStepInput], { nullable: true, description: 'OFFERED: the steps after the offer (send [] if none).' })
  @IsOptional() @IsArray() @ArrayMaxSize(10) @ValidateNested({ each: true }) @Type(() => OfferStepInput)
  steps?: OfferStepInput[];

  @Field(() => String, { nullable: true, description: 'REJECTED (required), NOT_PLACED or WITHDRAWN (optional): the reason the municipality gives.' })
  @IsOptional() @Text('note', { max: 1000 })
  reason?: string;
}
