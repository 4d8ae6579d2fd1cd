import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ApiRole } from '../auth/api-client.entity';
import type { AuthenticatedClient } from '../auth/current-client.decorator';
import { Errors } from '../common/errors';
import { ApplicationStatus } from './application-status';
import type { ApplicationMetricsFilter } from './dto/application-metrics.input';
import { NotificationKind } from './status.entities';
import type {
  ApplicationMetrics, ApplicationMetricsGroup, ApplicationStatusCount, DurationPercentiles, NotificationViewRate,
} from './status.types';

interface GroupRow {
  municipality_code: string | null;
  partner_client_id: string | null;
  by_municipality: number;
  by_partner: number;
  applications: number;
  delivered_n: number; delivered_p50: number | null; delivered_p90: number | null;
  received_n: number; received_p50: number | null; received_p90: number | null;
  decided_n: number; decided_p50: number | null; decided_p90: number | null;
  accepted: number; declined: number; lapsed: number;
}

interface FailingRow { owner_kind: 'MUNICIPALITY' | 'PARTNER'; owner_id: string; retrying: number; dead: number }

/** Where a duration ends: the first timeline entry of these types. */
const DECISIONS = `'OFFERED','NOT_PLACED','REJECTED'`;

/**
 * Measures of the application journey, computed in SQL from the applications, their timelines, the
 * outbox and the notifications (percentile_cont for p50/p90). Scope: an admin measures anything; a
 * municipality only the applications it decides on (its code is forced); nobody else.
 */
@Injectable()
export class StatusMetricsService {
  constructor(private readonly db: DataSource) {}

  scopedFilter(filter: ApplicationMetricsFilter | undefined, client: AuthenticatedClient): ApplicationMetricsFilter {
    if (client.role === ApiRole.ADMIN) return filter ?? {};
    if (client.role === ApiRole.MUNICIPALITY && client.municipalityCode) {
      if (filter?.municipalityCode && filter.municipalityCode !== client.municipalityCode) {
        throw Errors.forbidden(`A municipality measures only its own applications (${client.municipalityCode}).`,
          `自治体が参照できるのは自らの申込の指標（${client.municipalityCode}）だけです。`, 'filter.municipalityCode');
      }
      return { ...filter, municipalityCode: client.municipalityCode };
    }
    throw Errors.forbidden('Only admins and municipalities read application measures.', '申込の指標を参照できるのは管理者と自治体だけです。');
  }

  async metrics(filter: ApplicationMetricsFilter): Promise<ApplicationMetrics> {
    const params: unknown[] = [];
    const where = applicationConditions(filter, params);
    const [statusCounts, groups, failing, rates] = await Promise.all([
      this.statusCounts(where, params),
      this.groups(where, params),
      this.failingDeliveries(filter, where, params),
      this.viewRates(filter),
    ]);
    const failingOf = (kind: FailingRow['owner_kind'], id: string | null) => failing.find((f) => f.owner_kind === kind && f.owner_id === id);
    const toGroup = (row: GroupRow | undefined, municipalityCode: string | null, partnerClientId: string | null, f?: FailingRow): ApplicationMetricsGroup => ({
      municipalityCode,
      partnerClientId,
      applications: row?.applications ?? 0,
      submittedToDelivered: percentiles(row?.delivered_n, row?.delivered_p50, row?.delivered_p90),
      submittedToReceived: percentiles(row?.received_n, row?.received_p50, row?.received_p90),
      submittedToDecision: percentiles(row?.decided_n, row?.decided_p50, row?.decided_p90),
      offersAccepted: row?.accepted ?? 0,
      offersDeclined: row?.declined ?? 0,
      offersLapsed: row?.lapsed ?? 0,
      deliveriesRetrying: f?.retrying ?? 0,
      deliveriesDead: f?.dead ?? 0,
    });
    const municipalities = [...new Set([
      ...groups.filter((g) => g.by_municipality).map((g) => g.municipality_code!),
      ...failing.filter((f) => f.owner_kind === 'MUNICIPALITY').map((f) => f.owner_id),
    ])].sort();
    const partners = [...new Set([
      ...groups.filter((g) => g.by_partner).map((g) => g.partner_client_id!),
      ...failing.filter((f) => f.owner_kind === 'PARTNER').map((f) => f.owner_id),
    ])].sort();
    const overallRow = groups.find((g) => !g.by_municipality && !g.by_partner);
    const overall = toGroup(overallRow, filter.municipalityCode ?? null, filter.partnerClientId ?? null, {
      owner_kind: 'MUNICIPALITY', owner_id: '',
      retrying: failing.reduce((sum, f) => sum + f.retrying, 0),
      dead: failing.reduce((sum, f) => sum + f.dead, 0),
    });
    return {
      statusCounts,
      overall,
      byMunicipality: municipalities.map((code) => toGroup(groups.find((g) => g.by_municipality && g.municipality_code === code), code, null, failingOf('MUNICIPALITY', code))),
      byPartner: partners.map((id) => toGroup(groups.find((g) => g.by_partner && g.partner_client_id === id), null, id, failingOf('PARTNER', id))),
      notificationViewRates: rates,
    };
  }

  private async statusCounts(where: string, params: unknown[]): Promise<ApplicationStatusCount[]> {
    const rows: Array<{ municipality_code: string; partner_client_id: string; intake_month: string; status: ApplicationStatus; count: number }> = await this.db.query(
      `SELECT a.primary_municipality_code AS municipality_code, a.partner_client_id, a.intake_month, a.status, count(*)::int AS count
         FROM application a WHERE ${where}
        GROUP BY 1, 2, 3, 4 ORDER BY 1, 3, 4, 2`,
      params,
    );
    return rows.map((r) => ({ municipalityCode: r.municipality_code, partnerClientId: r.partner_client_id, intakeMonth: r.intake_month, status: r.status, count: r.count }));
  }

  /** One row for everything, one per municipality and one per partner (GROUPING SETS), with p50/p90 per stage. */
  private groups(where: string, params: unknown[]): Promise<GroupRow[]> {
    const stage = (col: string, name: string) =>
      `count(${col})::int AS ${name}_n,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM ${col} - s.submitted_at)) AS ${name}_p50,
       percentile_cont(0.9) WITHIN GROUP (ORDER BY extract(epoch FROM ${col} - s.submitted_at)) AS ${name}_p90`;
    return this.db.query(
      `WITH s AS (
         SELECT a.id, a.primary_municipality_code, a.partner_client_id, a.submitted_at, ev.*
           FROM application a
           LEFT JOIN LATERAL (
             SELECT min(e.occurred_at) FILTER (WHERE e.type = 'DELIVERY_ACKNOWLEDGED') AS delivered_at,
                    min(e.occurred_at) FILTER (WHERE e.type = 'RECEIVED') AS received_at,
                    min(e.occurred_at) FILTER (WHERE e.type IN (${DECISIONS})) AS decided_at,
                    count(*) FILTER (WHERE e.type = 'OFFER_ACCEPTED') AS accepted,
                    count(*) FILTER (WHERE e.type = 'OFFER_DECLINED') AS declined,
                    count(*) FILTER (WHERE e.type = 'OFFER_LAPSED') AS lapsed
               FROM application_event e WHERE e.application_id = a.id) ev ON true
          WHERE ${where})
       SELECT s.primary_municipality_code AS municipality_code, s.partner_client_id,
              (GROUPING(s.primary_municipality_code) = 0)::int AS by_municipality, (GROUPING(s.partner_client_id) = 0)::int AS by_partner,
              count(*)::int AS applications,
              ${stage('s.delivered_at', 'delivered')}, ${stage('s.received_at', 'received')}, ${stage('s.decided_at', 'decided')},
              sum(s.accepted)::int AS accepted, sum(s.declined)::int AS declined, sum(s.lapsed)::int AS lapsed
         FROM s GROUP BY GROUPING SETS ((), (s.primary_municipality_code), (s.partner_client_id))`,
      params,
    );
  }

  /**
   * Webhook deliveries failing: still PENDING after at least one failed attempt, or DEAD. Per
   * municipality (its endpoints) and per partner (its endpoints; with a municipality or month
   * filter, only messages about applications in the filter).
   */
  private failingDeliveries(filter: ApplicationMetricsFilter, where: string, params: unknown[]): Promise<FailingRow[]> {
    const own = [...params];
    const conditions: string[] = [];
    if (filter.municipalityCode || filter.intakeMonth) {
      own.push(filter.municipalityCode ?? null);
      conditions.push(`((e.owner_kind = 'MUNICIPALITY' AND ($${own.length}::text IS NULL OR e.owner_id = $${own.length}))
        OR (e.owner_kind = 'PARTNER' AND o.ordering_key IN (SELECT a.id::text FROM application a WHERE ${where})))`);
    } else {
      conditions.push(`e.owner_kind IN ('MUNICIPALITY','PARTNER')`);
    }
    if (filter.partnerClientId) {
      own.push(filter.partnerClientId);
      conditions.push(`(e.owner_kind <> 'PARTNER' OR e.owner_id = $${own.length})`);
      // A partner filter narrows municipality deliveries to that partner's applications.
      conditions.push(`(e.owner_kind <> 'MUNICIPALITY' OR o.ordering_key IN (SELECT a.id::text FROM application a WHERE ${where}))`);
    }
    return this.db.query(
      `SELECT e.owner_kind, e.owner_id,
              count(*) FILTER (WHERE o.status = 'PENDING' AND o.attempts > 0)::int AS retrying,
              count(*) FILTER (WHERE o.status = 'DEAD')::int AS dead
         FROM outbox_message o JOIN webhook_endpoint e ON e.id = o.endpoint_id
        WHERE (o.status = 'DEAD' OR (o.status = 'PENDING' AND o.attempts > 0)) AND ${conditions.join(' AND ')}
        GROUP BY 1, 2 ORDER BY 1, 2`,
      own,
    );
  }

  private async viewRates(filter: ApplicationMetricsFilter): Promise<NotificationViewRate[]> {
    const params: unknown[] = [];
    const where: string[] = ['true'];
    if (filter.municipalityCode) {
      params.push(filter.municipalityCode);
      where.push(`n.municipality_code = $${params.length}`);
    }
    if (filter.partnerClientId) {
      params.push(filter.partnerClientId);
      where.push(`n.partner_client_id = $${params.length}`);
    }
    if (filter.intakeMonth) {
      params.push(filter.intakeMonth);
      where.push(`EXISTS (SELECT 1 FROM application a WHERE a.id = n.application_id AND a.intake_month = $${params.length})`);
    }
    const rows: Array<{ partner_client_id: string; kind: NotificationKind; sent: number; opened: number }> = await this.db.query(
      `SELECT n.partner_client_id, n.kind, count(*)::int AS sent, count(n.opened_at)::int AS opened
         FROM notification n WHERE ${where.join(' AND ')} GROUP BY 1, 2 ORDER BY 1, 2`,
      params,
    );
    return rows.map((r) => ({ partnerClientId: r.partner_client_id, kind: r.kind, sent: r.sent, opened: r.opened, rate: r.sent ? r.opened / r.sent : null }));
  }
}

function applicationConditions(filter: ApplicationMetricsFilter, params: unknown[]): string {
  const where = ['true'];
  if (filter.municipalityCode) {
    params.push(filter.municipalityCode);
    where.push(`a.primary_municipality_code = $${params.length}`);
  }
  if (filter.partnerClientId) {
    params.push(filter.partnerClientId);
    where.push(`a.partner_client_id = $${params.length}`);
  }
  if (filter.intakeMonth) {
    params.push(filter.intakeMonth);
    where.push(`a.intake_month = $${params.length}`);
  }
  return where.join(' AND ');
}

function percentiles(count: number | undefined, p50: number | null | undefined, p90: number | null | undefined): DurationPercentiles {
  return { count: count ?? 0, p50Seconds: p50 === null || p50 === undefined ? null : Number(p50), p90Seconds: p90 === null || p90 === undefined ? null : Number(p90) };
}
