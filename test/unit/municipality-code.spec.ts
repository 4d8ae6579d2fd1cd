import { readFileSync } from 'fs';
import { join } from 'path';
import { HubError } from '../../src/common/errors';
import {
  assertMunicipalityCode,
  isValidMunicipalityCode,
  municipalityCheckDigit,
  prefectureCodeOf,
} from '../../src/municipalities/municipality-code';

const DATA = join(__dirname, '../../data');

describe('municipalityCheckDigit', () => {
  it.each([
    ['13101', 6], ['13201', 2], ['13103', 2], ['13109', 1], ['13110', 5], ['13113', 0], ['13115', 6], ['13119', 9], ['13121', 1],
    ['13123', 7], ['13209', 8],
  ])('%s → %i', (first5, digit) => expect(municipalityCheckDigit(first5)).toBe(digit));
});

describe('isValidMunicipalityCode', () => {
  it.each([
    // the ten demo municipalities (data/SOURCES.md)
    ['131032', true], ['131091', true], ['131105', true], ['131130', true], ['131156', true], ['131199', true], ['131211', true],
    ['131237', true], ['132012', true], ['132098', true], ['131016', true],
    ['131033', false], ['13103', false], ['1310322', false], ['13103a', false], ['', false], ['１３１０３２', false],
  ])('%s → %s', (code, ok) => expect(isValidMunicipalityCode(code)).toBe(ok));

  it('accepts every code of the 総務省 list (1,794 rows)', () => {
    const lines = readFileSync(join(DATA, 'municipalities/zenkoku_chihou_koukyou_dantai_code_20240101.csv'), 'utf8').trim().split(/\r?\n/);
    expect(lines[0]).toMatch(/^code,/);
    const codes = lines.slice(1).map((l) => l.split(',')[0]);
    expect(codes).toHaveLength(1794);
    expect(codes.filter((c) => !isValidMunicipalityCode(c))).toEqual([]);
  });
});

describe('assertMunicipalityCode', () => {
  it('passes a valid code', () => expect(() => assertMunicipalityCode('input.code', '132012')).not.toThrow());

  it.each([
    ['13201', 'LENGTH', /six-digit/, /6桁/],
    ['1320123', 'LENGTH', /got 7 characters/, /7文字/],
    ['13２012', 'NOT_DIGITS', /ASCII digits only/, /半角数字/],
    ['13201x', 'NOT_DIGITS', /ASCII digits only/, /半角数字/],
    ['132013', 'CHECK_DIGIT', /expected 2 as the sixth digit \(132012\)/, /正しくは 2/],
    ['131030', 'CHECK_DIGIT', /expected 2/, /正しくは 2/],
  ])('%s → %s', (code, reason, en, ja) => {
    let err: unknown;
    try {
      assertMunicipalityCode('input.municipalityCode', code);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(HubError);
    const h = err as HubError;
    expect([h.code, h.field, h.details?.reason]).toEqual(['BAD_USER_INPUT', 'input.municipalityCode', reason]);
    expect(h.message).toMatch(en);
    expect(h.message).toContain('input.municipalityCode');
    expect(h.messageJa).toMatch(ja);
  });
});

describe('prefectureCodeOf', () => {
  it.each([['131032', '13'], ['011002', '01'], ['472018', '47']])('%s → %s', (code, pref) => expect(prefectureCodeOf(code)).toBe(pref));
  it('rejects an invalid code', () => expect(() => prefectureCodeOf('131033')).toThrow(HubError));
});
