import { BadRequestException, NotFoundException } from '@nestjs/common';
import { QueryFailedError } from 'typeorm';
import { isDatabaseUnavailable } from '../../src/common/database-errors';
import { Errors, hubError } from '../../src/common/errors';
import { formatGraphqlError } from '../../src/common/graphql-errors';
import { httpErrorOf } from '../../src/common/hub-error.filter';

const withCode = (message: string, code: string) => Object.assign(new Error(message), { code });

describe('isDatabaseUnavailable', () => {
  it.each<[string, unknown, boolean]>([
    ['connection refused', withCode('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED'), true],
    ['connection reset', withCode('read ECONNRESET', 'ECONNRESET'), true],
    ['cut mid-query', new Error('Connection terminated unexpectedly'), true],
    ['pool timeout', new Error('timeout exceeded when trying to connect'), true],
    ['admin shutdown (57P01) inside QueryFailedError', new QueryFailedError('SELECT 1', [], withCode('terminating connection due to administrator command', '57P01')), true],
    ['too many connections (53300)', withCode('sorry, too many clients already', '53300'), true],
    ['statement timeout (57014)', withCode('canceling statement due to statement timeout', '57014'), true],
    ['as the cause of another error', Object.assign(new Error('outer'), { cause: withCode('x', 'ECONNREFUSED') }), true],
    ['a unique violation', new QueryFailedError('INSERT', [], withCode('duplicate key value', '23505')), false],
    ['invalid text representation', withCode('invalid input syntax for type uuid: "x"', '22P02'), false],
    ['a bug', new TypeError('x is not a function'), false],
    ['not an error', 'ECONNREFUSED', false],
  ])('%s → %s', (_name, error, expected) => {
    expect(isDatabaseUnavailable(error)).toBe(expected);
  });
});

describe('httpErrorOf: errors outside GraphQL in the hub’s codes', () => {
  it.each<[string, unknown, number, string]>([
    ['a HubError keeps its code', Errors.notFound('Facility', 'x'), 404, 'NOT_FOUND'],
    ['bad input is 400', Errors.badInput('x', 'm', 'j'), 400, 'BAD_USER_INPUT'],
    ['a feature code is 422', hubError('TOUR_SLOT_FULL', 'm', 'j'), 422, 'TOUR_SLOT_FULL'],
    ['the body parser’s JSON error (via Nest)', new BadRequestException('Unexpected end of JSON input'), 400, 'BAD_REQUEST'],
    ['a body over the limit', Object.assign(new Error('request entity too large'), { status: 413, type: 'entity.too.large' }), 413, 'PAYLOAD_TOO_LARGE'],
    ['an unsupported charset', Object.assign(new Error('unsupported charset "X"'), { status: 415, type: 'charset.unsupported' }), 415, 'BAD_REQUEST'],
    ['an unknown route', new NotFoundException('Cannot GET /x'), 404, 'NOT_FOUND'],
    ['a database outage', withCode('connect ECONNREFUSED', 'ECONNREFUSED'), 503, 'SERVICE_UNAVAILABLE'],
    ['a bug', new TypeError('x is not a function'), 500, 'INTERNAL'],
  ])('%s', (_name, error, status, code) => {
    const got = httpErrorOf(error);
    expect([got.status, got.error.code]).toEqual([status, code]);
    expect(got.error.messageJa).toBeTruthy();
    if (code === 'INTERNAL') expect(got.error.message).not.toMatch(/function/);
  });
});

describe('formatGraphqlError', () => {
  it.each<[string, string, string]>([
    ['Apollo cannot choose the operation', 'OPERATION_RESOLUTION_FAILURE', 'BAD_USER_INPUT'],
    ['a request that is not GraphQL', 'BAD_REQUEST', 'BAD_REQUEST'],
    ['a persisted query Apollo Client must resend', 'PERSISTED_QUERY_NOT_FOUND', 'PERSISTED_QUERY_NOT_FOUND'],
    ['an unknown code', 'SOMETHING_ELSE', 'INTERNAL'],
  ])('%s: %s → %s', (_name, apolloCode, code) => {
    const out = formatGraphqlError({ message: 'm', extensions: { code: apolloCode } }, new Error('m'));
    expect(out.extensions?.code).toBe(code);
    expect(out.extensions?.messageJa).toBeTruthy();
  });

  it('graphql-js giving up after 50 bad variables is the caller\'s error, not INTERNAL', () => {
    const out = formatGraphqlError({ message: 'Too many errors processing variables, error limit reached. Execution aborted.', extensions: { code: 'INTERNAL_SERVER_ERROR' } }, new Error());
    expect(out.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('turns the parser limits into QUERY_TOO_COMPLEX, and a database outage into SERVICE_UNAVAILABLE', () => {
    expect(formatGraphqlError({ message: 'Syntax Error: Document contains more that 5000 tokens. Parsing aborted.', extensions: { code: 'GRAPHQL_PARSE_FAILED' } }, new Error()).extensions?.code).toBe('QUERY_TOO_COMPLEX');
    expect(formatGraphqlError({ message: 'x', extensions: { code: 'INTERNAL_SERVER_ERROR' } }, withCode('connect ECONNREFUSED', 'ECONNREFUSED')).extensions).toMatchObject({ code: 'SERVICE_UNAVAILABLE', details: { retryAfterSeconds: 5 } });
  });
});
