/**
 * Whether an error means the database cannot serve the request right now (unreachable, restarting,
 * out of connections, a connection cut mid-query, a statement cancelled by its timeout), as opposed
 * to a bug or a refused statement. Such errors reach callers as SERVICE_UNAVAILABLE (HTTP 503 with
 * Retry-After), never INTERNAL. Looks through TypeORM's QueryFailedError (driverError) and `cause`.
 */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'ENOTFOUND', 'ECONNABORTED']);
/** SQLSTATE: 08 connection exception; 57P01-03 admin shutdown, crash shutdown, cannot connect now; 53300 too many connections; 57014 statement timeout or cancel. */
const UNAVAILABLE_SQLSTATE = /^(08...|57P0[123]|53300|57014)$/;
const UNAVAILABLE_MESSAGE = /Connection terminated|connection error|not queryable|timeout exceeded when trying to connect|Connection is not established|the database system is (starting up|shutting down)/i;

export function isDatabaseUnavailable(error: unknown): boolean {
  let current: unknown = error;
  for (let i = 0; i < 6 && current && typeof current === 'object'; i++) {
    const e = current as { code?: unknown; message?: unknown; driverError?: unknown; cause?: unknown; originalError?: unknown; errors?: unknown };
    if (typeof e.code === 'string' && (NETWORK_CODES.has(e.code) || UNAVAILABLE_SQLSTATE.test(e.code))) return true;
    if (typeof e.message === 'string' && UNAVAILABLE_MESSAGE.test(e.message)) return true;
    // AggregateError (a connection attempt to every address of a host name)
    if (Array.isArray(e.errors) && e.errors.some((x) => isDatabaseUnavailable(x))) return true;
    current = e.driverError ?? e.cause ?? e.originalError;
  }
  return false;
}
