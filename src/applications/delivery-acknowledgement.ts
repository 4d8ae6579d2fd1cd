/**
 * SUBMITTED → DELIVERED when the deciding municipality's system has the application: a 2xx to the
 * push, an acknowledged feed cursor, a downloaded batch file. Shared by the three channels so the
 * transition and its timeline entry are written one way. The state machine (applyStatusEvent)
 * decides the transition and its texts; this only stores the result, set-based.
 */
import { EntityManager } from 'typeorm';
import { returnedRows } from '../common/sql';
import { applyStatusEvent, ApplicationStatus, StatusActor, StatusEventType } from '../status/application-status';

export interface Acknowledger {
  /** Who acknowledged: the municipality's API client, or the hub (a push answered 2xx). */
  actor: StatusActor.MUNICIPALITY | StatusActor.SYSTEM;
  actorId: string | null;
  /** e.g. { channel: 'PULL', cursor: '42' } — stored on the timeline entry. */
  details: Record<string, unknown>;
}

/**
 * Moves those of `applicationIds` that are still SUBMITTED to DELIVERED, locking their rows, and
 * writes one DELIVERY_ACKNOWLEDGED timeline entry each. Others (already delivered, or moved on) are
 * left alone: acknowledgements arrive at least once. Returns the ids moved.
 */
export async function acknowledgeDelivery(m: EntityManager, applicationIds: readonly string[], by: Acknowledger, at: Date): Promise<string[]> {
  if (applicationIds.length === 0) return [];
  const rows: Array<{ id: string; intake_month: string; valid_until: string | null }> = await m.query(
    `SELECT id, intake_month, to_char(valid_until, 'YYYY-MM-DD') AS valid_until FROM application
      WHERE id = ANY($1) AND status = 'SUBMITTED' ORDER BY id FOR UPDATE`,
    [applicationIds],
  );
  if (rows.length === 0) return [];
  // The transition is the hub's (DELIVERY_ACKNOWLEDGED is a SYSTEM event); the timeline records who acknowledged.
  const entries = rows.map((row) => {
    const result = applyStatusEvent(
      { status: ApplicationStatus.SUBMITTED, intakeMonth: row.intake_month, validUntil: row.valid_until },
      { type: StatusEventType.DELIVERY_ACKNOWLEDGED, actor: StatusActor.SYSTEM, at },
    );
    return {
      id: row.id,
      to_status: result.status,
      message_en: result.timelineEntry.detailsEn,
      message_ja: result.timelineEntry.detailsJa,
      details: { ...result.timelineEntry.data, ...by.details },
    };
  });
  const moved = returnedRows<{ id: string }>(await m.query(
    `UPDATE application a SET status = x.to_status::application_status, version = a.version + 1, updated_at = $2
       FROM jsonb_to_recordset($1::jsonb) AS x(id uuid, to_status text)
      WHERE a.id = x.id AND a.status = 'SUBMITTED'
     RETURNING a.id`,
    [JSON.stringify(entries), at],
  ));
  await m.query(
    `INSERT INTO application_event (application_id, seq, type, actor_kind, actor_id, from_status, to_status, details, message_en, message_ja, occurred_at)
     SELECT x.id, (SELECT coalesce(max(e.seq), 0) + 1 FROM application_event e WHERE e.application_id = x.id),
            'DELIVERY_ACKNOWLEDGED', $2::application_actor_kind, $3, 'SUBMITTED', x.to_status::application_status, x.details, x.message_en, x.message_ja, $4
       FROM jsonb_to_recordset($1::jsonb) AS x(id uuid, to_status text, details jsonb, message_en text, message_ja text)
      WHERE x.id = ANY($5)`,
    [JSON.stringify(entries), by.actor, by.actorId, at, moved.map((r) => r.id)],
  );
  return moved.map((r) => r.id);
}
