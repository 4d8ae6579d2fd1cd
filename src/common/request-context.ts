import type { Request, Response } from 'express';
import type { ApiClient } from '../auth/api-client.entity';

/** What every resolver can read from the GraphQL context. */
export interface HubRequest extends Request {
  id: string;
  apiClient?: ApiClient & { facilityIds: string[] };
  authFailure?: boolean;
}

export interface GqlContext {
  req: HubRequest;
  res: Response;
  /** Per-request DataLoaders; features register theirs through LoaderRegistry. */
  loaders: Map<string, unknown>;
}
