import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import type { AuthenticatedClient } from '../auth/current-client.decorator';
import { ConnectionShape, decodeCursor, toConnection } from '../common/pagination';
import { AuditLogEntry } from './audit-log.entity';

export interface AuditRead {
  action: string;
  subjectType: string;
  subjectIds: readonly string[];
}

export interface AuditFilter {
  subjectType?: string | null;
  subjectId?: string | null;
  actorClientId?: string | null;
  action?: string | null;
}

/**
 * Who read which personal data, when (個人情報保護法: record who read what). One row per subject
 * read, written set-based in one statement, so a page of 100 applications costs one INSERT.
 */
@Injectable()
export class AuditService {
  constructor(private readonly db: DataSource) {}

  async record(client: AuthenticatedClient | null, read: AuditRead, at: Date, requestId: string | null, manager: EntityManager = this.db.manager): Promise<void> {
    if (read.subjectIds.length === 0) return;
    await manager.query(
      `INSERT INTO audit_log (actor_client_id, actor_role, action, subject_type, subject_id, at, request_id)
       SELECT $1, $2::api_role, $3, $4, subject_id, $5, $6 FROM unnest($7::text[]) AS subject_id`,
      [client?.id ?? null, client?.role ?? null, read.action, read.subjectType, at, requestId, [...new Set(read.subjectIds)]],
    );
  }

  /** Newest first, keyset on (at, id). */
  async list(filter: AuditFilter, first: number, after?: string | null): Promise<ConnectionShape<AuditLogEntry>> {
    const qb = this.db.manager.createQueryBuilder(AuditLogEntry, 'a');
    if (filter.subjectType) qb.andWhere('a.subject_type = :st', { st: filter.subjectType });
    if (filter.subjectId) qb.andWhere('a.subject_id = :sid', { sid: filter.subjectId });
    if (filter.actorClientId) qb.andWhere('a.actor_client_id = :actor', { actor: filter.actorClientId });
    if (filter.action) qb.andWhere('a.action = :action', { action: filter.action });
    const total = await qb.clone().getCount();
    if (after) {
      const [at, id] = decodeCursor(after, 2);
      qb.andWhere('(a.at, a.id) < (:at, :id)', { at, id });
    }
    const rows = await qb.orderBy('a.at', 'DESC').addOrderBy('a.id', 'DESC').limit(first + 1).getMany();
    return toConnection(rows, first, !!after, total, (r) => [r.at.toISOString(), r.id]);
  }
}
