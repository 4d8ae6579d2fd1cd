import { ArgsType, Field, registerEnumType } from '@nestjs/graphql';
import { IsBoolean, IsEnum, IsOptional } from 'class-validator';
import { Text } from '../../common/text-field';
import { VacancyFigureKind } from '../vacancy-figure-kind';

export enum VacancyFileFormat {
  JSON = 'JSON',
  CSV = 'CSV',
}
registerEnumType(VacancyFileFormat, { name: 'VacancyFileFormat', description: 'JSON: the shape of data/vacancy/*.json. CSV: municipality_code,facility,intake_month,age0…age5 (see README).' });

@ArgsType()
export class ImportVacanciesArgs {
  @Field(() => VacancyFileFormat)
  @IsEnum(VacancyFileFormat)
  format: VacancyFileFormat;

  @Field({ description: 'The file text (UTF-8).' })
  @Text('fileContent', { max: 20_000_000 })
  content: string;

  @Field({ description: 'The municipality the list is for (6 digits); a MUNICIPALITY client may give only its own.' })
  @Text('municipalityCode')
  municipalityCode: string;

  @Field(() => String, { nullable: true, description: 'Intake month (入所月) YYYY-MM: required for JSON; for CSV, rows of other months are rejected.' })
  @IsOptional() @Text('yearMonth')
  intakeMonth?: string | null;

  @Field(() => VacancyFigureKind, { defaultValue: VacancyFigureKind.INTAKE_QUOTA, description: 'What the figures mean (see data/SOURCES.md).' })
  @IsEnum(VacancyFigureKind)
  figureKind: VacancyFigureKind = VacancyFigureKind.INTAKE_QUOTA;

  @Field(() => String, { nullable: true, description: "CSV only: the list's date YYYY-MM-DD (default: today in Japan). JSON files carry their own asOf." })
  @IsOptional() @Text('date')
  asOf?: string | null;

  @Field(() => Boolean, { defaultValue: false, description: 'Check and count without writing anything.' })
  @IsBoolean()
  dryRun: boolean = false;
}
