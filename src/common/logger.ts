import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { LoggerService } from '@nestjs/common';
import pino from 'pino';

/** Structured JSON logs. Personal fields never reach a log line: log ids, not payloads. */
export const rootLogger = pino({
  level: process.env.LOG_LEVEL ?? 'info',
  base: { service: 'hokatsu-hub' },
  redact: { paths: ['req.headers.authorization', '*.authorization', '*.key', '*.secret', '*.child', '*.guardians'], censor: '[redacted]' },
  timestamp: pino.stdTimeFunctions.isoTime,
});

export function setLogLevel(level: string) {
  rootLogger.level = level;
}

export class PinoNestLogger implements LoggerService {
  log(message: unknown, context?: string) {
    rootLogger.info({ context }, String(message));
  }
  error(message: unknown, trace?: string, context?: string) {
    rootLogger.error({ context, trace }, String(message));
  }
  warn(message: unknown, context?: string) {
    rootLogger.warn({ context }, String(message));
  }
  debug(message: unknown, context?: string) {
    rootLogger.debug({ context }, String(message));
  }
  verbose(message: unknown, context?: string) {
    rootLogger.trace({ context }, String(message));
  }
}

/**
 * The request id and the access log, as pino-http did, but cheap on the hot path (measured with the
 * vacancySearch benchmark, BENCHMARKS.md): pino-http built a child logger (serialising and redacting
 * the request) for every request even when nothing was logged. Here nothing is built unless the line
 * is actually written: a failed request (status >= 500) at error level, one the client abandoned at
 * warn, any other at info.
 * The id is the caller's x-request-id when it is sane, else a new uuid, echoed in the response header.
 */
export function requestLogging(ignore: (url: string) => boolean) {
  return (req: IncomingMessage & { id?: string }, res: ServerResponse, next: () => void) => {
    const given = req.headers['x-request-id'];
    const id = typeof given === 'string' && /^[\w.-]{1,100}$/.test(given) ? given : randomUUID();
    req.id = id;
    res.setHeader('x-request-id', id);
    // Read now: Express's router rewrites req.url under a mount path ("/graphql" reads "/" by the end).
    const url = req.url ?? '';
    if (!ignore(url)) {
      const started = Date.now();
      let done = false;
      const finished = () => {
        if (done) return;
        done = true;
        const aborted = !res.writableFinished;
        const level = res.statusCode >= 500 ? 'error' : aborted ? 'warn' : 'info';
        if (!rootLogger.isLevelEnabled(level)) return;
        rootLogger[level](
          { req: { id, method: req.method, url }, res: { statusCode: res.statusCode }, responseTime: Date.now() - started },
          aborted ? 'request aborted' : res.statusCode >= 500 ? 'request errored' : 'request completed',
        );
      };
      res.once('finish', finished);
      res.once('close', finished);
    }
    next();
  };
}
