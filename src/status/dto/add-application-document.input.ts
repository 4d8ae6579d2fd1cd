import { Field, InputType } from '@nestjs/graphql';
import { IsEnum, IsString, Length } from 'class-validator';
import { DocumentKind } from '../../procedures/care-reason';

@InputType({ description: 'A document added to a returned (差戻し) application; it goes to the municipality as an update.' })
export class AddedDocumentInput {
  @Field(() => DocumentKind)
  @IsEnum(DocumentKind)
  kind: DocumentKind;

  @Field({ description: "Where the municipality finds it: the partner's file id or an electronic submission number." })
  @IsString() @Length(1, 500)
  reference: string;
}
