import { Inject, Injectable } from '@nestjs/common';
import { DataSource, EntityManager, In } from 'typeorm';
import type { AuthenticatedClient } from '../auth/current-client.decorator';
import { CLOCK, Clock } from '../common/clock';
import { Errors } from '../common/errors';
import { ConnectionShape, decodeCursor, PageArgs, toConnection } from '../common/pagination';
import { Facility } from '../facilities/facility.entity';
import { assertMunicipalityCode } from '../municipalities/municipality-code';
import { Municipality } from '../municipalities/municipality.entity';
import { OutboxService } from '../outbox/outbox.service';
import { CreateVacancyWatchInput } from './dto/create-vacancy-watch.input';
import { watchMatches } from './vacancy-rules';
import { VacancyWatch } from './vacancy-watch.entity';
import type { OpenedChange } from './vacancy-writer';

export const VACANCY_OPENED = 'jp.hokatsu.vacancy.opened';

/** Partners' vacancy watches, and the notices sent when a watched cell opens. */
@Injectable()
export class VacancyWatchesService {
  constructor(
    private readonly db: DataSource,
    private readonly outbox: OutboxService,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async create(input: CreateVacancyWatchInput, partner: AuthenticatedClient): Promise<VacancyWatch> {
    const byFacilities = !!input.facilityIds?.length;
    if (byFacilities === !!input.municipalityCode)
      throw Errors.badInput('input.facilityIds', 'Give either facilityIds or municipalityCode (not both, not neither).', 'facilityIds と municipalityCode のどちらか一方を指定してください。');
    if (input.near && !input.municipalityCode)
      throw Errors.badInput('input.near', 'near (a point and radius) narrows a municipality watch; give municipalityCode with it.', 'near（地点と半径）は自治体単位の見守りを絞り込むものです。municipalityCode と一緒に指定してください。');
    const facilityIds = byFacilities ? [...new Set(input.facilityIds)] : null;
    if (facilityIds) {
      const found = await this.db.manager.find(Facility, { select: { id: true }, where: { id: In(facilityIds) } });
      const missing = facilityIds.filter((id) => !found.some((f) => f.id === id));
      if (missing.length) throw Errors.notFound('Facility', missing.join(', '), 'input.facilityIds');
    } else {
      assertMunicipalityCode('input.municipalityCode', input.municipalityCode!);
      if (!(await this.db.manager.findOneBy(Municipality, { code: input.municipalityCode! }))) throw Errors.notFound('Municipality', input.municipalityCode!, 'input.municipalityCode');
    }
    // Another partner's endpoint is "not found" to this partner: never confirm that it exists.
    const [endpoint] = await this.db.query(
      `SELECT id FROM webhook_endpoint WHERE id = $1 AND owner_kind = 'PARTNER' AND owner_id = $2 AND status <> 'REMOVED'`,
      [input.endpointId, partner.id],
    );
    if (!endpoint) throw Errors.notFound('Webhook endpoint', input.endpointId, 'input.endpointId');
    return this.db.manager.save(
      this.db.manager.create(VacancyWatch, {
        partnerId: partner.id,
        parentReference: input.parentReference,
        facilityIds,
        municipalityCode: input.municipalityCode ?? null,
        latitude: input.near?.latitude ?? null,
        longitude: input.near?.longitude ?? null,
        radiusMeters: input.near?.radiusMeters ?? null,
        classAge: input.classAge,
        intakeMonth: input.intakeMonth,
        endpointId: input.endpointId,
        createdAt: this.clock.now(),
      }),
    );
  }

  /** The partner's own watches, oldest first. */
  async list(partner: AuthenticatedClient, page: PageArgs): Promise<ConnectionShape<VacancyWatch>> {
    const qb = this.db.manager.createQueryBuilder(VacancyWatch, 'w').where('w.partner_id = :partner', { partner: partner.id });
    const total = await qb.clone().getCount();
    if (page.after) {
      const [at, id] = decodeCursor(page.after, 2);
      qb.andWhere('(w.created_at, w.id) > (:at, :id)', { at, id });
    }
    const rows = await qb.orderBy('w.created_at', 'ASC').addOrderBy('w.id', 'ASC').limit(page.first + 1).getMany();
    return toConnection(rows.map(trimMonth), page.first, !!page.after, total, (w) => [w.createdAt.toISOString(), w.id]);
  }

  /** Removes one of the partner's watches; another partner's watch is NOT_FOUND (never FORBIDDEN, which would confirm it exists). */
  async remove(id: string, partner: AuthenticatedClient): Promise<VacancyWatch> {
    const watch = await this.db.manager.findOneBy(VacancyWatch, { id, partnerId: partner.id });
    if (!watch) throw Errors.notFound('Vacancy watch', id, 'id');
    await this.db.manager.delete(VacancyWatch, { id, partnerId: partner.id });
    return trimMonth(watch);
  }

  /**
   * In the writer's transaction: one outbox message per (watch, opened change). The deduplication key
   * holds the watch, the cell and the history row of the change, so a change is announced once even
   * if this runs twice, and a later re-opening of the same cell (a new history row) is announced again.
   */
  async notifyOpened(manager: EntityManager, opened: OpenedChange[]): Promise<number> {
    if (!opened.length) return 0;
    const pairs = [...new Set(opened.map((o) => `${o.intakeMonth}|${o.classAge}`))].map((k) => k.split('|'));
    const watches: Array<Record<string, any>> = await manager.query(
      `SELECT w.* FROM vacancy_watch w JOIN unnest($1::text[], $2::smallint[]) AS x(m, a) ON w.intake_month = x.m AND w.class_age = x.a`,
      [pairs.map((p) => p[0]), pairs.map((p) => Number(p[1]))],
    );
    if (!watches.length) return 0;
    const facilityIds = [...new Set(opened.map((o) => o.facilityId))];
    const facilities: Array<{ id: string; name: string; municipality_code: string; latitude: number | null; longitude: number | null }> = await manager.query(
      `SELECT id, name, municipality_code, latitude, longitude FROM facility WHERE id = ANY($1::uuid[])`,
      [facilityIds],
    );
    const facilityById = new Map(facilities.map((f) => [f.id, f]));
    let enqueued = 0;
    for (const change of opened) {
      const f = facilityById.get(change.facilityId)!;
      const cell = { facilityId: f.id, municipalityCode: f.municipality_code, classAge: change.classAge, intakeMonth: change.intakeMonth, latitude: f.latitude, longitude: f.longitude };
      for (const w of watches) {
        const target = {
          classAge: w.class_age, intakeMonth: String(w.intake_month).trim(), facilityIds: w.facility_ids, municipalityCode: w.municipality_code,
          latitude: w.latitude, longitude: w.longitude, radiusMeters: w.radius_meters,
        };
        if (!watchMatches(target, cell)) continue;
        const id = await this.outbox.enqueue(manager, w.endpoint_id, {
          type: VACANCY_OPENED,
          subject: `facilities/${f.id}/vacancies/${change.intakeMonth}/${change.classAge}`,
          orderingKey: `vacancy-watch:${w.id}`,
          deduplicationKey: `vacancy-opened:${w.id}:${f.id}:${change.intakeMonth}:${change.classAge}:${change.historyId}`,
          data: {
            watchId: w.id,
            parentReference: w.parent_reference,
            facility: { id: f.id, name: f.name, municipalityCode: f.municipality_code },
            classAge: change.classAge,
            intakeMonth: change.intakeMonth,
            seats: change.seats,
            previousSeats: change.previousSeats,
            figureKind: change.figureKind,
            asOf: change.asOf.toISOString(),
            source: change.source,
          },
        });
        if (id) enqueued++;
      }
    }
    return enqueued;
  }
}

function trimMonth(w: VacancyWatch): VacancyWatch {
  return Object.assign(w, { intakeMonth: w.intakeMonth.trim() });
}
