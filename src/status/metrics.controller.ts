import { Controller, Get, Res } from '@nestjs/common';
import { SkipThrottle } from '@nestjs/throttler';
import type { Response } from 'express';
import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import { ApiRole } from '../auth/api-client.entity';
import { Roles } from '../auth/roles.decorator';
import { StatusMetricsService } from './status-metrics.service';

/**
 * Prometheus scrape endpoint: GET /metrics with an ADMIN key as a bearer token, e.g.
 *   scrape_configs: [{ job_name: hokatsu-hub, authorization: { type: Bearer, credentials_file: /etc/prometheus/hub-admin-key } }]
 * The gauges are filled from SQL at each scrape (the same measures as `applicationMetrics`), next to
 * the process's default metrics. A registry of its own, so nothing else in the process leaks in.
 */
@SkipThrottle()
@Controller('metrics')
export class MetricsController {
  private readonly registry = new Registry();
  private readonly applications = this.gauge('hokatsu_applications', 'Applications by deciding municipality, intake month and status.', ['municipality', 'intake_month', 'status']);
  private readonly stageSeconds = this.gauge('hokatsu_application_stage_seconds',
    'Seconds from submission to delivery, receipt and decision, per deciding municipality (p50, p90).', ['municipality', 'stage', 'quantile']);
  private readonly offerAnswers = this.gauge('hokatsu_offer_answers', 'Offers (内定) accepted, declined or lapsed, per deciding municipality.', ['municipality', 'answer']);
  private readonly failingDeliveries = this.gauge('hokatsu_webhook_deliveries_failing',
    'Webhook deliveries failing (retrying after a failure, or dead), per receiving municipality or partner.', ['owner_kind', 'owner', 'state']);
  private readonly notificationsSent = this.gauge('hokatsu_notifications_sent', 'Notifications sent to partners, per partner and kind.', ['partner', 'kind']);
  private readonly notificationsOpened = this.gauge('hokatsu_notifications_opened', 'Notifications partners reported opened (閲覧), per partner and kind.', ['partner', 'kind']);

  constructor(private readonly measures: StatusMetricsService) {
    collectDefaultMetrics({ register: this.registry });
  }

  @Roles(ApiRole.ADMIN)
  @Get()
  async scrape(@Res() res: Response) {
    const m = await this.measures.metrics({});
    for (const g of [this.applications, this.stageSeconds, this.offerAnswers, this.failingDeliveries, this.notificationsSent, this.notificationsOpened]) g.reset();
    for (const c of m.statusCounts) this.applications.inc({ municipality: c.municipalityCode, intake_month: c.intakeMonth, status: c.status }, c.count);
    for (const g of m.byMunicipality) {
      const municipality = g.municipalityCode!;
      for (const [stage, p] of [['delivered', g.submittedToDelivered], ['received', g.submittedToReceived], ['decided', g.submittedToDecision]] as const) {
        if (p.p50Seconds !== null) this.stageSeconds.set({ municipality, stage, quantile: '0.5' }, p.p50Seconds);
        if (p.p90Seconds !== null) this.stageSeconds.set({ municipality, stage, quantile: '0.9' }, p.p90Seconds);
      }
      this.offerAnswers.set({ municipality, answer: 'accepted' }, g.offersAccepted);
      this.offerAnswers.set({ municipality, answer: 'declined' }, g.offersDeclined);
      this.offerAnswers.set({ municipality, answer: 'lapsed' }, g.offersLapsed);
      this.failingDeliveries.set({ owner_kind: 'MUNICIPALITY', owner: municipality, state: 'retrying' }, g.deliveriesRetrying);
      this.failingDeliveries.set({ owner_kind: 'MUNICIPALITY', owner: municipality, state: 'dead' }, g.deliveriesDead);
    }
    for (const g of m.byPartner) {
      this.failingDeliveries.set({ owner_kind: 'PARTNER', owner: g.partnerClientId!, state: 'retrying' }, g.deliveriesRetrying);
      this.failingDeliveries.set({ owner_kind: 'PARTNER', owner: g.partnerClientId!, state: 'dead' }, g.deliveriesDead);
    }
    for (const r of m.notificationViewRates) {
      this.notificationsSent.set({ partner: r.partnerClientId, kind: r.kind }, r.sent);
      this.notificationsOpened.set({ partner: r.partnerClientId, kind: r.kind }, r.opened);
    }
    res.setHeader('content-type', this.registry.contentType);
    res.end(await this.registry.metrics());
  }

  private gauge<L extends string>(name: string, help: string, labelNames: L[]): Gauge<L> {
    return new Gauge({ name, help, labelNames, registers: [this.registry] });
  }
}
