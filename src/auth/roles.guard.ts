import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { GqlExecutionContext } from '@nestjs/graphql';
import { Errors } from '../common/errors';
import type { GqlContext, HubRequest } from '../common/request-context';
import { ApiRole } from './api-client.entity';
import { ROLES_KEY } from './roles.decorator';

/**
 * A wrong or revoked key is refused everywhere (even on public reads), so a misconfigured partner
 * learns at once. Role checks come from @Roles; scope checks (own facilities, own municipality,
 * own applications) are in the services, next to the data they protect.
 */
@Injectable()
export class RolesGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const req: HubRequest =
      context.getType<string>() === 'graphql'
        ? GqlExecutionContext.create(context).getContext<GqlContext>().req
        : context.switchToHttp().getRequest<HubRequest>();
    if (req.authFailure) throw Errors.unauthenticated();
    const roles = this.reflector.getAllAndOverride<ApiRole[] | undefined>(ROLES_KEY, [context.getHandler(), context.getClass()]);
    if (!roles || roles.length === 0) return true;
    if (!req.apiClient) throw Errors.unauthenticated('This operation needs an API key: send "Authorization: Bearer <key>".', 'この操作にはAPIキーが必要です。「Authorization: Bearer <キー>」を送ってください。');
    if (!roles.includes(req.apiClient.role))
      throw Errors.forbidden(
        `Your API client has role ${req.apiClient.role}; this operation needs ${roles.join(' or ')}.`,
        `このAPIクライアントの役割は ${req.apiClient.role} です。この操作には ${roles.join(' または ')} が必要です。`,
      );
    return true;
  }
}
