import { Global, Module } from '@nestjs/common';
import { AdminAlertResolver, WebhookDeliveryResolver, WebhookEndpointResolver } from './outbox.resolver';
import { OutboxService } from './outbox.service';
import { WebhookDeliveriesService } from './webhook-deliveries.service';
import { WebhookDispatcher } from './webhook-dispatcher';
import { WebhookEndpointService } from './webhook-endpoint.service';
import { webhookSecretCipherProvider } from './webhook-secret-cipher';
import { WebhookTargetGuard } from './webhook-target-guard';

/**
 * The outbox and webhook delivery. Global, so that every feature that tells an outside system
 * something injects OutboxService (and WebhookEndpointService to look up or register endpoints).
 */
@Global()
@Module({
  providers: [
    webhookSecretCipherProvider,
    WebhookTargetGuard,
    OutboxService,
    WebhookEndpointService,
    WebhookDeliveriesService,
    WebhookDispatcher,
    WebhookEndpointResolver,
    WebhookDeliveryResolver,
    AdminAlertResolver,
  ],
  exports: [OutboxService, WebhookEndpointService, WebhookDispatcher, WebhookTargetGuard],
})
export class OutboxModule {}
