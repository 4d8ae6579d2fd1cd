import { GraphQLError } from 'graphql';
import { Errors } from '../../src/common/errors';
import { formatGraphqlError } from '../../src/common/graphql-errors';

const format = (error: GraphQLError) => formatGraphqlError(error.toJSON(), error);

describe('formatGraphqlError', () => {
  it('maps a HubError to its code, both languages and the field', () => {
    const hub = Errors.badInput('input.code', 'Bad code.', '誤ったコードです。', { reason: 'LENGTH' });
    const out = format(new GraphQLError(hub.message, { originalError: hub, path: ['municipality'] }));
    expect(out).toMatchObject({ message: 'Bad code.', path: ['municipality'], extensions: { code: 'BAD_USER_INPUT', messageJa: '誤ったコードです。', field: 'input.code', details: { reason: 'LENGTH' } } });
  });

  it('turns an unexpected error into INTERNAL without its internals', () => {
    const crash = new Error('relation "secret_table" does not exist at /srv/app/dist/x.js:12');
    const out = format(new GraphQLError(crash.message, { originalError: crash, extensions: { code: 'INTERNAL_SERVER_ERROR', stacktrace: ['at x.js:12'] } }));
    expect(out.extensions).toMatchObject({ code: 'INTERNAL', messageJa: expect.any(String) });
    expect(JSON.stringify(out)).not.toMatch(/secret_table|x\.js|stacktrace/);
  });

  it('keeps graphql-js validation errors, adds Japanese and names the field', () => {
    const out = format(new GraphQLError('Field "nme" is not defined by type "Facility".', { extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }));
    expect(out.extensions).toMatchObject({ code: 'GRAPHQL_VALIDATION_FAILED', field: 'nme', messageJa: expect.any(String) });
  });
});
