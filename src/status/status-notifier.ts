import { Inject, Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { CLOCK, Clock } from '../common/clock';
import { OutboxService } from '../outbox/outbox.service';
import type { OutboxMessageInput } from '../outbox/outbox.contract';
import { STATUS_CHANGED_EVENT } from './status.errors';
import { NotificationKind } from './status.entities';

interface PendingEntry {
  seq: number;
  type: string;
  actor_kind: string;
  from_status: string | null;
  to_status: string;
  details: Record<string, unknown>;
  message_en: string;
  message_ja: string;
  occurred_at: Date;
}

/**
 * Tells partners about their applications: every timeline entry as a signed webhook, and each
 * message recorded as a notification (for 閲覧率). Always called with the caller's EntityManager,
 * inside its transaction, with the application row locked, so that webhooks leave in timeline order.
 */
@Injectable()
export class StatusNotifier {
  constructor(private readonly outbox: OutboxService, @Inject(CLOCK) private readonly clock: Clock) {}

  /**
   * Enqueues every timeline entry after the application's notified_seq (except the submission itself,
   * which the partner made), in seq order, then moves notified_seq. Entries written by another feature
   * (the delivery acknowledgement) are sent here too: by the next change, or by the scheduler's sweep.
   * The caller must hold the application row lock (SELECT … FOR UPDATE).
   */
  async catchUp(m: EntityManager, applicationId: string): Promise<number> {
    const [app]: Array<{ partner_client_id: string; primary_municipality_code: string; notified_seq: number }> = await m.query(
      `SELECT partner_client_id, primary_municipality_code, notified_seq FROM application WHERE id = $1`,
      [applicationId],
    );
    if (!app) return 0;
    const entries: PendingEntry[] = await m.query(
      `SELECT seq, type, actor_kind, from_status, to_status, details, message_en, message_ja, occurred_at
         FROM application_event WHERE application_id = $1 AND seq > $2 ORDER BY seq`,
      [applicationId, app.notified_seq],
    );
    if (entries.length === 0) return 0;
    let sent = 0;
    for (const entry of entries) {
      if (entry.type === 'SUBMITTED') continue;
      await this.send(m, { kind: 'PARTNER', partnerClientId: app.partner_client_id }, NotificationKind.STATUS_CHANGE, {
        type: STATUS_CHANGED_EVENT,
        subject: `applications/${applicationId}`,
        orderingKey: applicationId,
        // One message per timeline entry ever, whichever path sends it first.
        deduplicationKey: `status:${applicationId}:${entry.seq}`,
        data: {
          applicationId,
          seq: entry.seq,
          event: entry.type,
          actor: entry.actor_kind,
          fromStatus: entry.from_status,
          toStatus: entry.to_status,
          occurredAt: new Date(entry.occurred_at).toISOString(),
          details: entry.details,
          message: { en: entry.message_en, ja: entry.message_ja },
        },
      }, { applicationId, municipalityCode: app.primary_municipality_code });
      sent++;
    }
    await m.query(`UPDATE application SET notified_seq = $2 WHERE id = $1`, [applicationId, entries[entries.length - 1].seq]);
    return sent;
  }

  /**
   * Enqueues one message to a partner (all its subscribed endpoints, or one given endpoint) and
   * records each resulting message as a notification. The notification id is the webhook-id.
   */
  async send(
    m: EntityManager,
    to: { kind: 'PARTNER'; partnerClientId: string; endpointId?: string },
    kind: NotificationKind,
    message: OutboxMessageInput,
    about: { applicationId: string | null; municipalityCode: string | null },
  ): Promise<string[]> {
    const labelled = { ...message, data: { notificationKind: kind, ...message.data } };
    const ids = to.endpointId
      ? [await this.outbox.enqueue(m, to.endpointId, labelled)].filter((id): id is string => id !== null)
      : await this.outbox.enqueueToOwner(m, { kind: 'PARTNER', id: to.partnerClientId }, labelled);
    if (ids.length) {
      await m.query(
        `INSERT INTO notification (id, partner_client_id, kind, application_id, municipality_code, sent_at)
         SELECT unnest($1::uuid[]), $2, $3, $4, $5, $6 ON CONFLICT (id) DO NOTHING`,
        [ids, to.partnerClientId, kind, about.applicationId, about.municipalityCode, this.clock.now()],
      );
    }
    return ids;
  }
}
