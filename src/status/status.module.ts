import { Module } from '@nestjs/common';
import { ApplicationsModule } from '../applications/applications.module';
import { MetricsController } from './metrics.controller';
import { ApplicationsMunicipalityUpdateSender, MUNICIPALITY_UPDATE_SENDER } from './municipality-update';
import { NotificationsService } from './notifications.service';
import { StatusMetricsService } from './status-metrics.service';
import { StatusNotifier } from './status-notifier';
import { StatusResolver, TimelineEntryResolver } from './status.resolver';
import { StatusScheduler } from './status.scheduler';
import { StatusService } from './status.service';

/**
 * Application status after delivery (issue 6): the municipality's reports and the family's answers
 * through one state machine (application-status.ts), partner webhooks for every change, the
 * scheduler for lapses, rollovers, expiry and reminders, measures in GraphQL and at /metrics.
 */
@Module({
  imports: [ApplicationsModule],
  controllers: [MetricsController],
  providers: [
    StatusService,
    StatusNotifier,
    StatusScheduler,
    StatusMetricsService,
    NotificationsService,
    StatusResolver,
    TimelineEntryResolver,
    { provide: MUNICIPALITY_UPDATE_SENDER, useClass: ApplicationsMunicipalityUpdateSender },
  ],
  exports: [StatusService, StatusNotifier, StatusScheduler],
})
export class StatusModule {}
