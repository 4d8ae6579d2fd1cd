import { Injectable, NestMiddleware } from '@nestjs/common';
import type { NextFunction, Response } from 'express';
import type { HubRequest } from '../common/request-context';
import { AuthService } from './auth.service';

/** Resolves "Authorization: Bearer <key>" once per request; the RolesGuard decides what it may do. */
@Injectable()
export class AuthMiddleware implements NestMiddleware {
  constructor(private readonly auth: AuthService) {}

  async use(req: HubRequest, _res: Response, next: NextFunction) {
    try {
      const header = req.headers.authorization;
      if (header) {
        const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
        const client = match ? await this.auth.authenticate(match[1]) : null;
        if (client) req.apiClient = client;
        else req.authFailure = true;
      }
      next();
    } catch (err) {
      next(err);
    }
  }
}
