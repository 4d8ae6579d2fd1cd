import { ExecutionContext, Injectable } from '@nestjs/common';
import { GqlExecutionContext } from '@nestjs/graphql';
import { ThrottlerGuard, ThrottlerLimitDetail } from '@nestjs/throttler';
import { hubError } from './errors';
import type { GqlContext, HubRequest } from './request-context';

/** Rate limit per API client (per address for anonymous public reads), for GraphQL and HTTP alike. */
@Injectable()
export class HubThrottlerGuard extends ThrottlerGuard {
  override getRequestResponse(context: ExecutionContext) {
    if (context.getType<string>() === 'graphql') {
      const ctx = GqlExecutionContext.create(context).getContext<GqlContext>();
      return { req: ctx.req as unknown as Record<string, unknown>, res: ctx.res as unknown as Record<string, unknown> };
    }
    return super.getRequestResponse(context);
  }

  protected override async getTracker(req: Record<string, unknown>): Promise<string> {
    const r = req as unknown as HubRequest;
    return r.apiClient ? `client:${r.apiClient.id}` : `ip:${r.ip}`;
  }

  /**
   * Per client and operation, as the library's own key, but without hashing it on every request
   * (the key never leaves the process).
   */
  protected override generateKey(context: ExecutionContext, tracker: string, name: string): string {
    return `${context.getClass().name}.${context.getHandler().name}.${name}.${tracker}`;
  }

  protected override async throwThrottlingException(_context: ExecutionContext, detail: ThrottlerLimitDetail): Promise<void> {
    throw hubError(
      'RATE_LIMITED',
      `Too many requests: the limit is ${detail.limit} per minute for each client. Retry after ${Math.ceil(detail.timeToBlockExpire || detail.timeToExpire)} seconds.`,
      `リクエストが多すぎます。上限はクライアントごとに1分あたり ${detail.limit} 件です。${Math.ceil(detail.timeToBlockExpire || detail.timeToExpire)} 秒後に再試行してください。`,
      { details: { limit: detail.limit, retryAfterSeconds: Math.ceil(detail.timeToBlockExpire || detail.timeToExpire) } },
    );
  }
}
