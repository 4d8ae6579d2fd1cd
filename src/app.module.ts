import type { ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';
import { ApolloDriver, ApolloDriverConfig } from '@nestjs/apollo';
import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_PIPE } from '@nestjs/core';
import { GraphQLModule, GraphQLSchemaHost } from '@nestjs/graphql';
import { GraphQLSchema } from 'graphql';
import { TerminusModule } from '@nestjs/terminus';
import { ThrottlerModule } from '@nestjs/throttler';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AuthModule } from './auth/auth.module';
import { RolesGuard } from './auth/roles.guard';
import { Clock } from './common/clock';
import { CommonModule } from './common/common.module';
import { formatGraphqlError, requestIdPlugin } from './common/graphql-errors';
import { costPlugin, QUERY_PARSE_OPTIONS, queryShapeRules } from './common/query-limits';
import { inputLiteralRule, inputVariablesPlugin } from './common/input-guard';
import { schemaVisibilityPlugin } from './common/schema-visibility';
import type { GqlContext, HubRequest } from './common/request-context';
import { HubErrorFilter } from './common/hub-error.filter';
import { jitGateway } from './common/jit-gateway';
import { dropPropertyReadResolvers } from './common/property-read-resolvers';
import { FixedWindowThrottlerStorage } from './common/rate-limit-storage';
import { postgresWindowCounts, SharedWindowThrottlerStorage } from './common/shared-rate-limit-storage';
import { HubThrottlerGuard } from './common/throttler.guard';
import { invalidateSearchCaches } from './vacancies/search-cache';
import { HubValidationPipe } from './common/validation';
import { AppConfig } from './config/app-config';
import { connectionLimits } from './database/connection-settings';
import { dataSourceOptions } from './database/data-source-options';
import { DemoModule } from './demo/demo.module';
import { FacilitiesModule } from './facilities/facilities.module';
import { HealthController } from './health/health.controller';
import { MunicipalitiesModule } from './municipalities/municipalities.module';
import { FEATURE_MODULES } from './feature-modules';

/** GraphQL responses are never cacheable (what Apollo's cache-control plugin answered for a schema without hints). */
const noStorePlugin: ApolloServerPlugin = {
  async requestDidStart() {
    return {
      async willSendResponse({ response }) {
        if (!response.http.headers.has('cache-control')) response.http.headers.set('cache-control', 'no-store');
      },
    };
  },
};

/** After a mutation (its transaction has committed), this process's next search reads the database again. */
const searchCachePlugin: ApolloServerPlugin = {
  async requestDidStart() {
    return {
      async willSendResponse({ operation }) {
        if (operation?.operation === 'mutation') invalidateSearchCaches();
      },
    };
  },
};

@Module({})
export class AppModule {
  static forRoot(config: AppConfig, databaseUrl: string, clock: Clock): DynamicModule {
    return {
      module: AppModule,
      imports: [
        CommonModule.forRoot(config, clock),
        TypeOrmModule.forRoot(dataSourceOptions(databaseUrl, config.singleSession, config.DB_POOL_SIZE, connectionLimits(config))),
        ThrottlerModule.forRootAsync({
          inject: [DataSource],
          useFactory: (db: DataSource) => ({
            throttlers: [{ name: 'default', ttl: 60_000, limit: config.HUB_RATE_LIMIT_PER_MINUTE }],
            // Counted in PostgreSQL for all processes and replicas; the embedded database serves one
            // process only (HUB_PROCESSES is refused with it), which counts on its own.
            storage: config.embedded ? new FixedWindowThrottlerStorage() : new SharedWindowThrottlerStorage(postgresWindowCounts(db)),
          }),
        }),
        GraphQLModule.forRootAsync<ApolloDriverConfig>({
          driver: ApolloDriver,
          inject: [GraphQLSchemaHost],
          useFactory: (host: GraphQLSchemaHost) => {
            return {
              path: '/graphql',
              autoSchemaFile: true,
              sortSchema: true,
              introspection: true,
              allowBatchedHttpRequests: false,
              csrfPrevention: true,
              context: ({ req, res }: { req: HubRequest; res: GqlContext['res'] }): GqlContext => ({ req, res, loaders: new Map() }),
              formatError: formatGraphqlError,
              // Nest would reset every response with data to HTTP 200; a database outage must stay 503
              // (requestIdPlugin). No resolver sets an HTTP status of its own.
              preserveHttpStatusForExecutionErrors: false,
              parseOptions: QUERY_PARSE_OPTIONS,
              validationRules: [...queryShapeRules, inputLiteralRule],
              transformSchema: (schema: GraphQLSchema) => (dropPropertyReadResolvers(schema), schema),
              // graphql-jit executes the operations; Apollo still parses, validates and formats. Switched
              // off (HUB_GRAPHQL_JIT=false), Apollo executes them itself with graphql-js, as with no
              // code of ours in between.
              ...(config.HUB_GRAPHQL_JIT ? { gateway: jitGateway(() => host.schema) } : {}),
              // Apollo's default cache-control plugin wraps every field resolver (a visible share of each
              // vacancySearch request, BENCHMARKS.md) to collect hints this schema never gives; without
              // hints its only effect was `cache-control: no-store`, which noStorePlugin keeps.
              plugins: [requestIdPlugin, costPlugin(() => host.schema), inputVariablesPlugin(() => host.schema), schemaVisibilityPlugin(config), ApolloServerPluginCacheControlDisabled(), noStorePlugin, searchCachePlugin],
            };
          },
        }),
        TerminusModule,
        AuthModule,
        MunicipalitiesModule,
        FacilitiesModule,
        DemoModule,
        ...FEATURE_MODULES,
      ],
      controllers: [HealthController],
      providers: [
        { provide: APP_PIPE, useClass: HubValidationPipe },
        { provide: APP_FILTER, useClass: HubErrorFilter },
        { provide: APP_GUARD, useClass: RolesGuard },
        { provide: APP_GUARD, useClass: HubThrottlerGuard },
      ],
    };
  }
}
