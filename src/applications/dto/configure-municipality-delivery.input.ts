import { Field, InputType } from '@nestjs/graphql';
import { IsBoolean, IsEnum, IsOptional } from 'class-validator';
import { Text } from '../../common/text-field';
import { DeliveryMode } from '../application.entity';

@InputType({ description: 'How a municipality takes applications (ADMIN).' })
export class ConfigureMunicipalityDeliveryInput {
  @Field({ description: 'Municipality code, 6 digits.' })
  @Text('municipalityCode')
  municipalityCode: string;

  @Field(() => DeliveryMode)
  @IsEnum(DeliveryMode)
  mode: DeliveryMode;

  @Field(() => String, { nullable: true, description: 'PUSH only: the URL that receives signed deliveries: https to a public address (checked again at every delivery); http and private addresses only as HUB_PRIVATE_WEBHOOK_TARGETS allows.' })
  @IsOptional() @Text('url', { max: 2000 })
  endpointUrl?: string;

  @Field(() => Boolean, {
    nullable: true,
    description: 'Incomplete-vs-refuse policy (書類不足の扱い): true accepts an application with required documents missing and names them; false refuses it with DOCUMENTS_MISSING. Unchanged when left out.',
  })
  @IsOptional() @IsBoolean()
  acceptsIncomplete?: boolean;
}
