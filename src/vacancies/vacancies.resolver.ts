import { assertYearMonth } from '../common/dates';
import { Inject } from '@nestjs/common';
import { Args, Context, ID, Info, Int, Mutation, ObjectType, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import type { GraphQLResolveInfo } from 'graphql';
import { selectedFields } from '../common/graphql-selection';
import { ApiRole } from '../auth/api-client.entity';
import { AuthenticatedClient, CurrentClient } from '../auth/current-client.decorator';
import { Roles } from '../auth/roles.decorator';
import { CLOCK, Clock } from '../common/clock';
import { Errors } from '../common/errors';
import { ImportReport } from '../common/import-report';
import { groupByKeys, loaderFor } from '../common/loaders';
import { Connection, PageArgs } from '../common/pagination';
import { TextArg } from '../common/text-field';
import type { GqlContext } from '../common/request-context';
import { Facility } from '../facilities/facility.entity';
import { CreateVacancyWatchInput } from './dto/create-vacancy-watch.input';
import { ImportVacanciesArgs } from './dto/import-vacancies.args';
import { UpdateVacanciesInput } from './dto/update-vacancies.input';
import { VacancySearchArgs } from './dto/vacancy-search.args';
import { COUNT_TOTAL, VacanciesService, VacancySearchPage } from './vacancies.service';
import { VacancyImportService } from './vacancy-import.service';
import { VacancyWatch } from './vacancy-watch.entity';
import { VacancyWatchesService } from './vacancy-watches.service';
import { VacancyChangeConnection, VacancyHistoryArgs, VacancyHistoryService } from './vacancy-history';
import { VacancyCellSources, VacancyFigure, VacancyGrid, VacancySearchConnection } from './vacancy.types';

@ObjectType()
export class VacancyWatchConnection extends Connection(VacancyWatch, 'VacancyWatch') {}

@Resolver()
export class VacanciesResolver {
  constructor(
    private readonly service: VacanciesService,
    private readonly importer: VacancyImportService,
    private readonly watches: VacancyWatchesService,
    private readonly history: VacancyHistoryService,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Roles(ApiRole.ADMIN, ApiRole.OPERATOR, ApiRole.MUNICIPALITY)
  @Query(() => VacancyChangeConnection, {
    description: "Every change of a facility's figures for one intake month, newest first (ADMIN: all; OPERATOR: its facilities; MUNICIPALITY: facilities in its municipality).",
  })
  vacancyHistory(@Args() args: VacancyHistoryArgs, @CurrentClient() client: AuthenticatedClient) {
    return this.history.list(args, client);
  }

  @Query(() => VacancySearchConnection, {
    description: 'Facilities with a class of this age in this intake month and their figure (空き状況), filtered; nearest first when a point is given, else by municipality and name. Public.',
  })
  vacancySearch(@Args() args: VacancySearchArgs, @Info() info: GraphQLResolveInfo) {
    return this.service.search(args, selectedFields(info, ['edges', 'node', 'facility']));
  }

  @Roles(ApiRole.OPERATOR, ApiRole.ADMIN)
  @Mutation(() => VacancyGrid, {
    description: "Set your facility's figures for one intake month: one cell or the whole grid, all or nothing. Each cell names the version it is based on; a stale one is refused with CONFLICT and the current figures (extensions.details.current).",
  })
  updateVacancies(@Args('input') input: UpdateVacanciesInput, @CurrentClient() client: AuthenticatedClient) {
    return this.service.update(input, client);
  }

  @Roles(ApiRole.MUNICIPALITY, ApiRole.ADMIN)
  @Mutation(() => ImportReport, {
    description: "Import a municipality's monthly vacancy list (JSON of data/vacancy/ or the documented CSV). All-or-nothing per file; the same file twice changes nothing; unmatched facilities are reported, never created. For JSON, rejected[].line is the 1-based position in facilities[].",
  })
  importVacancies(@Args() args: ImportVacanciesArgs, @CurrentClient() client: AuthenticatedClient) {
    return this.importer.import(args, client, this.clock.now());
  }

  @Roles(ApiRole.PARTNER)
  @Mutation(() => VacancyWatch, { description: 'Watch for seats opening for one of your parents; notices go to your webhook endpoint as jp.hokatsu.vacancy.opened.' })
  createVacancyWatch(@Args('input') input: CreateVacancyWatchInput, @CurrentClient() client: AuthenticatedClient) {
    return this.watches.create(input, client);
  }

  @Roles(ApiRole.PARTNER)
  @Mutation(() => VacancyWatch, { description: 'Remove one of your watches; returns it as it was.' })
  removeVacancyWatch(@Args('id', { type: () => ID }) id: string, @CurrentClient() client: AuthenticatedClient) {
    return this.watches.remove(id, client);
  }

  @Roles(ApiRole.PARTNER)
  @Query(() => VacancyWatchConnection, { description: 'Your vacancy watches, oldest first.' })
  vacancyWatches(@Args() page: PageArgs, @CurrentClient() client: AuthenticatedClient) {
    return this.watches.list(client, page);
  }
}

/** Vacancy fields on Facility (Nest merges these field resolvers into the Facility type). */
@Resolver(() => Facility)
export class FacilityVacanciesResolver {
  constructor(private readonly service: VacanciesService) {}

  @ResolveField(() => [VacancyFigure], { description: 'The figures of this facility for one intake month (YYYY-MM), one per class age that has one. Batched: a page of facilities costs one query.' })
  vacancies(@Parent() f: Facility, @TextArg('intakeMonth', 'yearMonth') intakeMonth: string, @Context() ctx: GqlContext) {
    assertYearMonth('intakeMonth', intakeMonth);
    return loaderFor<string, VacancyFigure[]>(ctx, `facilityVacancies:${intakeMonth}`, async (ids) =>
      groupByKeys(ids, await this.service.figuresFor(ids, intakeMonth), (r) => r.facilityId),
    ).load(f.id);
  }

  @ResolveField(() => [VacancyCellSources], { description: "Admins only: both sources of each cell (the operator's and the municipality's figure) and which one wins." })
  vacancySources(@Parent() f: Facility, @TextArg('intakeMonth', 'yearMonth') intakeMonth: string, @Context() ctx: GqlContext, @CurrentClient() client?: AuthenticatedClient) {
    // Field resolvers do not pass through the RolesGuard, so the role is checked here.
    if (!client) throw Errors.unauthenticated();
    if (client.role !== ApiRole.ADMIN) throw Errors.forbidden('Only admins see both sources of a vacancy figure.', '空き状況の両方の出所を見られるのは管理者だけです。', 'vacancySources');
    assertYearMonth('intakeMonth', intakeMonth);
    return loaderFor<string, Array<VacancyCellSources & { facilityId: string }>>(ctx, `facilityVacancySources:${intakeMonth}`, async (ids) =>
      groupByKeys(ids, await this.service.sourcesFor(ids, intakeMonth), (r) => r.facilityId),
    ).load(f.id);
  }
}

@Resolver(() => VacancySearchConnection)
export class VacancySearchConnectionResolver {
  /** A second statement: a search counts its matches only when a client asks. */
  @ResolveField(() => Int, { description: 'Number of nodes matching the filter, over all pages.' })
  totalCount(@Parent() page: VacancySearchPage) {
    return page[COUNT_TOTAL]();
  }
}
