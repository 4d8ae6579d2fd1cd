import { plainToInstance, Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, IsUrl, Matches, Max, Min, MinLength, Validate, validateSync, ValidatorConstraint, ValidatorConstraintInterface } from 'class-validator';
import { defaultPrivateTargets, parsePrivateTargets } from '../outbox/webhook-url';
import { FieldCryptoErrorCode, parseKeyRing } from '../common/field-crypto';
import { HubError } from '../common/errors';
import { StartupError } from './startup-error';
import { trustProxySetting } from './trust-proxy';

/** Keys that README documents for the demo; production refuses every one of them. */
export const DEMO_KEYS = {
  ADMIN: 'demo-admin-key',
  PARTNER: 'demo-partner-key',
  PARTNER_2: 'demo-partner2-key',
  OPERATOR: 'demo-operator-key',
  MUNICIPALITY_ITABASHI: 'demo-municipality-itabashi-key',
  MUNICIPALITY_ADACHI: 'demo-municipality-adachi-key',
} as const;

/** A fixed development key ring so that `npm start` works on a laptop; refused in production. */
export const DEMO_ENCRYPTION_KEYS = 'demo:ZGVtby1vbmx5LWtleS1kby1ub3QtdXNlLWluLXByb2Q=';

const toBool = ({ value }: { value: unknown }) =>
  value === undefined || value === '' ? undefined : value === true || value === 'true' || value === '1' ? true : value === false || value === 'false' || value === '0' ? false : value;
const toInt = ({ value }: { value: unknown }) => (value === undefined || value === '' ? undefined : Number(value));

@ValidatorConstraint({ name: 'trustProxy' })
class TrustProxyValue implements ValidatorConstraintInterface {
  validate(value: unknown) {
    return typeof value === 'string' && trustProxySetting(value) !== undefined;
  }
  defaultMessage() {
    return 'HUB_TRUST_PROXY must be "false", "true", a number of hops, or addresses and ranges such as "loopback, 10.0.0.0/8"';
  }
}

@ValidatorConstraint({ name: 'privateWebhookTargets' })
class PrivateWebhookTargetsValue implements ValidatorConstraintInterface {
  validate(value: unknown) {
    return typeof value === 'string' && parsePrivateTargets(value) !== undefined;
  }
  defaultMessage() {
    return 'HUB_PRIVATE_WEBHOOK_TARGETS must be "none" or addresses and ranges such as "loopback, 10.20.0.0/16"';
  }
}

/**
 * The whole environment, validated once at start. A bad variable stops the start with a message
 * naming it (see loadConfig).
 */
export class AppConfig {
  @IsIn(['development', 'production', 'test'])
  NODE_ENV: 'development' | 'production' | 'test' = 'development';

  @Transform(toInt) @IsInt() @Min(0) @Max(65535)
  PORT = 3000;

  @IsString()
  HOST = '0.0.0.0';

  /** PostgreSQL to use; without it the embedded PGlite under HUB_DATA_DIR is started. */
  @IsOptional() @Matches(/^postgres(ql)?:\/\/.+/, { message: 'DATABASE_URL must be a postgres:// URL' })
  DATABASE_URL?: string;

  @IsString()
  HUB_DATA_DIR = './.data';

  @Transform(toInt) @IsInt() @Min(1) @Max(200)
  DB_POOL_SIZE = 10;

  /**
   * How long the hub waits for the database at start (connection refused, the server still starting,
   * no answer) before it gives up; one log line per attempt.
   */
  @Transform(toInt) @IsInt() @Min(0) @Max(3600)
  HUB_DB_WAIT_SECONDS = 60;

  /** Every database connection: how long to wait for the server to accept it and answer (TCP, TLS, authentication). */
  @Transform(toInt) @IsInt() @Min(100) @Max(600_000)
  HUB_DB_CONNECT_TIMEOUT_MS = 5000;

  /** Every statement of the service and the command line (PostgreSQL's statement_timeout); migrations have their own. */
  @Transform(toInt) @IsInt() @Min(100) @Max(86_400_000)
  HUB_DB_STATEMENT_TIMEOUT_MS = 60_000;

  /** A statement of a migration (index builds and rewrites of large tables take longer than a request's). */
  @Transform(toInt) @IsInt() @Min(100) @Max(86_400_000)
  HUB_MIGRATION_STATEMENT_TIMEOUT_MS = 1_800_000;

  /** A session that keeps a transaction open without sending anything is ended after this (idle_in_transaction_session_timeout). */
  @Transform(toInt) @IsInt() @Min(100) @Max(86_400_000)
  HUB_DB_IDLE_IN_TRANSACTION_TIMEOUT_MS = 60_000;

  /** The first admin's key; admins create every other key through GraphQL. */
  @IsOptional() @IsString() @MinLength(16, { message: 'HUB_ADMIN_KEY must be at least 16 characters' })
  HUB_ADMIN_KEY?: string;

  /** Load demo data and demo keys at start (default: on, except in production where it is refused). */
  @IsOptional() @Transform(toBool) @IsBoolean()
  HUB_DEMO?: boolean;

  /** Key ring for personal fields, "id:base64key,…"; the first encrypts, all decrypt. */
  @IsString()
  HUB_ENCRYPTION_KEYS = DEMO_ENCRYPTION_KEYS;

  @Transform(toInt) @IsInt() @Min(1)
  HUB_RATE_LIMIT_PER_MINUTE = 1200;

  /**
   * The proxies in front of the hub whose X-Forwarded-For names the client (src/config/trust-proxy.ts):
   * "false", "true", a hop count, or addresses and ranges ("loopback, 10.0.0.0/8").
   */
  @IsString() @Validate(TrustProxyValue)
  HUB_TRUST_PROXY = 'loopback';

  /**
   * Non-public addresses that webhook and municipality delivery URLs may reach (src/outbox/webhook-url.ts):
   * "none", or "loopback", addresses and CIDR ranges. Default: "loopback" outside production (local
   * receivers, which may then use http), "none" in production (https to public addresses only).
   */
  @IsOptional() @IsString() @Validate(PrivateWebhookTargetsValue)
  HUB_PRIVATE_WEBHOOK_TARGETS?: string;

  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL = 'info';

  /** Base URL used in CloudEvents `source` and links in README output. */
  @IsOptional() @IsUrl({ require_tld: false, require_protocol: true })
  HUB_PUBLIC_URL?: string;

  /**
   * Keep vacancySearch results in memory, dropped on every change of the figures or facilities
   * (PostgreSQL LISTEN/NOTIFY; see src/vacancies/search-cache.ts). Needs a real PostgreSQL.
   */
  @Transform(toBool) @IsBoolean()
  HUB_SEARCH_CACHE = true;

  /**
   * Execute GraphQL operations compiled by graphql-jit (src/common/jit-gateway.ts); false runs every
   * operation through graphql-js's interpreter, the reference implementation.
   */
  @Transform(toBool) @IsBoolean()
  HUB_GRAPHQL_JIT = true;

  /**
   * Largest HTTP body accepted (bytes); a larger one is refused with 413 PAYLOAD_TOO_LARGE before it
   * is read. Imports sent through GraphQL (importVacancies, importFacilities) must fit; bigger files
   * go through the command line.
   */
  @Transform(toInt) @IsInt() @Min(10_000) @Max(100_000_000)
  HUB_MAX_BODY_BYTES = 4_000_000;

  /**
   * Who may introspect the schema and read "Did you mean …" suggestions in error messages: everyone
   * when true; only ADMIN callers when false. Default: true, except in production.
   */
  @IsOptional() @Transform(toBool) @IsBoolean()
  HUB_INTROSPECTION?: boolean;

  /** Run background workers (outbox delivery, scheduler) in this process. */
  @Transform(toBool) @IsBoolean()
  HUB_WORKERS = true;

  @Transform(toInt) @IsInt() @Min(10)
  HUB_WORKER_INTERVAL_MS = 500;

  /**
   * The status scheduler's full run (lapsed offers, rollovers, expiries, reminders) runs once per
   * period of this length across all instances (scheduled_job_run); each instance tries once per period.
   */
  @Transform(toInt) @IsInt() @Min(1000) @Max(86_400_000)
  HUB_SCHEDULER_PERIOD_MS = 60_000;

  /**
   * Node processes serving this instance (node:cluster). One Node process uses one core; on a
   * real PostgreSQL several processes share the port and coordinate through the database.
   */
  @Transform(toInt) @IsInt() @Min(1) @Max(64)
  HUB_PROCESSES = 1;

  get isProduction() {
    return this.NODE_ENV === 'production';
  }
  get demoEnabled() {
    return this.HUB_DEMO ?? !this.isProduction;
  }
  /** Introspection and schema suggestions for every caller (else for ADMIN callers only). */
  get schemaOpenToAll() {
    return this.HUB_INTROSPECTION ?? !this.isProduction;
  }
  get embedded() {
    return !this.DATABASE_URL;
  }
  get privateWebhookTargets() {
    return this.HUB_PRIVATE_WEBHOOK_TARGETS ?? defaultPrivateTargets(this.isProduction);
  }
  /**
   * One PostgreSQL session for the whole process: the embedded PGlite, also when a test runner
   * serves it over a socket (then with a pool of one). No parallel connections, no named prepared
   * statements, no LISTEN connection.
   */
  get singleSession() {
    return this.embedded || this.DB_POOL_SIZE === 1;
  }
}

/** A configuration the hub refuses to start on: one line per bad variable, exit status 2. */
export class ConfigError extends StartupError {}

/** Validate the environment; throws ConfigError listing every bad variable by name. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const known = Object.keys(new AppConfig());
  const picked: Record<string, unknown> = {};
  for (const key of [...known, 'DATABASE_URL', 'HUB_ADMIN_KEY', 'HUB_DEMO', 'HUB_PUBLIC_URL', 'HUB_PRIVATE_WEBHOOK_TARGETS', 'HUB_INTROSPECTION']) {
    if (env[key] !== undefined && env[key] !== '') picked[key] = env[key];
  }
  const config = plainToInstance(AppConfig, picked);
  const problems = validateSync(config, { whitelist: false }).map(
    (e) => `${e.property}: ${Object.values(e.constraints ?? {}).join('; ')} (got ${JSON.stringify(e.value)})`,
  );
  if (config.embedded && config.HUB_PROCESSES > 1)
    problems.push('HUB_PROCESSES: the embedded database has a single connection; run several processes only with DATABASE_URL');
  if (config.isProduction) {
    if (config.embedded) problems.push('DATABASE_URL: production needs a real PostgreSQL; the embedded database is for development only');
    if (config.HUB_DEMO) problems.push('HUB_DEMO: demo data and demo keys are refused in production');
    if (!config.HUB_ADMIN_KEY) problems.push('HUB_ADMIN_KEY: production needs an admin key (at least 32 random characters)');
    else if (Object.values(DEMO_KEYS).includes(config.HUB_ADMIN_KEY as never) || config.HUB_ADMIN_KEY.length < 32)
      problems.push('HUB_ADMIN_KEY: a demo or short key is refused in production (use at least 32 random characters)');
    if (config.HUB_ENCRYPTION_KEYS === DEMO_ENCRYPTION_KEYS) problems.push('HUB_ENCRYPTION_KEYS: the demo key ring is refused in production');
  }
  const keyProblem = keyRingProblem(config.HUB_ENCRYPTION_KEYS);
  if (keyProblem) problems.push(`HUB_ENCRYPTION_KEYS: ${keyProblem}`);
  if (problems.length) throw new ConfigError(problems.map((p) => `Invalid configuration: ${p}`).join('\n'));
  return config;
}

/**
 * The key ring is parsed here, before anything touches the database, by the same function the
 * ciphers use (field-crypto.ts), so a start never fails on it later. The message names no key material.
 */
function keyRingProblem(value: string): string | undefined {
  if (typeof value !== 'string') return undefined; // reported by @IsString
  try {
    parseKeyRing(value, 'HUB_ENCRYPTION_KEYS');
    return undefined;
  } catch (err) {
    if (err instanceof HubError && err.code === FieldCryptoErrorCode.FIELD_KEYS_INVALID) return err.message;
    throw err;
  }
}
