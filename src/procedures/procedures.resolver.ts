import { Args, Context, Mutation, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { ApiRole } from '../auth/api-client.entity';
import { AuthenticatedClient, CurrentClient } from '../auth/current-client.decorator';
import { Roles } from '../auth/roles.decorator';
import type { GqlContext } from '../common/request-context';
import { Municipality } from '../municipalities/municipality.entity';
import { MunicipalitiesService } from '../municipalities/municipalities.service';
import { ClassAgeArgs, ProcedureArgs } from './dto/class-age.args';
import { NextActionsInput } from './dto/next-actions.input';
import { SetIntakeProcedureInput } from './dto/set-intake-procedure.input';
import { NextActionsService } from './next-actions.service';
import { ProceduresService } from './procedures.service';
import { ClassAgeResult, IntakeCycle, IntakeProcedure, NextActionsPlan, SetIntakeProcedurePayload } from './procedures.types';

@Resolver(() => IntakeProcedure)
export class ProceduresResolver {
  constructor(
    private readonly procedures: ProceduresService,
    private readonly nextActionsService: NextActionsService,
    private readonly municipalities: MunicipalitiesService,
  ) {}

  @Query(() => IntakeProcedure, { nullable: true, description: 'A municipality’s current intake procedure (入所手続き) for a fiscal year, with its twelve cycles (public). Null when none is published.' })
  intakeProcedure(@Args() args: ProcedureArgs) {
    return this.procedures.current(args.municipalityCode, args.fiscalYear);
  }

  @Query(() => [IntakeCycle], { description: 'The twelve intake months of a fiscal year, April to March, as currently published (public). NO_INTAKE_PROCEDURE when none is.' })
  intakeCalendar(@Args() args: ProcedureArgs) {
    return this.procedures.calendar(args.municipalityCode, args.fiscalYear);
  }

  @Query(() => [IntakeProcedure], { description: 'Every version of a procedure, newest first, each with the dates it published (public).' })
  procedureHistory(@Args() args: ProcedureArgs) {
    return this.procedures.history(args.municipalityCode, args.fiscalYear);
  }

  @Roles(ApiRole.MUNICIPALITY, ApiRole.ADMIN)
  @Mutation(() => SetIntakeProcedurePayload, {
    description:
      'State a municipality’s procedure for a fiscal year (MUNICIPALITY: its own; ADMIN: any). Makes a new version; the previous stays as history. Months whose window has opened keep their dates unless named in an exception, which may only extend them.',
  })
  setIntakeProcedure(@Args('input') input: SetIntakeProcedureInput, @CurrentClient() client: AuthenticatedClient) {
    return this.procedures.setProcedure(input, client);
  }

  @Query(() => ClassAgeResult, { description: 'クラス年齢: the class age for an intake month by the 1 April rule, and, with a facility, whether the child can enter it (public).' })
  classAge(@Args() args: ClassAgeArgs) {
    return this.procedures.classAge(args.birthDate, args.intakeMonth, args.facilityId ?? null);
  }

  @Query(() => NextActionsPlan, {
    description:
      '次にやること: for a child, the intake month, class age, deadlines and the ordered list of actions with due dates (public; nothing is stored). Facilities that cannot take the child are pointed out in warnings.',
  })
  nextActions(@Args('input') input: NextActionsInput) {
    return this.nextActionsService.plan(input);
  }

  @ResolveField(() => Municipality)
  municipality(@Parent() procedure: IntakeProcedure, @Context() ctx: GqlContext) {
    return this.municipalities.loader(ctx).load(procedure.municipalityCode);
  }
}
