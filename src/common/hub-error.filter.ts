import { ArgumentsHost, Catch, ExceptionFilter, HttpException } from '@nestjs/common';
import type { Request, Response } from 'express';
import { isDatabaseUnavailable } from './database-errors';
import { CommonCode, Errors, HTTP_STATUS_OF_CODE, HubError, hubError, RETRY_AFTER_SECONDS } from './errors';
import { rootLogger } from './logger';

/** The body of every error answered outside GraphQL's own pipeline: the GraphQL error shape. */
export function errorBody(error: HubError, requestId: string | undefined) {
  return {
    errors: [
      {
        message: error.message,
        extensions: { code: error.code, messageJa: error.messageJa, field: error.field ?? null, ...(error.details ? { details: error.details } : {}), requestId },
      },
    ],
  };
}

export function sendHubError(res: Response, requestId: string | undefined, error: HubError, status = HTTP_STATUS_OF_CODE[error.code] ?? 422) {
  if (error.code === CommonCode.SERVICE_UNAVAILABLE) res.setHeader('retry-after', String(RETRY_AFTER_SECONDS));
  res.status(status).json(errorBody(error, requestId));
}

const unexpected = () =>
  hubError(CommonCode.INTERNAL, 'An unexpected error occurred. Quote the requestId when you contact the hub operators.', '予期しないエラーが発生しました。問い合わせの際は requestId をお伝えください。');

/**
 * What an error outside GraphQL resolvers means for the caller: errors of the HTTP layer (the JSON
 * body parser, an unknown route), the hub's own HubErrors, a database outage, or a bug.
 */
export function httpErrorOf(error: unknown): { error: HubError; status: number } {
  if (error instanceof HubError) return { error, status: HTTP_STATUS_OF_CODE[error.code] ?? 422 };
  if (isDatabaseUnavailable(error)) return { error: Errors.serviceUnavailable(), status: 503 };
  const status = error instanceof HttpException ? error.getStatus() : Number((error as { status?: unknown; statusCode?: unknown })?.status ?? (error as { statusCode?: unknown })?.statusCode);
  if (status === 413)
    return {
      status,
      error: hubError(CommonCode.PAYLOAD_TOO_LARGE, 'The request body is too large (HUB_MAX_BODY_BYTES). Send large files through the command line.', 'リクエスト本文が大きすぎます（HUB_MAX_BODY_BYTES）。大きなファイルはコマンドラインで取り込んでください。'),
    };
  if (status === 404) return { status, error: hubError(CommonCode.NOT_FOUND, 'There is nothing at this address. The API is at /graphql.', 'このアドレスには何もありません。API は /graphql です。') };
  if (status >= 400 && status < 500) {
    // Nest turns the body parser's SyntaxError into a BadRequestException; other parser errors keep their status (415 for a charset).
    const message = error instanceof HttpException || error instanceof SyntaxError ? 'The request body is not valid JSON.' : 'The request could not be read.';
    return { status, error: hubError(CommonCode.BAD_REQUEST, `${message} Send a JSON object such as {"query": "{ __typename }"} with content-type application/json.`, 'リクエストを読み取れません。content-type を application/json にして {"query": "{ __typename }"} のような JSON オブジェクトを送ってください。') };
  }
  return { error: unexpected(), status: 500 };
}

/**
 * Every error reaches the caller in one shape. In GraphQL, errors pass through to formatGraphqlError
 * (HubErrors are expected outcomes: no error log line). On plain HTTP routes (open data, feeds,
 * metrics), in middleware (the API key) and in Express's body parser, they become the GraphQL error
 * shape with extensions.code and requestId; a database outage is 503 with Retry-After.
 */
@Catch()
export class HubErrorFilter implements ExceptionFilter {
  catch(exception: unknown, host: ArgumentsHost) {
    if (host.getType<string>() === 'graphql') {
      // A resolver's HubError is its answer (graphql-js and graphql-jit both treat a returned Error as
      // the field's error); a database outage becomes one; anything else is thrown on as it came, for
      // formatGraphqlError to report as INTERNAL (and requestIdPlugin to log).
      if (exception instanceof HubError) return exception;
      if (isDatabaseUnavailable(exception)) return Errors.serviceUnavailable();
      throw exception;
    }
    const res = host.switchToHttp().getResponse<Response>();
    const req = host.switchToHttp().getRequest<Request & { id?: string }>();
    const { error, status } = httpErrorOf(exception);
    if (error.code === CommonCode.INTERNAL) rootLogger.error({ requestId: req.id, err: exception }, 'unexpected HTTP error');
    else if (error.code === CommonCode.SERVICE_UNAVAILABLE) rootLogger.warn({ requestId: req.id, err: exception }, 'database unavailable');
    if (res.headersSent) {
      // A streamed answer (open-data CSV) failed half-way: the status is gone; cut the stream so the caller sees it.
      res.destroy();
      return;
    }
    sendHubError(res, req.id, error, status);
  }
}

type ResponseWithRequest = Response & { req: Request & { id?: string } };
const expressSend = (res: Response) => Object.getPrototypeOf(res).send as Response['send'];

/** Adds the request id to an error body that Apollo answered before its request pipeline ran. */
function sendWithRequestId(this: ResponseWithRequest, body: unknown) {
  if (this.statusCode >= 400 && typeof body === 'string' && body.startsWith('{"errors"') && !body.includes('"requestId"')) {
    try {
      const parsed = JSON.parse(body) as { errors?: Array<{ extensions?: Record<string, unknown> }> };
      for (const e of parsed.errors ?? []) e.extensions = { ...(e.extensions ?? {}), requestId: this.req.id };
      body = JSON.stringify(parsed);
    } catch {
      /* not JSON after all: sent as it is */
    }
  }
  return expressSend(this).call(this, body);
}

/**
 * Apollo answers some requests before its request pipeline (where requestIdPlugin adds the request
 * id): a batch, a request without a query, one refused as cross-site, a document refused by
 * documentShapeRule. Mounted on /graphql, this gives those errors the request id too. It only
 * rewrites error bodies (status >= 400) that lack one.
 */
export function requestIdOnEarlyGraphqlErrors(_req: Request, res: Response, next: () => void) {
  res.send = sendWithRequestId as Response['send'];
  next();
}
