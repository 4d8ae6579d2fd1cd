import { writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { GraphQLSchemaHost } from '@nestjs/graphql';
import { NestExpressApplication } from '@nestjs/platform-express';
import { lexicographicSortSchema, printSchema } from 'graphql';
import { AppModule } from './app.module';
import { SCHEMA_HEADER } from './cli/hub.commands';
import { AuthService } from './auth/auth.service';
import { AdjustableClock, Clock, systemClock } from './common/clock';
import { PinoNestLogger, requestLogging, rootLogger, setLogLevel } from './common/logger';
import { HubExpressAdapter } from './common/hub-express-adapter';
import { requestIdOnEarlyGraphqlErrors } from './common/hub-error.filter';
import { projectRoot } from './common/paths';
import { AppConfig, loadConfig } from './config/app-config';
import { EmbeddedPostgres, startEmbeddedPostgres } from './database/embedded-postgres';
import { useNamedStatements } from './common/sql';
import { runMigrations } from './database/migrate';
import { connectionLimits } from './database/connection-settings';
import { waitForDatabase } from './database/wait-for-database';
import { trustProxySetting } from './config/trust-proxy';
import { DemoSeedService } from './demo/demo-seed.service';
import { MunicipalitiesService } from './municipalities/municipalities.service';

export interface Hub {
  app: NestExpressApplication;
  config: AppConfig;
  url: string;
  clock: Clock;
  stop(): Promise<void>;
}

export const SCHEMA_FILE = 'schema.gql';

export function printHubSchema(app: INestApplication): string {
  const { schema } = app.get(GraphQLSchemaHost);
  return `${SCHEMA_HEADER}${printSchema(lexicographicSortSchema(schema))}\n`;
}

/**
 * Resolve the database: the given URL once it answers (waiting up to HUB_DB_WAIT_SECONDS), or the
 * embedded PGlite under HUB_DATA_DIR, locked for this process (`command` names it to a second one).
 */
export async function resolveDatabase(config: AppConfig, command = 'service'): Promise<{ url: string; embedded?: EmbeddedPostgres }> {
  if (config.DATABASE_URL) {
    await waitForDatabase(config.DATABASE_URL, connectionLimits(config), config.HUB_DB_WAIT_SECONDS, rootLogger);
    return { url: config.DATABASE_URL };
  }
  const embedded = await startEmbeddedPostgres(config.HUB_DATA_DIR, command);
  return { url: embedded.url, embedded };
}

/**
 * Start the whole hub: database, migrations, reference and demo data, HTTP. Used by main.ts, the
 * command line and the integration tests, so all three run the same code.
 */
export async function startHub(env: NodeJS.ProcessEnv = process.env, opts: { listen?: boolean; clock?: Clock } = {}): Promise<Hub> {
  const config = loadConfig(env);
  setLogLevel(config.LOG_LEVEL);
  const clock = opts.clock ?? (config.isProduction ? systemClock : new AdjustableClock());
  const started = Date.now();
  const { url, embedded } = await resolveDatabase(config);
  let app: NestExpressApplication | undefined;
  try {
    useNamedStatements(!config.singleSession);
    const ran = await runMigrations(url, config.singleSession, connectionLimits(config, 'migrations'));
    if (ran.length) rootLogger.info({ migrations: ran }, 'migrations applied');
    await embedded?.waitIdle();
    app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config, url, clock), new HubExpressAdapter(), {
      logger: new PinoNestLogger(),
      abortOnError: false,
      // JSON only (below): nothing here takes form-encoded bodies, so no parser runs for them on every request.
      bodyParser: false,
    });
    // Who the client is (its address is what anonymous reads are rate-limited by): HUB_TRUST_PROXY.
    app.set('trust proxy', trustProxySetting(config.HUB_TRUST_PROXY));
    // The request id and access log (a cheap replacement of pino-http; see requestLogging).
    app.use(requestLogging((url) => url.startsWith('/health')));
    // Apollo's errors before its pipeline get the request id too (hub-error.filter.ts).
    app.use('/graphql', requestIdOnEarlyGraphqlErrors);
    // A larger body is refused (413, PAYLOAD_TOO_LARGE) as soon as its length is known, before it is read;
    // a body that is not JSON is BAD_REQUEST: both through HubErrorFilter, in the GraphQL error shape.
    app.useBodyParser('json', { limit: config.HUB_MAX_BODY_BYTES });
    // GraphQL answers are POST responses: an ETag (a hash of every body) helps no client here.
    app.set('etag', false);
    await app.init();
    await app.get(MunicipalitiesService).ensureNationalList();
    await app.get(AuthService).ensureBootstrapAdmin(config.HUB_ADMIN_KEY);
    if (config.demoEnabled) await app.get(DemoSeedService).runAll(clock.now());
    if (config.NODE_ENV === 'development') writeSchemaIfChanged(app);
    if (opts.listen !== false) await app.listen(config.PORT, config.HOST);
    const address = opts.listen !== false ? app.getHttpServer().address() : null;
    const port = address && typeof address === 'object' ? address.port : config.PORT;
    const hubUrl = config.HUB_PUBLIC_URL ?? `http://localhost:${port}`;
    if (opts.listen !== false) embedded?.lock?.announce(`http://${['0.0.0.0', '::'].includes(config.HOST) ? 'localhost' : config.HOST}:${port}/graphql`);
    rootLogger.info({ url: `${hubUrl}/graphql`, embedded: config.embedded, ms: Date.now() - started }, 'hub started');
    const finalApp = app;
    return {
      app: finalApp,
      config,
      url: hubUrl,
      clock,
      async stop() {
        await finalApp.close();
        await embedded?.stop();
      },
    };
  } catch (err) {
    await app?.close().catch(() => undefined);
    await embedded?.stop().catch(() => undefined);
    throw err;
  }
}

function writeSchemaIfChanged(app: INestApplication) {
  const file = join(projectRoot(), SCHEMA_FILE);
  const text = printHubSchema(app);
  let current = '';
  try {
    current = readFileSync(file, 'utf8');
  } catch {
    /* first run */
  }
  if (current !== text) writeFileSync(file, text);
}
