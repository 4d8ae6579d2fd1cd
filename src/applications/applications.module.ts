import { Module, OnModuleInit } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { DemoSeedService } from '../demo/demo-seed.service';
import { WebhookTargetGuard } from '../outbox/webhook-target-guard';
import { ApplicationDeliveryService } from './application-delivery.service';
import { ApplicationsResolver } from './applications.resolver';
import { ApplicationsService } from './applications.service';
import { BatchController } from './batch.controller';
import { demoDeliverySeeder } from './demo-delivery.seeder';

/** Applications: submission, routing, delivery to municipalities (push, pull feed, batch file), audited reads. */
@Module({
  imports: [AuditModule],
  controllers: [BatchController],
  providers: [
    ApplicationsService,
    ApplicationDeliveryService,
    ApplicationsResolver,
  ],
  exports: [ApplicationsService, ApplicationDeliveryService],
})
export class ApplicationsModule implements OnModuleInit {
  constructor(private readonly seeds: DemoSeedService, private readonly applications: ApplicationsService, private readonly targets: WebhookTargetGuard) {}

  onModuleInit() {
    // Not in AppConfig (a demo-only convenience): validated by the seeder with the outbox's URL rules.
    this.seeds.register(demoDeliverySeeder(this.applications.fieldCipher, this.targets, process.env.HUB_DEMO_ITABASHI_ENDPOINT || undefined));
  }
}
