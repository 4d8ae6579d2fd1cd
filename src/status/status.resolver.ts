import { Args, Context, ID, Mutation, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { ApplicationTimelineEntry, ApplicationView } from '../applications/application.types';
import { ApiRole } from '../auth/api-client.entity';
import { AuthenticatedClient, CurrentClient } from '../auth/current-client.decorator';
import { Roles } from '../auth/roles.decorator';
import { loaderFor } from '../common/loaders';
import { TextArg } from '../common/text-field';
import type { GqlContext } from '../common/request-context';
import { AddedDocumentInput } from './dto/add-application-document.input';
import { ApplicationMetricsFilter } from './dto/application-metrics.input';
import { RecordApplicationStatusInput } from './dto/record-application-status.input';
import { NotificationsService } from './notifications.service';
import { StatusMetricsService } from './status-metrics.service';
import { StatusService } from './status.service';
import { ApplicationMetrics, ApplicationStatusChange, NotificationView, OfferView, ReturnNoticeView } from './status.types';
import { DataSource } from 'typeorm';

/** Status changes (municipality reports, the family's answers), measures and notification reads. Thin: the rules are in the services. */
@Resolver(() => ApplicationView)
export class StatusResolver {
  constructor(
    private readonly status: StatusService,
    private readonly metricsService: StatusMetricsService,
    private readonly notifications: NotificationsService,
    private readonly db: DataSource,
  ) {}

  @Roles(ApiRole.MUNICIPALITY, ApiRole.ADMIN)
  @Mutation(() => ApplicationStatusChange, {
    description: "Report a status change from the municipality's system (MUNICIPALITY deciding the application, or ADMIN correcting its record). "
      + 'Idempotent by municipalityEventId; refused with CONFLICT when sent out of order (see expectedStatus), INVALID_TRANSITION when not allowed from the current status.',
  })
  recordApplicationStatus(@Args('input') input: RecordApplicationStatusInput, @CurrentClient() client: AuthenticatedClient) {
    return this.status.record(input, client);
  }

  @Roles(ApiRole.PARTNER)
  @Mutation(() => ApplicationStatusChange, { description: 'The family accepts the offer (内定承諾) — by its response date (回答期限), else OFFER_RESPONSE_DEADLINE_PASSED.' })
  acceptOffer(@Args('applicationId', { type: () => ID }) applicationId: string, @CurrentClient() client: AuthenticatedClient) {
    return this.status.acceptOffer(applicationId, client);
  }

  @Roles(ApiRole.PARTNER)
  @Mutation(() => ApplicationStatusChange, { description: 'The family declines the offer (内定辞退) — by its response date. Some municipalities weigh a decline in later allocations.' })
  declineOffer(
    @Args('applicationId', { type: () => ID }) applicationId: string,
    @TextArg('reason', 'note', { nullable: true, max: 1000 }) reason: string | undefined,
    @CurrentClient() client: AuthenticatedClient,
  ) {
    return this.status.declineOffer(applicationId, reason ?? undefined, client);
  }

  @Roles(ApiRole.PARTNER)
  @Mutation(() => ApplicationStatusChange, { description: 'The family withdraws the application (取下げ); possible until enrolment.' })
  withdrawApplication(
    @Args('applicationId', { type: () => ID }) applicationId: string,
    @TextArg('reason', 'note', { nullable: true, max: 1000 }) reason: string | undefined,
    @CurrentClient() client: AuthenticatedClient,
  ) {
    return this.status.withdraw(applicationId, reason ?? undefined, client);
  }

  @Roles(ApiRole.PARTNER)
  @Mutation(() => ApplicationStatusChange, {
    description: 'Add a missing document to a returned (差戻し) application: it goes back to the municipality as an update (same channel as the submission) and is SUBMITTED again.',
  })
  addApplicationDocument(
    @Args('applicationId', { type: () => ID }) applicationId: string,
    @Args('document') document: AddedDocumentInput,
    @CurrentClient() client: AuthenticatedClient,
  ) {
    return this.status.addDocument(applicationId, document, client);
  }

  @Roles(ApiRole.PARTNER)
  @Mutation(() => NotificationView, {
    description: 'Report that a parent opened a notification (its id is the webhook-id of the delivery), for 閲覧率. Idempotent: the first report counts.',
  })
  reportNotificationOpened(@Args('notificationId', { type: () => ID }) notificationId: string, @CurrentClient() client: AuthenticatedClient) {
    return this.notifications.reportOpened(notificationId, client);
  }

  @Roles(ApiRole.ADMIN, ApiRole.MUNICIPALITY)
  @Query(() => ApplicationMetrics, {
    description: 'Measures of the journey: counts by status and intake month, p50/p90 time to delivery, receipt and decision, offer answers, failing deliveries, 閲覧率. A municipality gets its own.',
  })
  async applicationMetrics(
    @Args('filter', { type: () => ApplicationMetricsFilter, nullable: true }) filter: ApplicationMetricsFilter | undefined,
    @CurrentClient() client: AuthenticatedClient,
  ) {
    return this.metricsService.metrics(this.metricsService.scopedFilter(filter, client));
  }

  @ResolveField(() => OfferView, { nullable: true, description: 'The offer (内定), once made: kept after acceptance so the facility and entry date stay visible.' })
  async offer(@Parent() application: ApplicationView, @Context() ctx: GqlContext) {
    return (await this.statusDetails(ctx).load(application.id))?.offer ?? null;
  }

  @ResolveField(() => ReturnNoticeView, { nullable: true, description: 'While RETURNED (差戻し): what is missing and by when.' })
  async returnNotice(@Parent() application: ApplicationView, @Context() ctx: GqlContext) {
    return (await this.statusDetails(ctx).load(application.id))?.returnNotice ?? null;
  }

  private statusDetails(ctx: GqlContext) {
    return loaderFor<string, { offer: OfferView | null; returnNotice: ReturnNoticeView | null } | null>(ctx, 'applicationStatusDetails', async (ids) => {
      const rows: Array<{ id: string; offer: OfferView | null; return_notice: ReturnNoticeView | null }> = await this.db.query(
        `SELECT id, offer, return_notice FROM application WHERE id = ANY($1)`, [ids],
      );
      const byId = new Map(rows.map((r) => [r.id, {
        offer: r.offer ? { ...r.offer, steps: r.offer.steps.map((s) => ({ ...s, dueDate: s.dueDate ?? null })) } : null,
        returnNotice: r.return_notice,
      }]));
      return ids.map((id) => byId.get(id) ?? null);
    });
  }
}

/** Extra fields of the applications feature's timeline entries: the structured details behind the message. */
@Resolver(() => ApplicationTimelineEntry)
export class TimelineEntryResolver {
  constructor(private readonly db: DataSource) {}

  @ResolveField(() => String, { description: 'The event details as JSON (offer, missing documents, reason, rollover months…).' })
  async detailsJson(@Parent() entry: ApplicationTimelineEntry & { applicationId: string }, @Context() ctx: GqlContext) {
    return JSON.stringify((await this.extra(ctx).load(`${entry.applicationId}:${entry.seq}`))?.details ?? {});
  }

  @ResolveField(() => String, { nullable: true, description: "The municipality's own id of the event, for municipality reports." })
  async municipalityEventId(@Parent() entry: ApplicationTimelineEntry & { applicationId: string }, @Context() ctx: GqlContext) {
    return (await this.extra(ctx).load(`${entry.applicationId}:${entry.seq}`))?.externalEventId ?? null;
  }

  private extra(ctx: GqlContext) {
    return loaderFor<string, { details: Record<string, unknown>; externalEventId: string | null } | null>(ctx, 'applicationTimelineExtra', async (keys) => {
      const ids = [...new Set(keys.map((k) => k.split(':')[0]))];
      const rows: Array<{ application_id: string; seq: number; details: Record<string, unknown>; external_event_id: string | null }> = await this.db.query(
        `SELECT application_id, seq, details, external_event_id FROM application_event WHERE application_id = ANY($1)`, [ids],
      );
      const byKey = new Map(rows.map((r) => [`${r.application_id}:${r.seq}`, { details: r.details, externalEventId: r.external_event_id }]));
      return keys.map((k) => byKey.get(k) ?? null);
    });
  }
}
