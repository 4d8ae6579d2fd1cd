import { Errors, HubError } from '../../src/common/errors';

describe('HubError', () => {
  it('carries code, field and both languages', () => {
    const e = Errors.badInput('input.code', 'Bad code.', '誤ったコードです。');
    expect(e).toBeInstanceOf(HubError);
    expect([e.code, e.field, e.message, e.messageJa]).toEqual(['BAD_USER_INPUT', 'input.code', 'Bad code.', '誤ったコードです。']);
  });
});
