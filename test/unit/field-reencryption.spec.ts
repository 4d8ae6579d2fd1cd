import { FieldCipher, parseKeyRing } from '../../src/common/field-crypto';
import { childKeyOf } from '../../src/applications/child-key';
import { ColumnReport, planRow, removableKeys } from '../../src/common/field-reencryption';
import { legacyToken } from '../support/legacy-token';

const OLD = parseKeyRing(`k1:${Buffer.alloc(32, 1).toString('base64')}`, 'KEYS');
const RING = parseKeyRing(`k2:${Buffer.alloc(32, 2).toString('base64')},k1:${Buffer.alloc(32, 1).toString('base64')}`, 'KEYS');
const STRANGER = parseKeyRing(`k9:${Buffer.alloc(32, 9).toString('base64')}`, 'KEYS');
const HERE = { table: 'application', column: 'personal_data', row: 'app-1' };
const child = { kana: 'イタバシ ハナコ', birthDate: '2024-06-15' };
const personal = JSON.stringify({ child: { name: '板橋 花子', ...child } });
const underOld = new FieldCipher(OLD).encrypt(personal, HERE);
const underNew = new FieldCipher(RING).encrypt(personal, HERE);
const oldChildKey = childKeyOf(child, OLD.current);
const newChildKey = childKeyOf(child, RING.current);
const cipher = new FieldCipher(RING);

describe('planRow: what re-encryption does with one stored value', () => {
  it.each([
    ['a value under the current key, no child key: nothing', underNew, null, 'none'],
    ['a value and child key under the current key: nothing', underNew, newChildKey, 'none'],
    ['a value under the old key: re-encrypted, same plaintext', underOld, null, 'token'],
    ['a value and a child key under the old key: both', underOld, oldChildKey, 'token+child'],
    ['only the child key is old: the child key, the value kept as it is', underNew, oldChildKey, 'child'],
    ['an unbound value under the current key: bound', legacyToken(RING.current, personal), null, 'token'],
    ['an unbound value under the old key: bound, under the current key', legacyToken(OLD.current, personal), null, 'token'],
    ['an unbound value with an old child key: both', legacyToken(OLD.current, personal), oldChildKey, 'token+child'],
    ['a key the ring does not hold: reported, nothing written', new FieldCipher(STRANGER).encrypt(personal, HERE), null, 'problem'],
    ['an altered value: reported, nothing written', `${underOld.slice(0, -4)}AAAA`, null, 'problem'],
    ['a value moved here from another row, under the old key: reported, never rebound here', new FieldCipher(OLD).encrypt(personal, { ...HERE, row: 'app-2' }), null, 'problem'],
    ['not a token at all: reported', 'plain text', null, 'problem'],
  ])('%s', (_label, token, childKey, expected) => {
    const plan = planRow(cipher, RING, token, childKey, HERE);
    if (expected === 'none') return expect(plan).toBeNull();
    if (expected === 'problem') return expect(plan).toEqual({ problem: expect.stringContaining('application.personal_data') });
    if (!plan || 'problem' in plan) throw new Error(`expected a write, got ${JSON.stringify(plan)}`);
    expect(cipher.keyIdOf(plan.token)).toBe('k2');
    expect(cipher.isBound(plan.token)).toBe(true);
    expect(cipher.decrypt(plan.token, HERE)).toBe(personal);
    // bound to this row: another row refuses it
    expect(() => cipher.decrypt(plan.token, { ...HERE, row: 'app-2' })).toThrow(expect.objectContaining({ code: 'FIELD_DECRYPTION_FAILED' }));
    if (expected === 'child') expect(plan.token).toBe(token);
    else expect(plan.token).not.toBe(token);
    expect(plan.childKey).toBe(expected === 'token' ? null : newChildKey);
  });

  it('reports a stale child key whose data holds no child', () => {
    const secret = new FieldCipher(OLD).encrypt('whsec_abc', HERE);
    expect(planRow(cipher, RING, secret, oldChildKey, HERE)).toEqual({ problem: expect.stringContaining('no child identity') });
  });
});

describe('removableKeys: which keys of the ring no value uses any more', () => {
  const report = (keysInUse: Record<string, number>): ColumnReport => ({ field: 'x', scanned: 0, reencrypted: 0, failed: [], keysInUse, unbound: 0 });
  it.each([
    ['everything under the new key', [report({ k2: 3 }), report({ k2: 1, 'child_key:k2': 3 })], ['k1']],
    ['a value left under the old key', [report({ k2: 3, k1: 1 })], []],
    ['only a child key left under the old key', [report({ k2: 3, 'child_key:k1': 1 })], []],
    ['nothing stored at all: the current key stays', [], ['k1']],
  ])('%s', (_label, reports, removable) => {
    expect(removableKeys(RING, reports)).toEqual(removable);
  });
});
