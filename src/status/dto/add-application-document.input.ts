import { Field, InputType } from '@nestjs/graphql';
import { IsEnum } from 'class-validator';
import { Text } from '../../common/text-field';
import { DocumentKind } from '../../procedures/care-reason';

@InputType({ description: 'A document added to a returned (差戻し) application; it goes to the municipality as an update.' })
export class AddedDocumentInput {
  @Field(() => DocumentKind)
  @IsEnum(DocumentKind)
  kind: DocumentKind;

  @Field({ description: "Where the municipality finds it: the partner's file id or an electronic submission number." })
  @Text('reference', { max: 500 })
  reference: string;
}
