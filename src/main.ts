import 'reflect-metadata';
import { startHub } from './bootstrap';
import { ConfigError, DEMO_KEYS } from './config/app-config';
import { rootLogger } from './common/logger';

async function main() {
  let hub;
  try {
    hub = await startHub();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(2);
    }
    rootLogger.fatal({ err }, 'the hub could not start');
    process.exit(1);
  }
  const { config, url } = hub;
  if (config.demoEnabled) {
    console.log(
      [
        '',
        `  保活情報連携基盤 (hokatsu hub) is running: ${url}/graphql`,
        `  database: ${config.embedded ? `embedded PGlite in ${config.HUB_DATA_DIR}` : 'PostgreSQL (DATABASE_URL)'}`,
        '  demo credentials (send as "Authorization: Bearer <key>"):',
        ...Object.entries(DEMO_KEYS).map(([role, key]) => `    ${role.padEnd(22)} ${key}`),
        '',
      ].join('\n'),
    );
  }
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

void main();
