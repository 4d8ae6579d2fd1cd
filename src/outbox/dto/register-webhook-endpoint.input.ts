import { Field, ID, InputType } from '@nestjs/graphql';
import { ArrayMaxSize, IsArray, IsOptional, IsString, IsUUID, Matches, MaxLength } from 'class-validator';

export const MAX_TOPICS = 20;

@InputType({ description: 'A webhook endpoint to register. The response carries its signing secret, shown only this once.' })
export class RegisterWebhookEndpointInput {
  @Field({ description: 'Where deliveries are POSTed: https to a public address (checked again at every delivery); http and private addresses only as HUB_PRIVATE_WEBHOOK_TARGETS allows.' })
  @IsString() @MaxLength(2000)
  url: string;

  @Field(() => [String], {
    defaultValue: [],
    description: 'Event type prefixes to receive, e.g. ["jp.hokatsu.vacancy."]; empty receives every type.',
  })
  @IsArray() @ArrayMaxSize(MAX_TOPICS)
  @IsString({ each: true }) @MaxLength(200, { each: true })
  @Matches(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, { each: true, message: "each topic must be a type prefix: letters, digits, '.', '-' or '_'" })
  topics: string[] = [];

  @Field(() => ID, { nullable: true, description: 'OPERATOR (one of its facilities) and ADMIN: the facility (施設) that receives here.' })
  @IsOptional() @IsUUID()
  facilityId?: string | null;

  @Field(() => String, { nullable: true, description: 'ADMIN only: the municipality (自治体コード, 6 digits) that receives here, e.g. application feeds.' })
  @IsOptional() @Matches(/^\d{6}$/, { message: 'municipalityCode must be six digits' })
  municipalityCode?: string | null;
}
