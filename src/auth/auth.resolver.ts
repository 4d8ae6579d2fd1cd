import { Args, Field, ID, Mutation, ObjectType, Query, Resolver } from '@nestjs/graphql';
import { Inject } from '@nestjs/common';
import { Connection, PageArgs, decodeCursor, toConnection } from '../common/pagination';
import { CLOCK, Clock } from '../common/clock';
import { ApiClient, ApiRole } from './api-client.entity';
import { AuthService } from './auth.service';
import { AuthenticatedClient, CurrentClient } from './current-client.decorator';
import { CreateApiClientInput } from './dto/create-api-client.input';
import { Roles } from './roles.decorator';

@ObjectType()
class CreateApiClientPayload {
  @Field(() => ApiClient) client: ApiClient;
  @Field({ description: 'The key. It is shown only now; the hub keeps only its hash.' }) key: string;
  @Field(() => [ID]) facilityIds: string[];
}

@ObjectType()
class ApiClientConnection extends Connection(ApiClient, 'ApiClient') {}

@ObjectType({ description: 'Who is calling.' })
class Viewer {
  @Field(() => ApiClient, { nullable: true, description: 'Null for an anonymous (public) call.' }) client: ApiClient | null;
  @Field(() => [ID]) facilityIds: string[];
}

@Resolver()
export class AuthResolver {
  constructor(private readonly auth: AuthService, @Inject(CLOCK) private readonly clock: Clock) {}

  @Query(() => Viewer, { description: 'The caller and its scope.' })
  viewer(@CurrentClient() client?: AuthenticatedClient): Viewer {
    return { client: client ?? null, facilityIds: client?.facilityIds ?? [] };
  }

  @Roles(ApiRole.ADMIN)
  @Query(() => ApiClientConnection, { description: 'Every API client (ADMIN).' })
  async apiClients(@Args() page: PageArgs) {
    const afterId = page.after ? String(decodeCursor(page.after, 1)[0]) : undefined;
    const rows = await this.auth.list(page.first, afterId);
    return toConnection(rows, page.first, !!afterId, rows.length, (c) => [c.id]);
  }

  @Roles(ApiRole.ADMIN)
  @Mutation(() => CreateApiClientPayload, { description: 'Create an API client and its key (ADMIN). The key is shown once.' })
  createApiClient(@Args('input') input: CreateApiClientInput, @CurrentClient() admin: AuthenticatedClient) {
    return this.auth.create(input, admin.id);
  }

  @Roles(ApiRole.ADMIN)
  @Mutation(() => ApiClient, { description: 'Revoke an API client (ADMIN); its key stops working at once.' })
  revokeApiClient(@Args('id', { type: () => ID }) id: string) {
    return this.auth.revoke(id, this.clock.now());
  }
}
