import { Args, ArgsType, Context, Field, ID, Mutation, ObjectType, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { IsUUID } from 'class-validator';
import { ApiRole } from '../auth/api-client.entity';
import { AuthenticatedClient, CurrentClient } from '../auth/current-client.decorator';
import { Roles } from '../auth/roles.decorator';
import { groupByKeys, loaderFor } from '../common/loaders';
import { Connection, PageArgs } from '../common/pagination';
import type { GqlContext } from '../common/request-context';
import { AdminAlert } from './admin-alert.entity';
import { DeliveryAttempt } from './delivery-attempt.entity';
import { RegisterWebhookEndpointInput } from './dto/register-webhook-endpoint.input';
import { RotateWebhookSecretArgs } from './dto/rotate-webhook-secret.args';
import { AdminAlertsArgs, WebhookDeliveriesArgs } from './dto/webhook-deliveries.args';
import { OutboxMessage } from './outbox-message.entity';
import { WebhookDeliveriesService } from './webhook-deliveries.service';
import { WebhookEndpoint } from './webhook-endpoint.entity';
import { WebhookEndpointService } from './webhook-endpoint.service';

@ObjectType({ description: 'An endpoint together with its signing secret. The secret is shown only in this response; store it now.' })
export class WebhookEndpointWithSecret {
  @Field(() => WebhookEndpoint) endpoint: WebhookEndpoint;
  @Field({ description: "Signing secret 'whsec_…' (Standard Webhooks); verify each delivery's webhook-signature with it." })
  secret: string;
}

@ObjectType()
export class WebhookEndpointConnection extends Connection(WebhookEndpoint, 'WebhookEndpoint') {}
@ObjectType()
export class WebhookDeliveryConnection extends Connection(OutboxMessage, 'WebhookDelivery') {}
@ObjectType()
export class AdminAlertConnection extends Connection(AdminAlert, 'AdminAlert') {}

@ArgsType()
class IdArgs {
  @Field(() => ID) @IsUUID()
  id: string;
}

const ALL_ROLES = [ApiRole.ADMIN, ApiRole.PARTNER, ApiRole.OPERATOR, ApiRole.MUNICIPALITY];

@Resolver(() => WebhookEndpoint)
export class WebhookEndpointResolver {
  constructor(private readonly endpoints: WebhookEndpointService) {}

  @Roles(ApiRole.PARTNER, ApiRole.OPERATOR, ApiRole.ADMIN)
  @Mutation(() => WebhookEndpointWithSecret, {
    description:
      'Register a webhook endpoint. PARTNER: for itself; OPERATOR: for one of its facilities (facilityId); ADMIN: for a facility or a municipality (municipalityCode). Returns the signing secret, shown only this once.',
  })
  registerWebhookEndpoint(@Args('input') input: RegisterWebhookEndpointInput, @CurrentClient() client: AuthenticatedClient) {
    return this.endpoints.register(client, input);
  }

  @Roles(...ALL_ROLES)
  @Mutation(() => WebhookEndpointWithSecret, {
    description: 'Give an endpoint a new signing secret (returned once). Until the grace ends, deliveries carry signatures with both the new and the old secret.',
  })
  rotateWebhookSecret(@Args() args: RotateWebhookSecretArgs, @CurrentClient() client: AuthenticatedClient) {
    return this.endpoints.rotateSecret(client, args.endpointId, args.graceHours);
  }

  @Roles(...ALL_ROLES)
  @Mutation(() => WebhookEndpoint, {
    description: 'Remove an endpoint for good (status REMOVED). Messages not yet delivered to it become dead letters; its delivery history is kept.',
  })
  removeWebhookEndpoint(@Args() { id }: IdArgs, @CurrentClient() client: AuthenticatedClient) {
    return this.endpoints.remove(client, id);
  }

  @Roles(...ALL_ROLES)
  @Mutation(() => WebhookEndpoint, { description: 'Enable a DISABLED endpoint again (e.g. after it answered 410 Gone); the messages that waited are delivered in order.' })
  enableWebhookEndpoint(@Args() { id }: IdArgs, @CurrentClient() client: AuthenticatedClient) {
    return this.endpoints.enable(client, id);
  }

  @Roles(...ALL_ROLES)
  @Query(() => WebhookEndpointConnection, { description: 'Your webhook endpoints (ADMIN: everybody’s), oldest first; removed ones are left out.' })
  webhookEndpoints(@Args() page: PageArgs, @CurrentClient() client: AuthenticatedClient) {
    return this.endpoints.list(client, page);
  }
}

@Resolver(() => OutboxMessage)
export class WebhookDeliveryResolver {
  constructor(
    private readonly deliveries: WebhookDeliveriesService,
    private readonly endpoints: WebhookEndpointService,
  ) {}

  @Roles(...ALL_ROLES)
  @Query(() => WebhookDeliveryConnection, { description: 'Deliveries (配信) to one of your endpoints (ADMIN: any), newest first.' })
  webhookDeliveries(@Args() args: WebhookDeliveriesArgs, @CurrentClient() client: AuthenticatedClient) {
    return this.deliveries.deliveries(client, args);
  }

  @Roles(ApiRole.ADMIN)
  @Query(() => WebhookDeliveryConnection, { description: 'Dead letters (配信不能): messages every attempt failed for, or whose endpoint was removed; newest first.' })
  deadLetters(@Args() page: PageArgs) {
    return this.deliveries.deadLetters(page);
  }

  @Roles(ApiRole.ADMIN)
  @Mutation(() => OutboxMessage, {
    description: 'Queue a dead letter again: PENDING, attempts reset, same webhook-id. On a DISABLED endpoint it waits until the endpoint is enabled.',
  })
  replayDeadLetter(@Args() { id }: IdArgs) {
    return this.deliveries.replay(id);
  }

  @ResolveField(() => String, { description: 'The CloudEvents data, as JSON text.' })
  dataJson(@Parent() message: OutboxMessage) {
    return JSON.stringify(message.data);
  }

  @ResolveField(() => [DeliveryAttempt], { description: 'Every HTTP attempt, oldest first.' })
  deliveryAttempts(@Parent() message: OutboxMessage, @Context() ctx: GqlContext) {
    return loaderFor<string, DeliveryAttempt[]>(ctx, 'webhookDeliveryAttempts', async (ids) =>
      groupByKeys(ids, await this.deliveries.attemptsOf(ids), (attempt) => attempt.messageId),
    ).load(message.id);
  }

  @ResolveField(() => WebhookEndpoint, { description: 'The endpoint the message goes to.' })
  async endpoint(@Parent() message: OutboxMessage, @Context() ctx: GqlContext) {
    return loaderFor<string, WebhookEndpoint | null>(ctx, 'webhookEndpointById', async (ids) => {
      const byId = new Map((await this.endpoints.findByIds(ids)).map((endpoint) => [endpoint.id, endpoint]));
      return ids.map((id) => byId.get(id) ?? null);
    }).load(message.endpointId);
  }
}

@Resolver(() => AdminAlert)
export class AdminAlertResolver {
  constructor(private readonly deliveries: WebhookDeliveriesService) {}

  @Roles(ApiRole.ADMIN)
  @Query(() => AdminAlertConnection, { description: 'Alerts for the platform operator (e.g. an endpoint disabled after 410 Gone), newest first.' })
  adminAlerts(@Args() args: AdminAlertsArgs) {
    return this.deliveries.adminAlerts(args);
  }

  @Roles(ApiRole.ADMIN)
  @Mutation(() => AdminAlert, { description: 'Mark an alert as seen.' })
  acknowledgeAdminAlert(@Args() { id }: IdArgs) {
    return this.deliveries.acknowledgeAlert(id);
  }
}
