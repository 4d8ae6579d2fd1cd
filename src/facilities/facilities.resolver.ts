import { Args, Context, ID, Int, Mutation, ObjectType, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { Inject } from '@nestjs/common';
import { ApiRole } from '../auth/api-client.entity';
import { AuthenticatedClient, CurrentClient } from '../auth/current-client.decorator';
import { Roles } from '../auth/roles.decorator';
import { CLOCK, Clock } from '../common/clock';
import { ImportReport } from '../common/import-report';
import { groupByKeys, loaderFor } from '../common/loaders';
import { Connection } from '../common/pagination';
import { TextArg } from '../common/text-field';
import type { GqlContext } from '../common/request-context';
import { Municipality } from '../municipalities/municipality.entity';
import { MunicipalitiesService } from '../municipalities/municipalities.service';
import { FacilitiesService } from './facilities.service';
import { FacilityImportService } from './facility-import.service';
import { Facility, FacilityClassAge } from './facility.entity';
import { FacilitiesArgs } from './dto/facility-filter.input';

@ObjectType()
export class FacilityConnection extends Connection(Facility, 'Facility') {}

export function facilityLoader(ctx: GqlContext, service: FacilitiesService) {
  return loaderFor<string, Facility | null>(ctx, 'facilityById', async (ids) => {
    const rows = await service.findByIds(ids);
    const byId = new Map(rows.map((r) => [r.id, r]));
    return ids.map((id) => byId.get(id) ?? null);
  });
}

@Resolver(() => Facility)
export class FacilitiesResolver {
  constructor(
    private readonly service: FacilitiesService,
    private readonly importer: FacilityImportService,
    private readonly municipalities: MunicipalitiesService,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Query(() => Facility, { nullable: true, description: 'One facility by id (public).' })
  facility(@Args('id', { type: () => ID }) id: string, @Context() ctx: GqlContext) {
    return facilityLoader(ctx, this.service).load(id);
  }

  @Query(() => FacilityConnection, { description: 'Facilities, filtered as parents search (public).' })
  facilities(@Args() args: FacilitiesArgs) {
    return this.service.search(args);
  }

  @Roles(ApiRole.ADMIN, ApiRole.MUNICIPALITY)
  @Mutation(() => ImportReport, {
    description: 'Import a 「子育て施設一覧」 CSV (national standard). All-or-nothing; the same file twice changes nothing. MUNICIPALITY clients may import only their own rows.',
  })
  importFacilities(
    @TextArg('csv', 'fileContent', { description: 'The CSV text (UTF-8).' }) csv: string,
    @Args('dryRun', { type: () => Boolean, defaultValue: false }) dryRun: boolean,
    @CurrentClient() client: AuthenticatedClient,
  ) {
    return this.importer.importCsv(csv, client, this.clock.now(), dryRun);
  }

  @ResolveField(() => [FacilityClassAge], { description: 'Class ages taken, with capacity where published.' })
  classAges(@Parent() f: Facility, @Context() ctx: GqlContext) {
    return loaderFor<string, FacilityClassAge[]>(ctx, 'facilityClassAges', async (ids) => groupByKeys(ids, await this.service.classAgesOf(ids), (r) => r.facilityId)).load(f.id);
  }

  @ResolveField(() => [Int], { description: 'The class ages (0–5) the facility takes.' })
  async classAgesTaken(@Parent() f: Facility, @Context() ctx: GqlContext) {
    return (await this.classAges(f, ctx)).map((c) => c.classAge);
  }

  @ResolveField(() => Municipality)
  municipality(@Parent() f: Facility, @Context() ctx: GqlContext) {
    return this.municipalities.loader(ctx).load(f.municipalityCode);
  }
}
