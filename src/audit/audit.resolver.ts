import { Args, ArgsType, Field, ID, InputType, ObjectType, Query, Resolver } from '@nestjs/graphql';
import { Type } from 'class-transformer';
import { IsOptional, IsUUID, ValidateNested } from 'class-validator';
import { ApiRole } from '../auth/api-client.entity';
import { Roles } from '../auth/roles.decorator';
import { Connection, PageArgs } from '../common/pagination';
import { Text } from '../common/text-field';
import { AuditLogEntry } from './audit-log.entity';
import { AuditService } from './audit.service';

@ObjectType()
export class AuditLogConnection extends Connection(AuditLogEntry, 'AuditLog') {}

@InputType({ description: 'Narrow the audit log (閲覧記録) to a subject, a reader or an action.' })
export class AuditLogFilter {
  @Field(() => String, { nullable: true, description: "e.g. 'application'" })
  @IsOptional() @Text('identifier', { max: 100 })
  subjectType?: string;

  @Field(() => String, { nullable: true, description: 'e.g. an application id' })
  @IsOptional() @Text('identifier', { max: 200 })
  subjectId?: string;

  @Field(() => ID, { nullable: true, description: 'The API client that read.' })
  @IsOptional() @IsUUID('all')
  actorClientId?: string;

  @Field(() => String, { nullable: true, description: "e.g. 'application.read'" })
  @IsOptional() @Text('identifier', { max: 100 })
  action?: string;
}

@ArgsType()
export class AuditLogArgs extends PageArgs {
  @Field(() => AuditLogFilter, { nullable: true })
  @IsOptional() @ValidateNested() @Type(() => AuditLogFilter)
  filter?: AuditLogFilter;
}

@Resolver(() => AuditLogEntry)
export class AuditResolver {
  constructor(private readonly audit: AuditService) {}

  @Roles(ApiRole.ADMIN)
  @Query(() => AuditLogConnection, { description: 'Who read which personal data, newest first (ADMIN).' })
  auditLog(@Args() args: AuditLogArgs) {
    return this.audit.list(args.filter ?? {}, args.first, args.after);
  }
}
