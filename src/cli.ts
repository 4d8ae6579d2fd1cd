import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { CommandFactory } from 'nest-commander';
import { AppModule } from './app.module';
import { CLI_COMMANDS } from './cli-commands';
import { AdjustableClock, systemClock } from './common/clock';
import { setLogLevel } from './common/logger';
import { ConfigError, loadConfig } from './config/app-config';
import { resolveDatabase } from './bootstrap';
import { useNamedStatements } from './common/sql';
import { runMigrations } from './database/migrate';
import { MunicipalitiesService } from './municipalities/municipalities.service';

/**
 * `npm run hub -- <command>`: the same modules as the service (no HTTP listener, no workers),
 * on the same database (DATABASE_URL or the embedded one under HUB_DATA_DIR).
 */
async function main() {
  const args = process.argv.slice(2);
  let config;
  try {
    config = loadConfig({ LOG_LEVEL: 'warn', ...process.env, HUB_WORKERS: 'false' });
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(2);
    }
    throw err;
  }
  setLogLevel(config.LOG_LEVEL);
  const { url, embedded } = await resolveDatabase(config);
  try {
    useNamedStatements(!config.singleSession);
    const ran = await runMigrations(url, config.singleSession);
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

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
