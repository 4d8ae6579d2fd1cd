import { Injectable } from '@nestjs/common';
import { ArgsType, Field, ID, Int, ObjectType } from '@nestjs/graphql';
import { IsInt, IsOptional, IsUUID, Max, Min } from 'class-validator';
import { DataSource } from 'typeorm';
import { ApiRole } from '../auth/api-client.entity';
import type { AuthenticatedClient } from '../auth/current-client.decorator';
import { assertFacilityScope } from '../auth/scope';
import { Errors } from '../common/errors';
import { Connection, ConnectionShape, decodeCursor, PageArgs, toConnection } from '../common/pagination';
import { Text } from '../common/text-field';
import { VacancyFigureKind } from './vacancy-figure-kind';
import { VacancySide, VacancySource } from './vacancy-rules';
import './vacancy.types'; // registers the GraphQL enums

@ObjectType({ description: 'One change of a vacancy figure (空き状況の変更履歴): who set which side, from what to what, and what parents saw.' })
export class VacancyChange {
  @Field(() => ID) id: string;
  @Field(() => ID) facilityId: string;
  @Field() intakeMonth: string;
  @Field(() => Int) classAge: number;
  @Field(() => VacancySide) side: VacancySide;
  @Field(() => VacancySource) source: VacancySource;
  @Field(() => VacancyFigureKind) figureKind: VacancyFigureKind;
  @Field({ description: 'False when this side had no figure before.' }) hadFigureBefore: boolean;
  @Field(() => Int, { nullable: true, description: 'Seats before (null = no class of this age, or no figure).' }) oldSeats: number | null;
  @Field(() => Int, { nullable: true }) newSeats: number | null;
  @Field(() => Int, { nullable: true, description: 'What parents saw before this change.' }) shownSeatsBefore: number | null;
  @Field(() => Int, { nullable: true, description: 'What parents see after this change.' }) shownSeatsAfter: number | null;
  @Field({ description: 'True when this change opened seats (0 or none → more than 0).' }) opened: boolean;
  @Field(() => Int) version: number;
  @Field() asOf: Date;
  @Field(() => ID, { nullable: true, description: 'The API client that made the change (null for demo data).' }) setBy: string | null;
  @Field() changedAt: Date;
}

@ObjectType()
export class VacancyChangeConnection extends Connection(VacancyChange, 'VacancyChange') {}

@ArgsType()
export class VacancyHistoryArgs extends PageArgs {
  @Field(() => ID) @IsUUID('all', { message: 'facilityId must be a facility id (UUID)' }) facilityId: string;
  @Field({ description: 'YYYY-MM' }) @Text('yearMonth') intakeMonth: string;
  @Field(() => Int, { nullable: true, description: 'Only this class age (0–5).' }) @IsOptional() @IsInt() @Min(0) @Max(5) classAge?: number;
}

/**
 * The append-only vacancy history, newest first. ADMIN sees every facility, OPERATOR its own,
 * MUNICIPALITY the facilities in its municipality.
 */
@Injectable()
export class VacancyHistoryService {
  constructor(private readonly db: DataSource) {}

  async list(args: VacancyHistoryArgs, client: AuthenticatedClient): Promise<ConnectionShape<VacancyChange>> {
    const [facility]: Array<{ municipality_code: string }> = await this.db.query(`SELECT municipality_code FROM facility WHERE id = $1`, [args.facilityId]);
    if (!facility) throw Errors.notFound('Facility', args.facilityId, 'facilityId');
    if (client.role === ApiRole.MUNICIPALITY) {
      if (client.municipalityCode !== facility.municipality_code.trim())
        throw Errors.forbidden(`Facility ${args.facilityId} is not in your municipality.`, `施設 ${args.facilityId} はあなたの自治体の施設ではありません。`, 'facilityId');
    } else if (client.role !== ApiRole.ADMIN) {
      assertFacilityScope(client, args.facilityId);
    }
    const params: unknown[] = [args.facilityId, args.intakeMonth];
    let where = 'facility_id = $1 AND intake_month = $2';
    if (args.classAge !== undefined && args.classAge !== null) where += ` AND class_age = $${params.push(args.classAge)}`;
    const [{ n }] = await this.db.query(`SELECT count(*)::int AS n FROM vacancy_history WHERE ${where}`, params);
    if (args.after) where += ` AND id < $${params.push(String(decodeCursor(args.after, 1)[0]))}::bigint`;
    // ORDER BY the column, not the selected text (which would sort '13000' before '5632').
    const rows: any[] = await this.db.query(
      `SELECT id::text, facility_id, intake_month, class_age, side, source, figure_kind, old_present, old_seats, new_seats,
              effective_old_seats, effective_new_seats, opened, version, as_of, set_by, changed_at
         FROM vacancy_history h WHERE ${where} ORDER BY h.id DESC LIMIT $${params.push(args.first + 1)}`,
      params,
    );
    const changes: VacancyChange[] = rows.map((r) => ({
      id: r.id,
      facilityId: r.facility_id,
      intakeMonth: r.intake_month,
      classAge: r.class_age,
      side: r.side,
      source: r.source,
      figureKind: r.figure_kind,
      hadFigureBefore: r.old_present,
      oldSeats: r.old_seats,
      newSeats: r.new_seats,
      shownSeatsBefore: r.effective_old_seats,
      shownSeatsAfter: r.effective_new_seats,
      opened: r.opened,
      version: r.version,
      asOf: r.as_of,
      setBy: r.set_by,
      changedAt: r.changed_at,
    }));
    return toConnection(changes, args.first, !!args.after, n, (c) => [c.id]);
  }
}
