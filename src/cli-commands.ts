// Command-line commands (nest-commander); features add theirs here.
import { ImportFacilitiesCommand, PrintSchemaCommand, SeedDemoCommand } from './cli/hub.commands';

export const CLI_COMMANDS: Array<new (...args: never[]) => unknown> = [ImportFacilitiesCommand, PrintSchemaCommand, SeedDemoCommand];
