import { Injectable, NestMiddleware } from '@nestjs/common';
import type { NextFunction, Response } from 'express';
import { Errors } from '../common/errors';
import type { HubRequest } from '../common/request-context';
import { AuthService } from './auth.service';

/**
 * Resolves "Authorization: Bearer <key>" once per request; the RolesGuard decides what it may do.
 * A wrong or revoked key (or an Authorization header that is not a bearer key) is refused here, on
 * every request, with 401 UNAUTHENTICATED: also `{ __typename }`, introspection and plain HTTP
 * routes, where no guarded resolver runs. A request without the header is anonymous.
 */
@Injectable()
export class AuthMiddleware implements NestMiddleware {
  constructor(private readonly auth: AuthService) {}

  async use(req: HubRequest, _res: Response, next: NextFunction) {
    try {
      const header = req.headers.authorization;
      if (header) {
        const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
        const client = match ? await this.auth.authenticate(match[1]) : null;
        if (!client) {
          req.authFailure = true;
          return next(Errors.unauthenticated());
        }
        req.apiClient = client;
      }
      next();
    } catch (err) {
      next(err);
    }
  }
}
