import { Inject, Injectable } from '@nestjs/common';
import { DataSource, In } from 'typeorm';
import type { AuthenticatedClient } from '../auth/current-client.decorator';
import { CLOCK, Clock } from '../common/clock';
import { Errors, hubError } from '../common/errors';
import { ConnectionShape, decodeCursor, PageArgs, toConnection } from '../common/pagination';
import { AdminAlert } from './admin-alert.entity';
import { DeliveryAttempt } from './delivery-attempt.entity';
import { AdminAlertsArgs, WebhookDeliveriesArgs } from './dto/webhook-deliveries.args';
import { OutboxErrorCode } from './outbox.errors';
import { OutboxMessage, OutboxMessageStatus } from './outbox-message.entity';
import { WebhookEndpoint, WebhookEndpointStatus } from './webhook-endpoint.entity';
import { removedError, WebhookEndpointService } from './webhook-endpoint.service';

/** What was delivered where: delivery history, dead letters and their replay, admin alerts. */
@Injectable()
export class WebhookDeliveriesService {
  constructor(
    private readonly db: DataSource,
    private readonly endpoints: WebhookEndpointService,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** Deliveries to one of the caller's endpoints (ADMIN: any), newest first. */
  async deliveries(client: AuthenticatedClient, args: WebhookDeliveriesArgs): Promise<ConnectionShape<OutboxMessage>> {
    await this.endpoints.findManageable(client, args.endpointId, 'endpointId');
    return this.page(args, { endpointId: args.endpointId, status: args.status ?? undefined });
  }

  /** Dead letters (配信不能) of every endpoint, newest first. ADMIN only (checked by the resolver's @Roles). */
  deadLetters(args: PageArgs): Promise<ConnectionShape<OutboxMessage>> {
    return this.page(args, { status: OutboxMessageStatus.DEAD });
  }

  /**
   * Puts a dead letter back in the queue: PENDING, due now, attempt count reset, same id (so the
   * receiver de-duplicates by webhook-id as before). Its attempt history is kept.
   */
  async replay(id: string): Promise<OutboxMessage> {
    const now = this.clock.now();
    return this.db.transaction(async (manager) => {
      const message = await manager.findOne(OutboxMessage, { where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!message) throw Errors.notFound('Dead letter', id, 'id');
      if (message.status !== OutboxMessageStatus.DEAD) {
        throw hubError(
          OutboxErrorCode.DEAD_LETTER_NOT_DEAD,
          `Message ${id} is ${message.status}, not a dead letter; only dead letters can be replayed.`,
          `メッセージ ${id} は ${message.status} で、配信不能メッセージではありません。再送できるのは配信不能メッセージのみです。`,
          { field: 'id', details: { id, status: message.status } },
        );
      }
      const endpoint = await manager.findOneByOrFail(WebhookEndpoint, { id: message.endpointId });
      if (endpoint.status === WebhookEndpointStatus.REMOVED) throw removedError(endpoint.id, 'id');
      await manager.query(
        `UPDATE outbox_message SET status = 'PENDING', attempts = 0, next_attempt_at = $2, lease_until = NULL WHERE id = $1 AND status = 'DEAD'`,
        [id, now],
      );
      return manager.findOneByOrFail(OutboxMessage, { id });
    });
  }

  async adminAlerts(args: AdminAlertsArgs): Promise<ConnectionShape<AdminAlert>> {
    const qb = this.db.manager.createQueryBuilder(AdminAlert, 'a');
    if (args.unacknowledgedOnly) qb.where('a.acknowledged_at IS NULL');
    const total = await qb.clone().getCount();
    if (args.after) {
      const [createdAt, alertId] = decodeCursor(args.after, 2);
      qb.andWhere('(a.created_at, a.id) < (:createdAt, :alertId)', { createdAt, alertId });
    }
    const rows = await qb.orderBy('a.created_at', 'DESC').addOrderBy('a.id', 'DESC').limit(args.first + 1).getMany();
    return toConnection(rows, args.first, !!args.after, total, (row) => [row.createdAt.toISOString(), row.id]);
  }

  async acknowledgeAlert(id: string): Promise<AdminAlert> {
    const now = this.clock.now();
    return this.db.transaction(async (manager) => {
      const alert = await manager.findOne(AdminAlert, { where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!alert) throw Errors.notFound('Admin alert', id, 'id');
      if (alert.acknowledgedAt) return alert;
      alert.acknowledgedAt = now;
      return manager.save(alert);
    });
  }

  attemptsOf(messageIds: readonly string[]): Promise<DeliveryAttempt[]> {
    return this.db.manager.find(DeliveryAttempt, { where: { messageId: In([...messageIds]) }, order: { id: 'ASC' } });
  }

  private async page(args: PageArgs, filter: { endpointId?: string; status?: OutboxMessageStatus }): Promise<ConnectionShape<OutboxMessage>> {
    const qb = this.db.manager.createQueryBuilder(OutboxMessage, 'm');
    if (filter.endpointId) qb.andWhere('m.endpoint_id = :endpointId', { endpointId: filter.endpointId });
    if (filter.status) qb.andWhere('m.status = :status', { status: filter.status });
    const total = await qb.clone().getCount();
    if (args.after) {
      const [seq] = decodeCursor(args.after, 1);
      if (typeof seq !== 'string' || !/^\d{1,19}$/.test(seq)) {
        throw Errors.badInput('after', '"after" is not a cursor this list returned; pass pageInfo.endCursor from the previous page.', '「after」はこの一覧が返したカーソルではありません。前のページの pageInfo.endCursor を渡してください。');
      }
      qb.andWhere('m.seq < :seq', { seq });
    }
    // seq (a bigserial) is the enqueue order: newest first, stable under inserts.
    const rows = await qb.orderBy('m.seq', 'DESC').limit(args.first + 1).getMany();
    return toConnection(rows, args.first, !!args.after, total, (row) => [row.seq]);
  }
}
