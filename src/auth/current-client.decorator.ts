import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import { GqlExecutionContext } from '@nestjs/graphql';
import type { GqlContext, HubRequest } from '../common/request-context';

export type AuthenticatedClient = NonNullable<HubRequest['apiClient']>;

/** The authenticated API client (undefined on a public call without credentials). */
export const CurrentClient = createParamDecorator((_: unknown, context: ExecutionContext) => {
  if (context.getType<string>() === 'graphql') return GqlExecutionContext.create(context).getContext<GqlContext>().req.apiClient;
  return context.switchToHttp().getRequest<HubRequest>().apiClient;
});
