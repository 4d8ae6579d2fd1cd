// Command-line commands (nest-commander); features add theirs here.
import { DemoReportCommand, ImportFacilitiesCommand, PrintSchemaCommand, SeedDemoCommand } from './cli/hub.commands';
import { ReencryptFieldsCommand } from './cli/reencrypt-fields.command';
import { ImportVacanciesCommand } from './vacancies/import-vacancies.command';

export const CLI_COMMANDS: Array<new (...args: never[]) => unknown> = [DemoReportCommand, ImportFacilitiesCommand, ImportVacanciesCommand, PrintSchemaCommand, ReencryptFieldsCommand, SeedDemoCommand];
