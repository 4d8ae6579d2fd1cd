import { ArgsType, Field, ID } from '@nestjs/graphql';
import { IsBoolean, IsEnum, IsOptional, IsUUID } from 'class-validator';
import { PageArgs } from '../../common/pagination';
import { OutboxMessageStatus } from '../outbox-message.entity';

@ArgsType()
export class WebhookDeliveriesArgs extends PageArgs {
  @Field(() => ID) @IsUUID()
  endpointId: string;

  @Field(() => OutboxMessageStatus, { nullable: true, description: 'Only deliveries in this state.' })
  @IsOptional() @IsEnum(OutboxMessageStatus)
  status?: OutboxMessageStatus | null;
}

@ArgsType()
export class AdminAlertsArgs extends PageArgs {
  @Field(() => Boolean, { defaultValue: false, description: 'Only alerts nobody has acknowledged yet.' })
  @IsBoolean()
  unacknowledgedOnly: boolean = false;
}
