import { HubError } from '../../src/common/errors';
import { FieldCipher, generateKey, parseKeyRing } from '../../src/common/field-crypto';

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

  it.each([
    ['ascii', 'Taro Yamada'],
    ['Japanese', '山田 太郎（やまだ たろう）'],
    ['empty', ''],
    ['emoji and newlines', '👶\n東京都板橋区\r\n'],
  ])('round-trips %s text', (_label, plaintext) => {
    expect(cipher.decrypt(cipher.encrypt(plaintext))).toBe(plaintext);
  });

  it.each([
    ['an object', { name: '山田 花子', birthDate: '2025-06-01', siblings: [1, 2] }],
    ['an array', ['a', 1, null]],
    ['a string', 'x'],
    ['null', null],
  ])('round-trips %s as JSON', (_label, value) => {
    expect(cipher.decryptJson(cipher.encryptJson(value))).toEqual(value);
  });

  it('writes v1.<keyId>.<iv>.<tag>.<ciphertext> and uses a fresh IV each time', () => {
    const a = cipher.encrypt('same');
    const b = cipher.encrypt('same');
    expect(a).toMatch(/^v1\.k1\.[A-Za-z0-9+/=]+\.[A-Za-z0-9+/=]+\.[A-Za-z0-9+/=]*$/);
    expect(a).not.toBe(b);
    expect(a.split('.')[2]).not.toBe(b.split('.')[2]);
  });

  it('takes an injected random source for the IV', () => {
    const deterministic = new FieldCipher(parseKeyRing(`k1:${K1}`, ENV), (size) => Buffer.alloc(size, 9));
    expect(deterministic.encrypt('x')).toBe(deterministic.encrypt('x'));
  });

  describe('rotation', () => {
    const before = cipherFor(`k1:${K1}`);
    const after = cipherFor(`k2:${K2},k1:${K1}`);
    const oldToken = before.encrypt('保護者の電話番号');

    it('still decrypts a token made with the old key', () => {
      expect(after.decrypt(oldToken)).toBe('保護者の電話番号');
    });

    it('encrypts new values with the new key', () => {
      const newToken = after.encrypt('x');
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
      expect(() => dropped.decrypt(oldToken, 'guardian.phone')).toThrow(
        expect.objectContaining({ code: 'FIELD_KEY_UNKNOWN', field: 'guardian.phone', details: { keyId: 'k1' } }),
      );
    });
  });

  describe('tampering fails loudly', () => {
    const token = cipher.encrypt('山田 太郎');

    it.each([
      ['the ciphertext', (t: string) => withPart(t, 4, flipFirstByte)],
      ['the tag', (t: string) => withPart(t, 3, flipFirstByte)],
      ['the IV', (t: string) => withPart(t, 2, flipFirstByte)],
      ['the ciphertext truncated', (t: string) => withPart(t, 4, (p) => Buffer.from(p, 'base64').subarray(1).toString('base64'))],
      ['a token relabelled to another key with the same bytes', (t: string) => withPart(t, 1, () => 'k9')],
    ])('altered %s', (_label, tamper) => {
      const relabelTolerant = cipherFor(`k1:${K1},k9:${K1}`);
      expect(() => relabelTolerant.decrypt(tamper(token), 'child.name')).toThrow(
        expect.objectContaining({ code: 'FIELD_DECRYPTION_FAILED', field: 'child.name' }),
      );
    });

    it.each([
      ['not a token', 'plain text'],
      ['an unknown version', withPart(token, 0, () => 'v2')],
      ['too few parts', token.split('.').slice(0, 4).join('.')],
      ['a part that is not base64', withPart(token, 2, () => '***')],
      ['a short IV', withPart(token, 2, () => Buffer.alloc(8).toString('base64'))],
    ])('malformed: %s', (_label, bad) => {
      expect(() => cipher.decrypt(bad)).toThrow(expect.objectContaining({ code: 'FIELD_DECRYPTION_FAILED' }));
    });
  });

  it('rejects a token whose key id is unknown', () => {
    const other = cipherFor(`k7:${K2}`);
    expect(() => cipher.decrypt(other.encrypt('x'))).toThrow(expect.objectContaining({ code: 'FIELD_KEY_UNKNOWN' }));
  });
});

describe('generateKey', () => {
  it('makes a key that parseKeyRing accepts', () => {
    const key = generateKey();
    expect(Buffer.from(key, 'base64')).toHaveLength(32);
    expect(parseKeyRing(`k3:${key}`, ENV).current.id).toBe('k3');
  });
});
