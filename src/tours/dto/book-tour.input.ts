import { Field, ID, InputType, Int } from '@nestjs/graphql';
import { IsInt, IsUUID, Max, Min } from 'class-validator';
import { Text } from '../../common/text-field';

@InputType({ description: 'A booking for one parent. The same idempotencyKey with the same input returns the first booking; with a different input it is a CONFLICT.' })
export class BookTourInput {
  @Field(() => ID) @IsUUID('all') slotId: string;

  @Field(() => Int, { defaultValue: 1, description: 'People coming, 1–10.' })
  @IsInt() @Min(1) @Max(10)
  partySize: number = 1;

  @Field({ description: 'Your own opaque reference to the parent (not a name, phone number or e-mail), 1–200 characters.' })
  @Text('reference', { max: 200 })
  contactReference: string;

  @Field({ description: 'A key you choose per booking request (e.g. a UUID), 1–200 characters of letters, digits, "-", "_", ".", ":".' })
  @Text('token', { max: 200 })
  idempotencyKey: string;
}
