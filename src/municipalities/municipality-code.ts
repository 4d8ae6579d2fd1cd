/**
 * 全国地方公共団体コード (local government code): five digits (2 prefecture + 3 municipality)
 * followed by a check digit. Check digit: multiply the five digits by 6, 5, 4, 3, 2, sum, take
 * r = sum mod 11; the check digit is the last digit of (11 − r) (so r = 0 → 1, r = 1 → 0).
 * Source: 総務省「全国地方公共団体コード」; examples 13101 → 131016 (千代田区), 13201 → 132012 (八王子市).
 */
import { Errors } from '../common/errors';

const WEIGHTS = [6, 5, 4, 3, 2] as const;

/** The check digit (0–9) for the first five digits of a municipality code. */
export function municipalityCheckDigit(first5: string): number {
  if (!/^[0-9]{5}$/.test(first5)) {
    throw Errors.badInput(
      'municipalityCode',
      `The first five digits of a municipality code must be five ASCII digits; got "${first5}".`,
      `市区町村コード（municipalityCode）の先頭5桁は半角数字5桁でなければなりません（入力: "${first5}"）。`,
    );
  }
  const sum = WEIGHTS.reduce((acc, w, i) => acc + w * Number(first5[i]), 0);
  return (11 - (sum % 11)) % 10;
}

export function isValidMunicipalityCode(code: string): boolean {
  return /^[0-9]{6}$/.test(code) && municipalityCheckDigit(code.slice(0, 5)) === Number(code[5]);
}

/** Throws BAD_USER_INPUT on `field` unless `code` is a six-digit code with a correct check digit. */
export function assertMunicipalityCode(field: string, code: string): void {
  if (typeof code !== 'string' || code.length !== 6) {
    const got = typeof code === 'string' ? `${code.length} characters ("${code}")` : typeof code;
    throw Errors.badInput(
      field,
      `${field} must be a six-digit municipality code (全国地方公共団体コード, with check digit); got ${got}.`,
      `${field} は6桁の全国地方公共団体コード（検査数字付き）でなければなりません（入力: ${typeof code === 'string' ? `${code.length}文字 "${code}"` : typeof code}）。`,
      { reason: 'LENGTH' },
    );
  }
  if (!/^[0-9]{6}$/.test(code)) {
    throw Errors.badInput(
      field,
      `${field} must contain ASCII digits only; got "${code}".`,
      `${field} は半角数字のみで入力してください（入力: "${code}"）。`,
      { reason: 'NOT_DIGITS' },
    );
  }
  const expected = municipalityCheckDigit(code.slice(0, 5));
  if (expected !== Number(code[5])) {
    throw Errors.badInput(
      field,
      `${field} "${code}" has a wrong check digit: expected ${expected} as the sixth digit (${code.slice(0, 5)}${expected}).`,
      `${field} "${code}" の検査数字（6桁目）が誤っています。正しくは ${expected} です（${code.slice(0, 5)}${expected}）。`,
      { reason: 'CHECK_DIGIT', expectedCheckDigit: expected, expectedCode: `${code.slice(0, 5)}${expected}` },
    );
  }
}

/** The two-digit prefecture code (都道府県コード) of a municipality code, e.g. "131032" → "13". */
export function prefectureCodeOf(code: string): string {
  assertMunicipalityCode('municipalityCode', code);
  return code.slice(0, 2);
}
