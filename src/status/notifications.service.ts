import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { AuthenticatedClient } from '../auth/current-client.decorator';
import { CLOCK, Clock } from '../common/clock';
import { Errors } from '../common/errors';
import { returnedRows } from '../common/sql';
import type { NotificationView } from './status.types';
import { NotificationKind } from './status.entities';
import { assertUuid } from './status.service';

interface NotificationRow { id: string; kind: NotificationKind; application_id: string | null; sent_at: Date; opened_at: Date | null }

/** 閲覧率: partners report when a parent opened a notification; the first report counts, repeats change nothing. */
@Injectable()
export class NotificationsService {
  constructor(private readonly db: DataSource, @Inject(CLOCK) private readonly clock: Clock) {}

  async reportOpened(notificationId: string, client: AuthenticatedClient): Promise<NotificationView> {
    assertUuid(notificationId, 'notificationId');
    return this.db.transaction(async (m) => {
      // A vacancy alert not yet picked up by the scheduler's sweep is recorded now, if it was sent to this partner.
      await m.query(
        `INSERT INTO notification (id, partner_client_id, kind, sent_at)
         SELECT o.id, e.owner_id::uuid, 'VACANCY_ALERT', o.created_at
           FROM outbox_message o JOIN webhook_endpoint e ON e.id = o.endpoint_id
          WHERE o.id = $1 AND e.owner_kind = 'PARTNER' AND e.owner_id = $2 AND o.type LIKE 'jp.hokatsu.vacancy.%'
         ON CONFLICT (id) DO NOTHING`,
        [notificationId, client.id],
      );
      const updated = returnedRows<NotificationRow>(await m.query(
        `UPDATE notification SET opened_at = GREATEST($3::timestamptz, sent_at)
          WHERE id = $1 AND partner_client_id = $2 AND opened_at IS NULL
         RETURNING id, kind, application_id, sent_at, opened_at`,
        [notificationId, client.id, this.clock.now()],
      ));
      const [row] = updated.length ? updated : await m.query(
        `SELECT id, kind, application_id, sent_at, opened_at FROM notification WHERE id = $1 AND partner_client_id = $2`,
        [notificationId, client.id],
      ) as NotificationRow[];
      // Another partner's notification is as unknown as a made-up id.
      if (!row) throw Errors.notFound('Notification', notificationId, 'notificationId');
      return { id: row.id, kind: row.kind, applicationId: row.application_id, sentAt: row.sent_at, openedAt: row.opened_at };
    });
  }
}
