import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { CommandFactory } from 'nest-commander';
import { AppModule } from './app.module';
import { CLI_COMMANDS } from './cli-commands';
import { AdjustableClock, systemClock } from './common/clock';
import { setLogLevel } from './common/logger';
import { AppConfig, loadConfig } from './config/app-config';
import { StartupError } from './config/startup-error';
import { resolveDatabase } from './bootstrap';
import { useNamedStatements } from './common/sql';
import { connectionLimits } from './database/connection-settings';
import { startEmbeddedPostgres } from './database/embedded-postgres';
import { runMigrations } from './database/migrate';
import { MunicipalitiesService } from './municipalities/municipalities.service';

/** Commands that read nothing from the database: on the embedded one they run on a throwaway copy in memory. */
const WITHOUT_DATA = new Set(['print-schema']);

/**
 * `npm run hub -- <command>`: the same modules as the service (no HTTP listener, no workers),
 * on the same database (DATABASE_URL or the embedded one under HUB_DATA_DIR). The embedded database
 * is opened by one process at a time, so a command is refused while the service (or another
 * command) has HUB_DATA_DIR, with a message naming that process.
 */
async function main() {
  const args = process.argv.slice(2);
  const config = loadConfig({ LOG_LEVEL: 'warn', ...process.env, HUB_WORKERS: 'false' });
  setLogLevel(config.LOG_LEVEL);
  const { url, embedded } = await openDatabase(config, args[0]);
  try {
    useNamedStatements(!config.singleSession);
    const ran = await runMigrations(url, config.singleSession, connectionLimits(config, 'migrations'));
    await embedded?.waitIdle();
    if (args[0] === 'migrate') {
      console.log(ran.length ? `applied: ${ran.join(', ')}` : 'no pending migrations');
      return;
    }
    const clock = config.isProduction ? systemClock : new AdjustableClock();
    @Module({ imports: [AppModule.forRoot(config, url, clock)], providers: [...CLI_COMMANDS] })
    class CliModule {}
    const app = await CommandFactory.createWithoutRunning(CliModule, { logger: ['error', 'warn'] });
    await app.get(MunicipalitiesService).ensureNationalList();
    await CommandFactory.runApplication(app);
    await app.close();
  } finally {
    await embedded?.stop();
  }
}

function openDatabase(config: AppConfig, command: string | undefined) {
  if (config.embedded && command && WITHOUT_DATA.has(command)) return startEmbeddedPostgres(null).then((embedded) => ({ url: embedded.url, embedded }));
  return resolveDatabase(config, `command line (${command ?? 'no command'})`);
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(err instanceof StartupError ? err.exitCode : 1);
});
