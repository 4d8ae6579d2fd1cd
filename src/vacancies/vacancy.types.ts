import { Field, Float, ID, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { Facility } from '../facilities/facility.entity';
import { Connection } from '../common/pagination';
import { VacancyFigureKind } from './vacancy-figure-kind';
import { vacancyFreshness, VacancyFreshness, VacancySide, VacancySource } from './vacancy-rules';
import type { VacancyRow } from './vacancy-writer';

registerEnumType(VacancyFigureKind, {
  name: 'VacancyFigureKind',
  description: 'What a vacancy figure means: OPEN_SEATS = 空き数 (seats open now, as of the date); INTAKE_QUOTA = 募集人数 (children the facility will take in that intake month).',
});
registerEnumType(VacancySource, {
  name: 'VacancySource',
  description: 'Where a figure came from: OPERATOR (the facility, through the API), MUNICIPALITY_FEED (the municipality\'s own upload), IMPORT (a file imported by the platform: command line, admin, demo).',
});
registerEnumType(VacancySide, {
  name: 'VacancySide',
  description: 'The two sources of a cell: the facility OPERATOR or the MUNICIPALITY. The operator\'s figure is shown when it is newer than the municipality\'s as-of; otherwise the municipality\'s published figure.',
});
registerEnumType(VacancyFreshness, {
  name: 'VacancyFreshness',
  description: 'How old the figure is: FRESH (≤ 7 days), RECENT (8–31 days), STALE (older).',
});

@ObjectType({ description: 'A vacancy figure (空き状況) for one facility, class age and intake month: the figure parents see.' })
export class VacancyFigure {
  @Field(() => ID) facilityId: string;
  @Field({ description: 'Intake month (入所月), YYYY-MM.' }) intakeMonth: string;
  @Field(() => Int, { description: 'クラス年齢 (class age) 0–5: age on 1 April of the fiscal year of the intake month.' }) classAge: number;
  @Field(() => Int, { nullable: true, description: 'The figure (>= 0); null when the facility has no class of this age.' }) seats: number | null;
  @Field({ description: 'False when the facility has no class of this age in this month.' }) hasClass: boolean;
  @Field(() => VacancyFigureKind) figureKind: VacancyFigureKind;
  @Field({ description: 'When the figure is as of (a municipality list: the start of its date in Japan; an operator: the moment it was saved).' }) asOf: Date;
  @Field(() => VacancySource) source: VacancySource;
  @Field(() => VacancySide, { description: 'Which side this figure comes from.' }) side: VacancySide;
  @Field(() => Int, { description: 'Version of the cell; send it back as expectedVersion when you update it (0 when there is no figure yet).' }) version: number;
  @Field(() => Int, { description: 'Whole days between asOf and now.' }) ageInDays: number;
  @Field(() => VacancyFreshness) freshness: VacancyFreshness;
}

@ObjectType({ description: 'What one side (the operator or the municipality) says about a cell. Admins only.' })
export class VacancySideFigure {
  @Field(() => Int, { nullable: true, description: 'null = no class of this age.' }) seats: number | null;
  @Field(() => VacancyFigureKind) figureKind: VacancyFigureKind;
  @Field() asOf: Date;
  @Field(() => VacancySource) source: VacancySource;
  @Field(() => ID, { nullable: true, description: 'The API client that set it (null for demo data and command-line imports).' }) setBy: string | null;
}

@ObjectType({ description: 'Both sources of one cell and which one wins (shown to admins to resolve disagreements).' })
export class VacancyCellSources {
  @Field(() => Int) classAge: number;
  @Field() intakeMonth: string;
  @Field(() => VacancySide) winner: VacancySide;
  @Field(() => Int) version: number;
  @Field(() => VacancySideFigure, { nullable: true }) operator: VacancySideFigure | null;
  @Field(() => VacancySideFigure, { nullable: true }) municipality: VacancySideFigure | null;
}

@ObjectType({ description: 'The figures of one facility for one intake month, all class ages.' })
export class VacancyGrid {
  @Field(() => ID) facilityId: string;
  @Field() intakeMonth: string;
  @Field(() => [VacancyFigure], { description: 'One figure per class age that has one, by class age.' }) figures: VacancyFigure[];
}

@ObjectType({ description: 'A facility with its figure for the searched class age and intake month.' })
export class VacancySearchResult {
  @Field(() => Facility) facility: Facility;
  @Field(() => VacancyFigure) figure: VacancyFigure;
  @Field(() => Float, { nullable: true, description: 'Distance from the searched point in metres (when a point was given).' }) distanceMeters: number | null;
}

@ObjectType()
export class VacancySearchConnection extends Connection(VacancySearchResult, 'VacancySearch') {}

/** The columns of a stored cell that make the figure parents see. */
export type FigureColumns = Pick<VacancyRow, 'facility_id' | 'intake_month' | 'class_age' | 'seats' | 'figure_kind' | 'as_of' | 'source' | 'side' | 'version'>;

export function toVacancyFigure(row: FigureColumns, now: Date): VacancyFigure {
  const asOf = new Date(row.as_of);
  return {
    facilityId: row.facility_id,
    intakeMonth: row.intake_month.trim(),
    classAge: row.class_age,
    seats: row.seats,
    hasClass: row.seats !== null,
    figureKind: row.figure_kind,
    asOf,
    source: row.source,
    side: row.side,
    version: row.version,
    ...vacancyFreshness(asOf, now),
  };
}

export function toCellSources(row: VacancyRow): VacancyCellSources {
  return {
    classAge: row.class_age,
    intakeMonth: row.intake_month.trim(),
    winner: row.side,
    version: row.version,
    operator: row.operator_as_of
      ? { seats: row.operator_seats, figureKind: VacancyFigureKind.OPEN_SEATS, asOf: new Date(row.operator_as_of), source: VacancySource.OPERATOR, setBy: row.operator_set_by }
      : null,
    municipality: row.municipality_as_of
      ? { seats: row.municipality_seats, figureKind: row.municipality_kind!, asOf: new Date(row.municipality_as_of), source: row.municipality_source!, setBy: row.municipality_set_by }
      : null,
  };
}
