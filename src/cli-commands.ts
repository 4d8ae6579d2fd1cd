// Command-line commands (nest-commander); features add theirs here.
import { ImportFacilitiesCommand, PrintSchemaCommand, SeedDemoCommand } from './cli/hub.commands';
import { ImportVacanciesCommand } from './vacancies/import-vacancies.command';

export const CLI_COMMANDS: Array<new (...args: never[]) => unknown> = [ImportFacilitiesCommand, ImportVacanciesCommand, PrintSchemaCommand, SeedDemoCommand];
