import { Args, ArgsType, Context, Field, ID, Int, Mutation, ObjectType, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { assertMunicipalityScope } from '../auth/scope';
import { ApiRole } from '../auth/api-client.entity';
import { AuthenticatedClient, CurrentClient } from '../auth/current-client.decorator';
import { Roles } from '../auth/roles.decorator';
import { HubError } from '../common/errors';
import { groupByKeys, loaderFor } from '../common/loaders';
import { Connection, MAX_PAGE_SIZE } from '../common/pagination';
import { Text, TextArg } from '../common/text-field';
import type { GqlContext } from '../common/request-context';
import { ApplicationDeliveryService } from './application-delivery.service';
import { DeliveryMode } from './application.entity';
import { ApplicationPersonalData, ApplicationTimelineEntry, ApplicationView, PossibleDuplicateApplicationView, SubmitApplicationPayload } from './application.types';
import { ApplicationsService, ReadContext } from './applications.service';
import { ApplicationsArgs } from './dto/applications-filter.input';
import { ConfigureMunicipalityDeliveryInput } from './dto/configure-municipality-delivery.input';
import { SubmitApplicationInput } from './dto/submit-application.input';

@ObjectType()
export class ApplicationConnection extends Connection(ApplicationView, 'Application') {}

@ObjectType({ description: 'How a municipality takes applications.' })
export class MunicipalityDeliverySettingView {
  @Field() municipalityCode: string;
  @Field(() => DeliveryMode) mode: DeliveryMode;
  @Field(() => ID, { nullable: true, description: 'PUSH: the webhook endpoint (rotate its secret with rotateWebhookSecret).' }) endpointId: string | null;
  @Field(() => String, { nullable: true }) endpointUrl: string | null;
  @Field({ description: 'Accepts applications with documents missing (naming them) rather than refusing them.' }) acceptsIncomplete: boolean;
  @Field(() => Date, { nullable: true }) updatedAt: Date | null;
}

@ObjectType()
export class ConfigureMunicipalityDeliveryPayload {
  @Field(() => MunicipalityDeliverySettingView) setting: MunicipalityDeliverySettingView;
  @Field(() => String, { nullable: true, description: 'PUSH with a new endpoint: its signing secret (whsec_…), shown only this once.' })
  signingSecret: string | null;
}

@ObjectType({ description: 'One entry of a municipality feed (PULL).' })
export class MunicipalityFeedEntryView {
  @Field({ description: 'Opaque, and valid for your feed only. Pass it to acknowledgeMunicipalityFeed once the entry is safely in your system.' }) cursor: string;
  @Field({ description: 'APPLICATION, FORWARDED_NOTICE or UPDATE.' }) kind: string;
  @Field(() => ID) applicationId: string;
  @Field() createdAt: Date;
  @Field({ description: 'The application document as JSON (docs/delivery-formats.md, "hokatsu-application/1"), personal data included.' })
  documentJson: string;
}

@ObjectType({ description: 'A page of the municipality feed, oldest first.' })
export class MunicipalityFeedPage {
  @Field(() => [MunicipalityFeedEntryView]) entries: MunicipalityFeedEntryView[];
  @Field({ description: 'Everything up to this cursor has been acknowledged (before the first acknowledgement: the start of the feed).' }) acknowledgedCursor: string;
  @Field() hasMore: boolean;
}

@ObjectType()
export class FeedAcknowledgement {
  @Field() acknowledgedCursor: string;
  @Field(() => [ID], { description: 'Applications this acknowledgement moved to DELIVERED.' }) deliveredApplicationIds: string[];
}

@ArgsType()
export class FeedArgs {
  @Field(() => String, { nullable: true, description: 'A cursor your feed returned (opaque, "fc1_…"); default: your acknowledged position.' })
  @IsOptional() @Text('cursor', { max: 100 })
  after?: string;

  @Field(() => Int, { defaultValue: 50, description: `Page size, 1–${MAX_PAGE_SIZE}.` })
  @IsInt() @Min(1) @Max(MAX_PAGE_SIZE)
  first: number = 50;
}

function readContext(client: AuthenticatedClient, ctx: GqlContext): ReadContext {
  return { client, requestId: ctx.req?.id ?? null };
}

@Resolver(() => ApplicationView)
export class ApplicationsResolver {
  constructor(private readonly service: ApplicationsService, private readonly delivery: ApplicationDeliveryService) {}

  @Roles(ApiRole.PARTNER)
  @Mutation(() => SubmitApplicationPayload, {
    description: 'Submit an application (入園申込み) for a family (PARTNER). Checked completely before anything is stored; routed to the deciding municipality and copied to the others concerned; idempotent by input.idempotencyKey.',
  })
  submitApplication(@Args('input') input: SubmitApplicationInput, @CurrentClient() client: AuthenticatedClient, @Context() ctx: GqlContext) {
    return this.service.submit(input, readContext(client, ctx));
  }

  @Roles(ApiRole.PARTNER, ApiRole.MUNICIPALITY, ApiRole.ADMIN)
  @Query(() => ApplicationView, { description: 'One application: a partner its own, a municipality one routed to it, an admin any. Every read is recorded in the audit log.' })
  application(@Args('id', { type: () => ID }) id: string, @CurrentClient() client: AuthenticatedClient, @Context() ctx: GqlContext) {
    return this.service.findOne(id, readContext(client, ctx));
  }

  @Roles(ApiRole.PARTNER, ApiRole.MUNICIPALITY, ApiRole.ADMIN)
  @Query(() => ApplicationConnection, { description: 'Applications the caller may see, newest first. Every application returned is recorded in the audit log.' })
  applications(@Args() args: ApplicationsArgs, @CurrentClient() client: AuthenticatedClient, @Context() ctx: GqlContext) {
    return this.service.list(args.filter ?? {}, args.first, args.after, readContext(client, ctx));
  }

  @Roles(ApiRole.MUNICIPALITY, ApiRole.ADMIN)
  @Query(() => [PossibleDuplicateApplicationView], {
    description: 'MUNICIPALITY (an application routed to it) and ADMIN: the applications for the same child (kana name, birth date, residence municipality) and intake month that came through other partner apps, oldest first; a municipality sees those routed to it too. Also in the documents it receives (possibleDuplicateOfApplicationIds). Partners are never told.',
  })
  possibleDuplicateApplications(@Args('applicationId', { type: () => ID }) applicationId: string, @CurrentClient() client: AuthenticatedClient, @Context() ctx: GqlContext) {
    return this.service.possibleDuplicateApplications(applicationId, readContext(client, ctx));
  }

  /** The decrypted personal data, or the error of a stored value that failed its integrity check (ApplicationsService.views). */
  @ResolveField(() => ApplicationPersonalData)
  personalData(@Parent() application: ApplicationView): ApplicationPersonalData {
    if (application.personalData instanceof HubError) throw application.personalData;
    return application.personalData;
  }

  @ResolveField(() => [ApplicationTimelineEntry], { description: 'What happened to the application, in order (経過).' })
  timeline(@Parent() application: ApplicationView, @Context() ctx: GqlContext) {
    return loaderFor<string, ApplicationTimelineEntry[]>(ctx, 'applicationTimeline', async (ids) =>
      groupByKeys(ids, await this.service.timelines(ids), (e) => e.applicationId),
    ).load(application.id);
  }

  @Roles(ApiRole.ADMIN)
  @Mutation(() => ConfigureMunicipalityDeliveryPayload, {
    description: 'Choose how a municipality takes applications (ADMIN): PUSH registers its webhook endpoint and returns the signing secret once; PULL and BATCH need no endpoint.',
  })
  configureMunicipalityDelivery(@Args('input') input: ConfigureMunicipalityDeliveryInput, @CurrentClient() client: AuthenticatedClient) {
    return this.delivery.configure(input, client);
  }

  @Roles(ApiRole.ADMIN, ApiRole.MUNICIPALITY)
  @Query(() => MunicipalityDeliverySettingView, { description: 'How a municipality takes applications (ADMIN, or the municipality itself).' })
  municipalityDelivery(@TextArg('municipalityCode', 'municipalityCode') municipalityCode: string, @CurrentClient() client: AuthenticatedClient) {
    assertMunicipalityScope(client, municipalityCode);
    return this.delivery.setting(municipalityCode);
  }

  @Roles(ApiRole.MUNICIPALITY)
  @Query(() => MunicipalityFeedPage, { description: 'PULL: the entries of your feed after a cursor (default: after the last acknowledged one), oldest first. Reads are audited.' })
  async municipalityFeed(@Args() args: FeedArgs, @CurrentClient() client: AuthenticatedClient, @Context() ctx: GqlContext) {
    const page = await this.delivery.feed(readContext(client, ctx), args.after, args.first);
    return { ...page, entries: page.entries.map((e) => ({ cursor: e.cursor, kind: e.kind, applicationId: e.applicationId, createdAt: e.createdAt, documentJson: JSON.stringify(e.document) })) };
  }

  @Roles(ApiRole.MUNICIPALITY)
  @Mutation(() => FeedAcknowledgement, {
    description: 'PULL: everything up to this cursor is safely in your system. Moves the applications you decide on to DELIVERED; an older cursor changes nothing.',
  })
  acknowledgeMunicipalityFeed(@TextArg('cursor', 'cursor') cursor: string, @CurrentClient() client: AuthenticatedClient) {
    return this.delivery.acknowledgeFeed(client, cursor);
  }
}
