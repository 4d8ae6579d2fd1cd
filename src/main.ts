import 'reflect-metadata';
import cluster from 'node:cluster';
import { startHub } from './bootstrap';
import { AppConfig, ConfigError, DEMO_KEYS, loadConfig } from './config/app-config';
import { rootLogger } from './common/logger';
import { StartupError } from './config/startup-error';

function printBanner(config: AppConfig, url: string) {
  if (!config.demoEnabled) return;
  console.log(
    [
      '',
      `  保活情報連携基盤 (hokatsu hub) is running: ${url}/graphql`,
      `  database: ${config.embedded ? `embedded PGlite in ${config.HUB_DATA_DIR}` : 'PostgreSQL (DATABASE_URL)'}${config.HUB_PROCESSES > 1 ? `, ${config.HUB_PROCESSES} processes` : ''}`,
      '  demo credentials (send as "Authorization: Bearer <key>"):',
      ...Object.entries(DEMO_KEYS).map(([role, key]) => `    ${role.padEnd(22)} ${key}`),
      '',
    ].join('\n'),
  );
}

/** One process serving the hub until SIGTERM/SIGINT, then a graceful stop. */
async function serve(config: AppConfig) {
  let hub;
  try {
    hub = await startHub();
  } catch (err) {
    if (err instanceof StartupError) {
      // Something the operator can fix, said in one line (no stack).
      console.error(err.message);
      process.exit(err.exitCode);
    }
    rootLogger.fatal({ err }, 'the hub could not start');
    process.exit(1);
  }
  if (!cluster.isWorker || process.env.HUB_PROCESS_INDEX === '1') printBanner(config, hub.url);
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    rootLogger.info({ signal }, 'shutting down: finishing requests and in-flight deliveries');
    const force = setTimeout(() => process.exit(1), 15_000).unref();
    try {
      await hub!.stop();
      clearTimeout(force);
      process.exit(0);
    } catch (err) {
      rootLogger.error({ err }, 'shutdown failed');
      process.exit(1);
    }
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

/**
 * With HUB_PROCESSES > 1 the primary forks that many processes sharing the port (migrations and
 * demo data are guarded by advisory locks; deliveries and schedules by SKIP LOCKED and locks), and
 * replaces one that dies. SIGTERM is passed on and the primary exits when all have stopped.
 */
function supervise(config: AppConfig) {
  let stopping = false;
  const fork = (index: number) => {
    const worker = cluster.fork({ HUB_PROCESS_INDEX: String(index) });
    worker.on('exit', (code, signal) => {
      if (stopping) return;
      rootLogger.error({ index, code, signal }, 'a hub process died; starting another');
      setTimeout(() => fork(index), 1000).unref();
    });
  };
  for (let i = 1; i <= config.HUB_PROCESSES; i++) fork(i);
  const stop = (signal: NodeJS.Signals) => {
    stopping = true;
    for (const w of Object.values(cluster.workers ?? {})) w?.process.kill(signal);
    const wait = setInterval(() => {
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
    }, 100);
    setTimeout(() => process.exit(1), 20_000).unref();
    wait.unref();
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

function main() {
  let config: AppConfig;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(2);
    }
    throw err;
  }
  if (cluster.isPrimary && config.HUB_PROCESSES > 1) supervise(config);
  else void serve(config);
}

main();
