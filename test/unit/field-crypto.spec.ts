import { HubError } from '../../src/common/errors';
import { decryptForCaller, FieldCipher, generateKey, parseKeyRing } from '../../src/common/field-crypto';
import { rootLogger } from '../../src/common/logger';
import { legacyToken } from '../support/legacy-token';

const ENV = 'FIELD_ENCRYPTION_KEYS';
const K1 = Buffer.alloc(32, 1).toString('base64');
const K2 = Buffer.alloc(32, 2).toString('base64');
const cipherFor = (value: string) => new FieldCipher(parseKeyRing(value, ENV));

/** Replaces one dot-separated part of a token. */
function withPart(token: string, index: number, change: (part: string) => string): string {
  const parts = token.split('.');
  parts[index] = change(parts[index]);
  return parts.join('.');
}
const flipFirstByte = (b64: string) => {
  const bytes = Buffer.from(b64, 'base64');
  bytes[0] ^= 0x01;
  return bytes.toString('base64');
};

describe('parseKeyRing', () => {
  it('takes the first key as current and keeps all for decryption', () => {
    const ring = parseKeyRing(` k2:${K2} , k1:${K1} `, ENV);
    expect(ring.current.id).toBe('k2');
    expect([...ring.all.keys()]).toEqual(['k2', 'k1']);
  });

  it.each([
    ['undefined', undefined],
    ['empty', ''],
    ['only commas', ' , '],
    ['no key id', K1],
    ['an empty key id', `:${K1}`],
    ['a key id with a dot', `k.1:${K1}`],
    ['a duplicate id', `k1:${K1},k1:${K2}`],
    ['a key that is not base64', 'k1:not-base64!'],
    ['a 16-byte key', `k1:${Buffer.alloc(16, 1).toString('base64')}`],
    ['a 33-byte key', `k1:${Buffer.alloc(33, 1).toString('base64')}`],
    ['a good key then a bad one', `k2:${K2},k1:short`],
  ])('rejects %s, naming the variable', (_label, value) => {
    let thrown: unknown;
    try {
      parseKeyRing(value, ENV);
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(HubError);
    const error = thrown as HubError;
    expect(error).toMatchObject({ code: 'FIELD_KEYS_INVALID', field: ENV });
    expect(error.message).toContain(ENV);
    expect(error.messageJa).toContain(ENV);
  });

  it('never echoes key material in its error', () => {
    const secretLooking = Buffer.alloc(31, 7).toString('base64');
    expect(() => parseKeyRing(`k1:${secretLooking}`, ENV)).toThrow(expect.not.objectContaining({ message: expect.stringContaining(secretLooking) }));
  });
});

describe('FieldCipher', () => {
  const cipher = cipherFor(`k1:${K1}`);
  const A = { table: 'application', column: 'personal_data', row: '0b6f1c1e-1111-4111-8111-111111111111' };

  it.each([
    ['ascii', 'Taro Yamada'],
    ['Japanese', '山田 太郎（やまだ たろう）'],
    ['empty', ''],
    ['emoji and newlines', '👶\n東京都板橋区\r\n'],
  ])('round-trips %s text', (_label, plaintext) => {
    expect(cipher.decrypt(cipher.encrypt(plaintext, A), A)).toBe(plaintext);
  });

  it.each([
    ['an object', { name: '山田 花子', birthDate: '2025-06-01', siblings: [1, 2] }],
    ['an array', ['a', 1, null]],
    ['a string', 'x'],
    ['null', null],
  ])('round-trips %s as JSON', (_label, value) => {
    expect(cipher.decryptJson(cipher.encryptJson(value, A), A)).toEqual(value);
  });

  it('writes v2.<keyId>.<iv>.<tag>.<ciphertext> and uses a fresh IV each time', () => {
    const a = cipher.encrypt('same', A);
    const b = cipher.encrypt('same', A);
    expect(a).toMatch(/^v2\.k1\.[A-Za-z0-9+/=]+\.[A-Za-z0-9+/=]+\.[A-Za-z0-9+/=]*$/);
    expect(a).not.toBe(b);
    expect(a.split('.')[2]).not.toBe(b.split('.')[2]);
    expect(cipher.isBound(a)).toBe(true);
  });

  it('takes an injected random source for the IV', () => {
    const deterministic = new FieldCipher(parseKeyRing(`k1:${K1}`, ENV), (size) => Buffer.alloc(size, 9));
    expect(deterministic.encrypt('x', A)).toBe(deterministic.encrypt('x', A));
  });

  describe('a value is bound to its table, column and row', () => {
    const token = cipher.encrypt('山田 太郎', A);

    it.each([
      ['another row of the same column', { ...A, row: '0b6f1c1e-2222-4222-8222-222222222222' }],
      ['another column of the same row', { ...A, column: 'previous_secret' }],
      ['another table with the same row id', { ...A, table: 'webhook_endpoint' }],
      ['a row id that only differs in case', { ...A, row: A.row.toUpperCase() }],
      ['a row id that is a prefix', { ...A, row: A.row.slice(0, -1) }],
      ['table and column run together differently', { table: 'application_personal', column: 'data', row: A.row }],
    ])('is refused when read from %s', (_label, elsewhere) => {
      expect(() => cipher.decrypt(token, elsewhere)).toThrow(
        expect.objectContaining({ code: 'FIELD_DECRYPTION_FAILED', field: `${elsewhere.table}.${elsewhere.column}`, message: expect.stringContaining('moved from another row or column') }),
      );
    });

    it('two rows swapping their values both refuse, each row still reads its own', () => {
      const B = { ...A, row: 'b' };
      const a = cipher.encrypt('A のデータ', A);
      const b = cipher.encrypt('B のデータ', B);
      expect(() => cipher.decrypt(b, A)).toThrow(expect.objectContaining({ code: 'FIELD_DECRYPTION_FAILED' }));
      expect(() => cipher.decrypt(a, B)).toThrow(expect.objectContaining({ code: 'FIELD_DECRYPTION_FAILED' }));
      expect([cipher.decrypt(a, A), cipher.decrypt(b, B)]).toEqual(['A のデータ', 'B のデータ']);
    });

    it.each([
      ['no binding', undefined],
      ['an empty row', { ...A, row: '' }],
      ['a table name that is not an identifier', { ...A, table: 'application; drop' }],
      ['an empty column', { ...A, column: '' }],
    ])('needs a binding to write or read (a programming error otherwise): %s', (_label, binding) => {
      expect(() => cipher.encrypt('x', binding as never)).toThrow(/field binding/);
      expect(() => cipher.decrypt(token, binding as never)).toThrow();
    });
  });

  describe('legacy unbound (v1) values', () => {
    const key = parseKeyRing(`k1:${K1}`, ENV).current;
    const legacy = legacyToken(key, '板橋 花子');

    it('still decrypt, from any row, until re-encrypted', () => {
      expect(cipher.decrypt(legacy, A)).toBe('板橋 花子');
      expect(cipher.decrypt(legacy, { ...A, row: 'another' })).toBe('板橋 花子');
    });

    it('are recognised as unbound and due for re-encryption, even under the current key', () => {
      expect(cipher.isBound(legacy)).toBe(false);
      expect(cipher.keyIdOf(legacy)).toBe('k1');
      expect(cipher.needsRotation(legacy)).toBe(true);
      expect(cipher.needsRotation(cipher.encrypt('x', A))).toBe(false);
    });

    it('still fail when altered, or relabelled as bound', () => {
      expect(() => cipher.decrypt(withPart(legacy, 4, flipFirstByte), A)).toThrow(expect.objectContaining({ code: 'FIELD_DECRYPTION_FAILED' }));
      expect(() => cipher.decrypt(withPart(legacy, 0, () => 'v2'), A)).toThrow(expect.objectContaining({ code: 'FIELD_DECRYPTION_FAILED' }));
    });

    it('a bound value relabelled as legacy does not escape its binding', () => {
      expect(() => cipher.decrypt(withPart(cipher.encrypt('x', A), 0, () => 'v1'), { ...A, row: 'another' })).toThrow(
        expect.objectContaining({ code: 'FIELD_DECRYPTION_FAILED' }),
      );
    });
  });

  describe('rotation', () => {
    const before = cipherFor(`k1:${K1}`);
    const after = cipherFor(`k2:${K2},k1:${K1}`);
    const oldToken = before.encrypt('保護者の電話番号', A);

    it('still decrypts a token made with the old key', () => {
      expect(after.decrypt(oldToken, A)).toBe('保護者の電話番号');
    });

    it('encrypts new values with the new key', () => {
      const newToken = after.encrypt('x', A);
      expect(after.keyIdOf(newToken)).toBe('k2');
      expect(after.needsRotation(newToken)).toBe(false);
    });

    it('flags the old token for re-encryption', () => {
      expect(after.keyIdOf(oldToken)).toBe('k1');
      expect(after.needsRotation(oldToken)).toBe(true);
      expect(before.needsRotation(oldToken)).toBe(false);
    });

    it('fails on an old token once the old key is dropped, naming the key', () => {
      const dropped = cipherFor(`k2:${K2}`);
      expect(() => dropped.decrypt(oldToken, A)).toThrow(
        expect.objectContaining({ code: 'FIELD_KEY_UNKNOWN', field: 'application.personal_data', details: { keyId: 'k1' } }),
      );
    });
  });

  describe('tampering fails loudly', () => {
    const token = cipher.encrypt('山田 太郎', A);

    it.each([
      ['the ciphertext', (t: string) => withPart(t, 4, flipFirstByte)],
      ['the tag', (t: string) => withPart(t, 3, flipFirstByte)],
      ['the IV', (t: string) => withPart(t, 2, flipFirstByte)],
      ['the ciphertext truncated', (t: string) => withPart(t, 4, (p) => Buffer.from(p, 'base64').subarray(1).toString('base64'))],
      ['a token relabelled to another key with the same bytes', (t: string) => withPart(t, 1, () => 'k9')],
    ])('altered %s', (_label, tamper) => {
      const relabelTolerant = cipherFor(`k1:${K1},k9:${K1}`);
      expect(() => relabelTolerant.decrypt(tamper(token), A)).toThrow(
        expect.objectContaining({ code: 'FIELD_DECRYPTION_FAILED', field: 'application.personal_data' }),
      );
    });

    it.each([
      ['not a token', 'plain text'],
      ['an unknown version', withPart(token, 0, () => 'v3')],
      ['too few parts', token.split('.').slice(0, 4).join('.')],
      ['a part that is not base64', withPart(token, 2, () => '***')],
      ['a short IV', withPart(token, 2, () => Buffer.alloc(8).toString('base64'))],
    ])('malformed: %s', (_label, bad) => {
      expect(() => cipher.decrypt(bad, A)).toThrow(expect.objectContaining({ code: 'FIELD_DECRYPTION_FAILED' }));
    });
  });

  it('rejects a token whose key id is unknown', () => {
    const other = cipherFor(`k7:${K2}`);
    expect(() => cipher.decrypt(other.encrypt('x', A), A)).toThrow(expect.objectContaining({ code: 'FIELD_KEY_UNKNOWN' }));
  });
});

describe('decryptForCaller', () => {
  const cipher = cipherFor(`k1:${K1}`);
  const A = { table: 'application', column: 'personal_data', row: 'a' };
  const subject = { field: 'personalData', en: 'the personal data of application a', ja: '申込み a の個人情報', details: { applicationId: 'a' } };
  let logged: jest.SpyInstance;
  beforeEach(() => {
    logged = jest.spyOn(rootLogger, 'error').mockImplementation(() => undefined);
  });
  afterEach(() => logged.mockRestore());

  it('gives the plaintext of a value read from its own row, logging nothing', () => {
    expect(decryptForCaller(cipher, cipher.encrypt('x', A), A, subject, 'req-1')).toBe('x');
    expect(logged).not.toHaveBeenCalled();
  });

  it.each([
    ['a value of another row', cipher.encrypt('x', { ...A, row: 'b' }), 'FIELD_DECRYPTION_FAILED'],
    ['a value under a key the ring does not hold', cipherFor(`k7:${K2}`).encrypt('x', A), 'FIELD_KEY_UNKNOWN'],
    ['garbage', 'plain text', 'FIELD_DECRYPTION_FAILED'],
  ])('refuses %s with DATA_INTEGRITY_ERROR naming the record, and logs where and why (never the value)', (_label, token, cause) => {
    let thrown: unknown;
    try {
      decryptForCaller(cipher, token, A, subject, 'req-1');
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(HubError);
    expect(thrown).toMatchObject({ code: 'DATA_INTEGRITY_ERROR', field: 'personalData', details: { applicationId: 'a' } });
    const error = thrown as HubError;
    expect(error.message).toContain('application a');
    expect(error.messageJa).toContain('申込み a');
    // the caller learns nothing of the key ring
    expect(error.message).not.toMatch(/k7|key ring/);
    expect(logged).toHaveBeenCalledTimes(1);
    const [fields] = logged.mock.calls[0];
    expect(fields).toMatchObject({ requestId: 'req-1', table: 'application', column: 'personal_data', row: 'a', code: cause });
    expect(JSON.stringify(fields)).not.toContain(token);
  });
});

describe('generateKey', () => {
  it('makes a key that parseKeyRing accepts', () => {
    const key = generateKey();
    expect(Buffer.from(key, 'base64')).toHaveLength(32);
    expect(parseKeyRing(`k3:${key}`, ENV).current.id).toBe('k3');
  });
});
