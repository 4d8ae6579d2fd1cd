import { Field, Int, ObjectType } from '@nestjs/graphql';

@ObjectType({ description: 'A row the hub refused, with its line number in the file.' })
export class RejectedRowReport {
  @Field(() => Int) line: number;
  @Field(() => String, { nullable: true }) field: string | null;
  @Field() reason: string;
  @Field() reasonJa: string;
}

@ObjectType({ description: 'What an import did. Imports are all-or-nothing: any rejected row means nothing was applied.' })
export class ImportReport {
  @Field({ description: 'True when the file was applied; false when rows were rejected (nothing changed).' }) applied: boolean;
  @Field({ description: 'True when nothing was written on purpose (dryRun).' }) dryRun: boolean;
  @Field(() => Int) rowsRead: number;
  @Field(() => Int) created: number;
  @Field(() => Int) updated: number;
  @Field(() => Int) unchanged: number;
  @Field(() => [RejectedRowReport]) rejected: RejectedRowReport[];
  @Field(() => [String], { description: 'Names in the file the hub could not match to a facility (reported, never created).' })
  unmatched: string[];
}

export function emptyReport(rowsRead: number, dryRun: boolean): ImportReport {
  return { applied: false, dryRun, rowsRead, created: 0, updated: 0, unchanged: 0, rejected: [], unmatched: [] };
}
