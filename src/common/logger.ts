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
