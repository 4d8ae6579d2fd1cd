import { Field, ID, InputType, Int } from '@nestjs/graphql';
import { IsInt, IsString, IsUUID, Length, Matches, Max, Min } from 'class-validator';

@InputType({ description: 'A booking for one parent. The same idempotencyKey with the same input returns the first booking; with a different input it is a CONFLICT.' })
export class BookTourInput {
  @Field(() => ID) @IsUUID('all') slotId: string;

  @Field(() => Int, { defaultValue: 1, description: 'People coming, 1–10.' })
  @IsInt() @Min(1) @Max(10)
  partySize: number = 1;

  @Field({ description: 'Your own opaque reference to the parent (not a name, phone number or e-mail), 1–200 characters.' })
  @IsString() @Length(1, 200)
  contactReference: string;

  @Field({ description: 'A key you choose per booking request (e.g. a UUID), 1–200 characters of letters, digits, "-", "_", ".", ":".' })
  @Matches(/^[A-Za-z0-9._:-]{1,200}$/, { message: 'idempotencyKey must be 1–200 letters, digits, "-", "_", "." or ":"' })
  idempotencyKey: string;
}
