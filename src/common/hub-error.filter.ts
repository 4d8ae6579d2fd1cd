import { ArgumentsHost, Catch, ExceptionFilter } from '@nestjs/common';
import type { Response } from 'express';
import { HubError } from './errors';

const HTTP_STATUS: Record<string, number> = {
  BAD_USER_INPUT: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  RATE_LIMITED: 429,
};

/**
 * HubErrors are expected outcomes, not crashes: in GraphQL they pass through to formatError
 * (no error log line); on plain HTTP routes (open data, feeds) they become a JSON error body.
 */
@Catch(HubError)
export class HubErrorFilter implements ExceptionFilter {
  catch(error: HubError, host: ArgumentsHost) {
    if (host.getType<string>() === 'graphql') return error;
    const res = host.switchToHttp().getResponse<Response>();
    const req = host.switchToHttp().getRequest<{ id?: string }>();
    res.status(HTTP_STATUS[error.code] ?? 422).json({
      error: { code: error.code, message: error.message, messageJa: error.messageJa, field: error.field ?? null, details: error.details ?? null, requestId: req.id },
    });
  }
}
