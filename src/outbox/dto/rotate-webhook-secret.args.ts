import { ArgsType, Field, ID, Int } from '@nestjs/graphql';
import { IsInt, IsUUID, Max, Min } from 'class-validator';

export const MAX_GRACE_HOURS = 7 * 24;

@ArgsType()
export class RotateWebhookSecretArgs {
  @Field(() => ID) @IsUUID()
  endpointId: string;

  @Field(() => Int, {
    defaultValue: 24,
    description: `Hours during which deliveries are signed with both the new and the old secret (0–${MAX_GRACE_HOURS}); 0 drops the old secret at once.`,
  })
  @IsInt() @Min(0) @Max(MAX_GRACE_HOURS)
  graceHours: number = 24;
}
