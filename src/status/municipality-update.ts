import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { applicationNotice, fullApplicationDocument } from '../applications/application-document';
import { DeliveryMode } from '../applications/application.entity';
import { ApplicationsService } from '../applications/applications.service';
import { OutboxService } from '../outbox/outbox.service';

export const APPLICATION_UPDATED_EVENT = 'jp.hokatsu.application.updated';
export const MUNICIPALITY_UPDATE_SENDER = Symbol('MUNICIPALITY_UPDATE_SENDER');

export interface ApplicationUpdate {
  /** Why the municipality gets the application again, e.g. DOCUMENT_ADDED (to a returned application). */
  reason: 'DOCUMENT_ADDED';
  documents: Array<{ kind: string; reference: string }>;
  /** The timeline entry that made the update. */
  seq: number;
}

export interface MunicipalityUpdateSender {
  sendUpdate(m: EntityManager, applicationId: string, update: ApplicationUpdate): Promise<void>;
}

/**
 * Sends an application back to its deciding municipality as an update, through the same channel
 * and the same documents as its submission (applications feature: application-document.ts):
 * PUSH → an outbox message to the municipality's endpoint; PULL → a feed entry of kind UPDATE
 * (the full document, encrypted); BATCH → the next download of the intake month's file.
 *
 * The recipient's acknowledgement is cleared and, for PUSH, pointed at the new message, so the
 * applications feature's own acknowledgement paths (push 2xx, feed cursor, batch download) move the
 * application from SUBMITTED to DELIVERED again, exactly as for a first submission.
 * The added document is also kept with the application (personal data, encrypted) and removed from
 * its missing documents, so `application(id)` shows what the municipality now has.
 */
@Injectable()
export class ApplicationsMunicipalityUpdateSender implements MunicipalityUpdateSender {
  constructor(private readonly applications: ApplicationsService, private readonly outbox: OutboxService) {}

  async sendUpdate(m: EntityManager, applicationId: string, update: ApplicationUpdate): Promise<void> {
    const [row] = await this.applications.rowsByIds([applicationId], m);
    const personal = this.applications.decryptPersonal(row);
    personal.documents = [...personal.documents, ...update.documents.map((d) => ({ kind: d.kind, reference: d.reference }))];
    const added = new Set(update.documents.map((d) => d.kind));
    const missing = row.missing_documents.filter((kind) => !added.has(kind));
    await m.query(
      `UPDATE application SET personal_data = $2, missing_documents = $3::jsonb, incomplete = $4 WHERE id = $1`,
      [applicationId, this.applications.encryptPersonal(applicationId, personal), JSON.stringify(missing), missing.length > 0],
    );
    const [facts] = await this.applications.factsOf([{ ...row, missing_documents: missing, incomplete: missing.length > 0 }], m);
    const [recipient]: Array<{ municipality_code: string; delivery_mode: DeliveryMode; endpoint_id: string | null }> = await m.query(
      `SELECT r.municipality_code, r.delivery_mode, d.endpoint_id
         FROM application_recipient r LEFT JOIN municipality_delivery d ON d.municipality_code = r.municipality_code
        WHERE r.application_id = $1 AND r.role = 'APPLICATION'`,
      [applicationId],
    );
    if (!recipient) return;
    const code = recipient.municipality_code;
    const change = { reason: update.reason, seq: update.seq, documents: update.documents };
    // The channel in use now: a municipality may have moved from PULL to PUSH since the submission.
    const mode = recipient.endpoint_id ? DeliveryMode.PUSH : recipient.delivery_mode === DeliveryMode.PUSH ? DeliveryMode.PULL : recipient.delivery_mode;
    let messageId: string | null = null;
    if (mode === DeliveryMode.PUSH && recipient.endpoint_id) {
      messageId = await this.outbox.enqueue(m, recipient.endpoint_id, {
        type: APPLICATION_UPDATED_EVENT,
        subject: `applications/${applicationId}`,
        orderingKey: applicationId,
        // The notice carries no personal data; document references are the partner's file ids, not contents.
        data: { ...applicationNotice(facts, code), update: change },
        deduplicationKey: `application:${applicationId}:${code}:update:${update.seq}`,
      });
    }
    const actualMode = messageId ? DeliveryMode.PUSH : mode === DeliveryMode.PUSH ? DeliveryMode.PULL : mode;
    if (actualMode === DeliveryMode.PULL) {
      await m.query(
        `INSERT INTO municipality_feed_entry (municipality_code, application_id, kind, payload, created_at)
         SELECT $1, $2, 'UPDATE', $3, updated_at FROM application WHERE id = $2`,
        [code, applicationId, this.applications.encryptFeedPayload(applicationId, code, 'UPDATE', { ...fullApplicationDocument(facts, code, personal), update: change })],
      );
    }
    await m.query(
      `UPDATE application_recipient SET delivery_mode = $3, outbox_message_id = $4, acknowledged_at = NULL
        WHERE application_id = $1 AND municipality_code = $2`,
      [applicationId, code, actualMode, messageId],
    );
  }
}
