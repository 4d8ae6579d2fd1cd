import { createHash } from 'node:crypto';
import { HubError } from '../../src/common/errors';
import { canonicalJson, requestFingerprint } from '../../src/common/idempotency';

describe('canonicalJson', () => {
  it.each([
    ['sorts object keys', { b: 1, a: 2 }, '{"a":2,"b":1}'],
    ['sorts nested keys', { z: { y: 1, x: [{ d: 1, c: 2 }] } }, '{"z":{"x":[{"c":2,"d":1}],"y":1}}'],
    ['keeps array order', [3, 1, 2], '[3,1,2]'],
    ['drops undefined properties', { a: undefined, b: null }, '{"b":null}'],
    ['turns undefined in arrays into null', [1, undefined], '[1,null]'],
    ['drops functions', { a: () => 1, b: 1 }, '{"b":1}'],
    ['writes Dates as ISO strings', { at: new Date('2026-04-01T00:00:00Z') }, '{"at":"2026-04-01T00:00:00.000Z"}'],
    ['turns non-finite numbers into null', [NaN, Infinity], '[null,null]'],
    ['escapes strings as JSON does', { '板橋"区': 'a\nb' }, '{"板橋\\"区":"a\\nb"}'],
    ['sorts keys by code unit, not locale', { b: 1, B: 2, あ: 3, a: 4 }, '{"B":2,"a":4,"b":1,"あ":3}'],
    ['writes primitives', 'x', '"x"'],
    ['writes null', null, 'null'],
    ['writes a top-level undefined as null', undefined, 'null'],
    ['keeps empty containers', { a: {}, b: [] }, '{"a":{},"b":[]}'],
    ['allows the same object twice side by side', (() => { const s = { k: 1 }; return [s, s]; })(), '[{"k":1},{"k":1}]'],
  ])('%s', (_label, value, expected) => {
    expect(canonicalJson(value)).toBe(expected);
  });

  it('round-trips through JSON.parse to an equal value', () => {
    const input = { wishes: [{ rank: 1, facilityId: 'f1' }], child: { birthDate: '2025-06-01' } };
    expect(JSON.parse(canonicalJson(input))).toEqual(input);
  });

  it.each([
    ['a cycle', (() => { const o: Record<string, unknown> = {}; o.self = o; return o; })(), 'input.self'],
    ['a BigInt', { n: 1n }, 'input.n'],
  ])('rejects %s, naming where', (_label, value, field) => {
    expect(() => canonicalJson(value)).toThrow(HubError);
    expect(() => canonicalJson(value)).toThrow(expect.objectContaining({ field }));
  });
});

describe('requestFingerprint', () => {
  it('is the sha256 hex of the canonical JSON', () => {
    expect(requestFingerprint({ b: 1, a: 2 })).toBe(createHash('sha256').update('{"a":2,"b":1}').digest('hex'));
  });

  it.each([
    ['key order', { a: 1, b: 2 }, { b: 2, a: 1 }],
    ['an undefined property', { a: 1, note: undefined }, { a: 1 }],
    ['nested key order', { x: { p: 1, q: 2 } }, { x: { q: 2, p: 1 } }],
  ])('ignores %s', (_label, first, second) => {
    expect(requestFingerprint(first)).toBe(requestFingerprint(second));
  });

  it.each([
    ['array order', { wishes: ['f1', 'f2'] }, { wishes: ['f2', 'f1'] }],
    ['a changed value', { a: 1 }, { a: 2 }],
    ['a number versus a string', { a: 1 }, { a: '1' }],
    ['null versus absent', { a: null }, {}],
    ['an extra property', { a: 1 }, { a: 1, b: 1 }],
  ])('distinguishes %s', (_label, first, second) => {
    expect(requestFingerprint(first)).not.toBe(requestFingerprint(second));
  });
});
