import { Field, ID, InputType } from '@nestjs/graphql';
import { ArrayMaxSize, IsArray, IsOptional, IsUUID } from 'class-validator';
import { Text } from '../../common/text-field';

export const MAX_TOPICS = 20;

@InputType({ description: 'A webhook endpoint to register. The response carries its signing secret, shown only this once.' })
export class RegisterWebhookEndpointInput {
  @Field({ description: 'Where deliveries are POSTed: https to a public address (checked again at every delivery); http and private addresses only as HUB_PRIVATE_WEBHOOK_TARGETS allows.' })
  @Text('url', { max: 2000 })
  url: string;

  @Field(() => [String], {
    defaultValue: [],
    description: 'Event type prefixes to receive, e.g. ["jp.hokatsu.vacancy."]; empty receives every type.',
  })
  @IsArray() @ArrayMaxSize(MAX_TOPICS) @Text('topic', { each: true, max: 200 })
  topics: string[] = [];

  @Field(() => ID, { nullable: true, description: 'OPERATOR (one of its facilities) and ADMIN: the facility (施設) that receives here.' })
  @IsOptional() @IsUUID()
  facilityId?: string | null;

  @Field(() => String, { nullable: true, description: 'ADMIN only: the municipality (自治体コード, 6 digits) that receives here, e.g. application feeds.' })
  @IsOptional() @Text('municipalityCode')
  municipalityCode?: string | null;
}
