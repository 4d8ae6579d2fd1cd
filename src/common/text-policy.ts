/**
 * One text policy per kind of field (pure). Every string a caller sends goes through exactly one
 * kind (see text-field.ts for how it is applied at the GraphQL boundary): it is normalised the way
 * that kind needs, then checked; a refusal says what is wrong in English and Japanese.
 *
 * What every kind refuses (findForbiddenCharacter): NUL and the other C0/C1 control characters (ESC,
 * so ANSI escapes too; tab and line breaks only where a kind takes several lines), format characters
 * (Unicode category Cf: bidirectional controls such as U+202E, zero-width characters, U+FEFF, soft
 * hyphen, tags), line/paragraph separators in one-line text, lone surrogates (broken UTF-16),
 * noncharacters, private-use characters (外字, meaningless outside the system that made them) and
 * U+FFFD (text already broken by a wrong character encoding). Surrogate pairs (𠮷) and variation
 * selectors (異体字 sequences such as 葛󠄀) are characters like any other.
 *
 * Normalisation: NFKC for names, addresses, phones, references and codes (full-width digits and
 * Latin → ASCII, half-width kana → full-width, U+3000 → space), trimmed, runs of spaces made one;
 * names keep CJK compatibility ideographs (U+F900–U+FAFF, which NFKC would replace by their unified
 * forms: 神 U+FA19 → 神 U+795E, a different character in a family register). Free text (notes,
 * labels) is NFC only: what a person wrote keeps its full-width brackets and punctuation
 * (「就労証明書（原本）」 stays as written). Keys, URLs, base64 and files are left as sent.
 * Lengths count characters (code points): 𠮷 is one.
 */
import { isRealDate } from './dates';
import { hiraganaToKatakana } from './normalize';

export const TEXT_KINDS = [
  'personName', 'kanaName', 'organisationName', 'address', 'phone', 'postalCode', 'note', 'label', 'reference', 'searchText',
  'key', 'token', 'identifier', 'topic', 'cursor', 'url', 'mediaType', 'base64', 'fileContent',
  'municipalityCode', 'prefectureCode', 'date', 'yearMonth', 'time',
] as const;
/**
 * - personName: a person's name (氏名); kanaName: its reading (フリガナ), stored in katakana.
 * - organisationName: an employer (勤務先), an API client, a facility's operator.
 * - address (住所), phone (電話番号, Japanese fixed or mobile), postalCode (郵便番号, NNN-NNNN).
 * - note: free text of several lines (health notes, reasons); label: one line of free text (both NFC only);
 *   reference: a partner's opaque reference (file id, submission number); searchText: a search box.
 * - key: printable ASCII without spaces (idempotency keys, event ids); token: letters, digits and . _ : -;
 *   identifier: a machine name ('application.read'); topic: an event type prefix; cursor: a page cursor.
 * - url, mediaType, base64, fileContent (an imported CSV/JSON file).
 * - municipalityCode (6 digits), prefectureCode (2 digits), date (YYYY-MM-DD, a real day),
 *   yearMonth (YYYY-MM), time (HH:MM).
 */
export type TextKind = (typeof TEXT_KINDS)[number];

export interface TextOptions {
  /** Longest accepted value, in characters after normalisation (each kind has its default). */
  max?: number;
}

export interface TextRefusal {
  /** Stable machine reason, e.g. CONTROL_CHARACTER, BIDI_CONTROL, NOT_KANA. */
  reason: string;
  en: string;
  ja: string;
}

export type TextResult = { ok: true; value: string } | { ok: false; refusal: TextRefusal };

// --- the characters no text may contain ------------------------------------------------------

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const BIDI_CONTROLS = new Set([0x061c, 0x200e, 0x200f, 0x202a, 0x202b, 0x202c, 0x202d, 0x202e, 0x2066, 0x2067, 0x2068, 0x2069]);
const ZERO_WIDTH = new Set([0x200b, 0x200c, 0x200d, 0x2060, 0xfeff]);
/** Everything any kind may refuse, found in one pass; the exact class is decided per character. */
const SUSPECT = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\ufffd\ufdd0-\ufdef\ufffe\uffff\p{Cf}\p{Co}\p{Cs}]|[\u{1fffe}-\u{1ffff}\u{2fffe}-\u{2ffff}\u{3fffe}-\u{3ffff}\u{4fffe}-\u{4ffff}\u{5fffe}-\u{5ffff}\u{6fffe}-\u{6ffff}\u{7fffe}-\u{7ffff}\u{8fffe}-\u{8ffff}\u{9fffe}-\u{9ffff}\u{afffe}-\u{affff}\u{bfffe}-\u{bffff}\u{cfffe}-\u{cffff}\u{dfffe}-\u{dffff}\u{efffe}-\u{effff}\u{ffffe}-\u{fffff}\u{10fffe}-\u{10ffff}]/gu;

/** True when `s` holds a NUL character. */
export function hasNul(s: string): boolean {
  return s.includes('\u0000');
}

/** True when `s` holds half of a surrogate pair on its own (not valid UTF-16, not encodable as UTF-8). */
export function hasLoneSurrogate(s: string): boolean {
  return LONE_SURROGATE.test(s);
}

export interface ForbiddenCharacter {
  /** UTF-16 index in the string. */
  index: number;
  codePoint: number;
  refusal: TextRefusal;
}

function hex(codePoint: number): string {
  return `U+${codePoint.toString(16).toUpperCase().padStart(4, '0')}`;
}

function classify(codePoint: number, multiline: boolean): TextRefusal | null {
  const at = hex(codePoint);
  if (codePoint === 0) return { reason: 'NUL', en: `contains a NUL character (${at}), which text may not hold`, ja: `NUL 文字（${at}）が含まれています` };
  if (codePoint === 0x09 || codePoint === 0x0a || codePoint === 0x0d) {
    return multiline ? null : { reason: 'LINE_BREAK', en: `must be one line, without tabs or line breaks (found ${at})`, ja: `改行やタブは使えません（${at}）` };
  }
  if (codePoint < 0x20 || (codePoint >= 0x7f && codePoint <= 0x9f)) {
    return { reason: 'CONTROL_CHARACTER', en: `contains a control character (${at}${codePoint === 0x1b ? ', ESC' : ''}), which is not allowed`, ja: `制御文字（${at}）は使えません` };
  }
  if (codePoint === 0x2028 || codePoint === 0x2029) {
    return multiline ? null : { reason: 'LINE_BREAK', en: `must be one line, without line or paragraph separators (found ${at})`, ja: `改行（${at}）は使えません` };
  }
  if (BIDI_CONTROLS.has(codePoint)) {
    return { reason: 'BIDI_CONTROL', en: `contains a bidirectional control character (${at}), which can make text display in another order than it is stored`, ja: `双方向制御文字（${at}）は使えません` };
  }
  if (ZERO_WIDTH.has(codePoint)) {
    return { reason: 'ZERO_WIDTH', en: `contains an invisible zero-width character (${at}), which is not allowed`, ja: `ゼロ幅文字（${at}）は使えません` };
  }
  if (codePoint >= 0xd800 && codePoint <= 0xdfff) {
    return { reason: 'LONE_SURROGATE', en: `contains a lone surrogate (${at}): the text is not valid UTF-16`, ja: `不正なサロゲート（${at}）が含まれています。文字列が壊れています` };
  }
  if (codePoint === 0xfffd) {
    return { reason: 'REPLACEMENT_CHARACTER', en: `contains the replacement character ${at}: the text was broken by a wrong character encoding before it was sent`, ja: `置換文字（${at}）が含まれています。送信前に文字コードの変換で文字が失われています` };
  }
  if ((codePoint >= 0xfdd0 && codePoint <= 0xfdef) || (codePoint & 0xfffe) === 0xfffe) {
    return { reason: 'NONCHARACTER', en: `contains a noncharacter (${at}), which is not allowed`, ja: `非文字（${at}）は使えません` };
  }
  if (/\p{Co}/u.test(String.fromCodePoint(codePoint))) {
    return { reason: 'PRIVATE_USE', en: `contains a private-use character (${at}), which means nothing outside the system that made it; write the character, or a standard one close to it`, ja: `私用領域の文字（外字、${at}）は使えません。標準の文字で入力してください` };
  }
  // Every other format character (Cf): soft hyphen, invisible operators, Arabic number signs, tags …
  return { reason: 'FORMAT_CHARACTER', en: `contains an invisible formatting character (${at}), which is not allowed`, ja: `書式制御文字（${at}）は使えません` };
}

/**
 * The first character of `s` that no text may hold (NUL, C0/C1 controls incl. ESC, format characters
 * incl. bidi controls and zero-width characters, lone surrogates, noncharacters, private use, U+FFFD),
 * or null. With `multiline`, tab, CR, LF and U+2028/U+2029 are allowed.
 */
export function findForbiddenCharacter(s: string, options: { multiline?: boolean } = {}): ForbiddenCharacter | null {
  const multiline = options.multiline ?? false;
  SUSPECT.lastIndex = 0;
  for (let m = SUSPECT.exec(s); m; m = SUSPECT.exec(s)) {
    const codePoint = m[0].codePointAt(0)!;
    const refusal = classify(codePoint, multiline);
    if (refusal) return { index: m.index, codePoint, refusal };
  }
  return null;
}

// --- normalisation helpers ---------------------------------------------------------------------

/** CJK compatibility ideographs: NFKC would replace them with a different (unified) character. */
const CJK_COMPATIBILITY = /([\uf900-\ufaff\u{2f800}-\u{2fa1f}]+)/u;

/** NFKC, except that CJK compatibility ideographs (names in a family register) are kept. */
export function nfkcKeepingCompatibilityIdeographs(s: string): string {
  if (!CJK_COMPATIBILITY.test(s)) return s.normalize('NFKC');
  return s.split(CJK_COMPATIBILITY).map((part, i) => (i % 2 === 1 ? part : part.normalize('NFKC'))).join('');
}

const SPACES = /[ \t\u00a0\u3000]+/g;
const DASHES = '\\-\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe63\uff0d';
const DASH_LIKE = new RegExp(`[${DASHES}]`, 'g');
const DASH_BETWEEN_DIGITS = new RegExp(`(?<=\\d)\\s*[${DASHES}\u30fc\uff70]\\s*(?=\\d)`, 'g');

function oneLine(s: string): string {
  return s.replace(SPACES, ' ').trim();
}

function codePointLength(s: string, max: number): number {
  // UTF-16 length is an upper bound of the number of code points and at most twice it.
  if (s.length <= max) return s.length;
  if (s.length > 2 * max) return Math.ceil(s.length / 2);
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0xd800 || c > 0xdbff) n++;
  }
  return n;
}

// --- the kinds ------------------------------------------------------------------------------

interface KindSpec {
  max: number;
  multiline?: boolean;
  /** Skip the per-character scan: the kind's pattern admits only safe ASCII. */
  asciiPattern?: boolean;
  /** A byte order mark at the very start is dropped rather than refused (files saved by some editors). */
  dropsLeadingBom?: boolean;
  normalize(s: string): string;
  /** The normalised value's format; null when it is right. */
  check?(s: string): { en: string; ja: string; reason?: string } | null;
}

const keep = (s: string) => s;
const nfkcLine = (s: string) => oneLine(s.normalize('NFKC'));
/** Free text: NFC, trimmed, runs of ASCII spaces made one; ideographic spaces stay as written. */
const nfcLine = (s: string) => s.normalize('NFC').replace(/ {2,}/g, ' ').trim();
const format = (pattern: RegExp, en: string, ja: string) => (s: string) => (pattern.test(s) ? null : { en, ja });

const LETTER = /\p{L}/u;
const LETTER_OR_DIGIT = /[\p{L}\p{N}]/u;
const TOO_MANY_MARKS = /\p{M}{4,}/u;
const PERSON_NAME = /^[\p{L}\p{M} ・.'’-]+$/u;
const KANA = /^[\u30a1-\u30fa\u30fb\u30fc\u30fd\u30fe ]+$/;
const KANA_LETTER = /[\u30a1-\u30fa]/;
const KEY = /^[\x21-\x7e]+$/;

const PHONE_REFUSAL = {
  reason: 'NOT_A_PHONE_NUMBER',
  en: 'must be a Japanese phone number: a fixed line of 10 digits (e.g. 03-1234-5678) or a mobile or IP phone number of 11 digits starting 090, 080, 070 or 050 (e.g. 090-1234-5678), with or without hyphens',
  ja: '日本の電話番号（固定電話は10桁 例: 03-1234-5678、携帯・IP電話は090・080・070・050で始まる11桁 例: 090-1234-5678。ハイフンは有無どちらでも可）で入力してください',
};

/**
 * A Japanese phone number as the family wrote it: full-width digits, any dash, spaces, brackets
 * ((03) 1234-5678) and +81 accepted; stored as digits in the groups given, joined by '-'
 * ("03-1234-5678"), or as digits alone when none were given. Only numbers a family can be called on:
 * fixed lines (0 + 9 digits, not a 0X0 service prefix, not 0120/0570/0990) and mobile or IP phones
 * (050/070/080/090 + 8 digits).
 */
export function normalizePhone(s: string): string {
  let t = s.normalize('NFKC').trim().replace(DASH_LIKE, '-').replace(/[\u30fc\uff70]/g, '-');
  t = t.replace(/^\+81[\s-]*(?:\(0\)[\s-]*)?/, '0');
  const groups = t.split(/[\s\-().]+/).filter((g) => g.length > 0);
  if (groups.length === 0 || !groups.every((g) => /^\d+$/.test(g))) return t;
  return groups.join('-');
}

function checkPhone(s: string) {
  if (!/^\d+(-\d+)*$/.test(s)) return PHONE_REFUSAL;
  const groups = s.split('-');
  const digits = groups.join('');
  const mobile = /^0[5789]0\d{8}$/.test(digits);
  const fixed = /^0[1-9]\d{8}$/.test(digits) && !/^0[1-9]0/.test(digits) && !/^(0120|0570|0990)/.test(digits);
  if (!mobile && !fixed) return PHONE_REFUSAL;
  if (groups.length === 1) return null;
  if (groups.length !== 3 || groups[2].length !== 4 || groups[0].length < 2 || groups[0].length > 5) return PHONE_REFUSAL;
  if (mobile && (groups[0].length !== 3 || groups[1].length !== 4)) return PHONE_REFUSAL;
  return null;
}

/** 〒123-4567, 1234567, １２３－４５６７ → 123-4567. */
export function normalizePostalCode(s: string): string {
  const t = s.normalize('NFKC').replace(/^\s*〒\s*/, '').trim().replace(DASH_LIKE, '-').replace(/[\u30fc\uff70]/g, '-');
  const m = /^(\d{3})[-\s]?(\d{4})$/.exec(t);
  return m ? `${m[1]}-${m[2]}` : t;
}

/** Kana as フリガナ: NFKC (half-width → full-width), hiragana → katakana, dashes → ー, one space between words. */
export function normalizeKanaName(s: string): string {
  return hiraganaToKatakana(oneLine(s.normalize('NFKC'))).replace(DASH_LIKE, 'ー');
}

export function normalizePersonName(s: string): string {
  return oneLine(nfkcKeepingCompatibilityIdeographs(s));
}

/** NFKC, one space between words, and any dash between two digits a hyphen (１ー２ー３ → 1-2-3). */
export function normalizeAddress(s: string): string {
  return oneLine(s.normalize('NFKC')).replace(DASH_BETWEEN_DIGITS, '-');
}

/** NFC, line breaks as LF, spaces at line ends and blank lines at both ends dropped; otherwise as written. */
export function normalizeNote(s: string): string {
  return s
    .normalize('NFC')
    .replace(/\r\n?|[\u2028\u2029]/g, '\n')
    .split('\n')
    .map((line) => line.trimEnd())
    .join('\n')
    .trim();
}

const SPECS: Record<TextKind, KindSpec> = {
  personName: {
    max: 100,
    normalize: normalizePersonName,
    check: (s) =>
      PERSON_NAME.test(s) && LETTER.test(s)
        ? null
        : {
            reason: 'NOT_A_NAME',
            en: "must be a person's name: letters (kanji, kana or Latin) with spaces or ・ . ' - between them; digits and other symbols are not part of a name",
            ja: '人名（漢字・かな・ローマ字。区切りは空白・「・」「.」「\'」「-」）で入力してください。数字や記号は使えません',
          },
  },
  kanaName: {
    max: 100,
    normalize: normalizeKanaName,
    check: (s) =>
      KANA.test(s) && KANA_LETTER.test(s)
        ? null
        : {
            reason: 'NOT_KANA',
            en: 'must be written in kana (katakana or hiragana; ー, ・ and a space between family and given name allowed); it is stored in katakana',
            ja: 'カナ（カタカナまたはひらがな。ー・「・」、姓と名の間の空白は可）で入力してください。カタカナで保存します',
          },
  },
  organisationName: {
    max: 200,
    normalize: nfkcLine,
    check: (s) => (LETTER_OR_DIGIT.test(s) ? null : { en: 'must name an organisation (letters or digits)', ja: '名称（文字または数字）を入力してください' }),
  },
  address: {
    max: 300,
    normalize: normalizeAddress,
    check: (s) => (LETTER.test(s) ? null : { en: 'must be an address (it has no letters)', ja: '住所を入力してください（文字が含まれていません）' }),
  },
  phone: { max: 30, normalize: normalizePhone, check: checkPhone },
  postalCode: {
    max: 10,
    normalize: normalizePostalCode,
    check: format(/^\d{3}-\d{4}$/, 'must be a Japanese postal code, NNN-NNNN (e.g. 173-8501)', '郵便番号（NNN-NNNN 形式、例: 173-8501）で入力してください'),
  },
  note: { max: 2000, multiline: true, normalize: normalizeNote },
  label: { max: 200, normalize: nfcLine },
  reference: { max: 500, normalize: nfkcLine },
  searchText: { max: 100, normalize: nfkcLine },
  key: {
    max: 200,
    asciiPattern: true,
    normalize: keep,
    check: format(KEY, 'must be printable ASCII without spaces', 'スペースを含まない半角英数記号（ASCII）で入力してください'),
  },
  token: {
    max: 200,
    asciiPattern: true,
    normalize: keep,
    check: format(/^[A-Za-z0-9._:-]+$/, 'must be letters, digits, "-", "_", "." or ":"', '半角英数字と「-」「_」「.」「:」で入力してください'),
  },
  identifier: {
    max: 200,
    asciiPattern: true,
    normalize: keep,
    check: format(/^[A-Za-z0-9][A-Za-z0-9._:-]*$/, 'must be an identifier: letters, digits, ".", "_", ":" or "-"', '識別子（半角英数字と「.」「_」「:」「-」）で入力してください'),
  },
  topic: {
    max: 200,
    asciiPattern: true,
    normalize: keep,
    check: format(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, "must be an event type prefix: letters, digits, '.', '-' or '_'", "イベント種別の接頭辞（半角英数字と「.」「-」「_」）で入力してください"),
  },
  cursor: {
    max: 500,
    asciiPattern: true,
    normalize: keep,
    check: format(/^[A-Za-z0-9_=.:+/-]+$/, 'must be a cursor the API returned', 'API が返したカーソルを指定してください'),
  },
  url: {
    max: 2000,
    normalize: (s) => s.trim(),
  },
  mediaType: {
    max: 200,
    asciiPattern: true,
    normalize: (s) => s.trim().toLowerCase(),
    check: format(/^[a-z]+\/[a-z0-9.+-]+$/, 'must be a media type such as application/pdf', 'メディアタイプ（例: application/pdf）で指定してください'),
  },
  base64: {
    max: 1_400_000,
    asciiPattern: true,
    normalize: keep,
    check: format(/^[A-Za-z0-9+/]+={0,2}$/, 'must be base64', 'base64 で指定してください'),
  },
  fileContent: { max: 20_000_000, multiline: true, dropsLeadingBom: true, normalize: keep },
  municipalityCode: {
    max: 6,
    normalize: (s) => s.normalize('NFKC').trim(),
    check: (s) =>
      /^\d{6}$/.test(s)
        ? null
        : {
            reason: s.length === 6 ? 'NOT_DIGITS' : 'LENGTH',
            en: 'must be a municipality code of six digits (e.g. 131199)',
            ja: '自治体コード（6桁の数字、例: 131199）で指定してください',
          },
  },
  prefectureCode: {
    max: 2,
    normalize: (s) => s.normalize('NFKC').trim(),
    check: format(/^\d{2}$/, 'must be a prefecture code of two digits (e.g. 13)', '都道府県コード（2桁の数字、例: 13）で指定してください'),
  },
  date: {
    max: 10,
    normalize: (s) => s.normalize('NFKC').trim(),
    check: (s) =>
      isRealDate(s) ? null : { reason: 'NOT_A_DATE', en: 'must be a date that exists, as YYYY-MM-DD (e.g. 2026-04-01)', ja: '実在する日付を YYYY-MM-DD 形式（例: 2026-04-01）で指定してください' },
  },
  yearMonth: {
    max: 7,
    normalize: (s) => s.normalize('NFKC').trim(),
    check: format(/^\d{4}-(0[1-9]|1[0-2])$/, 'must be a month as YYYY-MM with a month 01–12 (e.g. 2026-10)', '年月を YYYY-MM 形式（月は01〜12、例: 2026-10）で指定してください'),
  },
  time: {
    max: 5,
    normalize: (s) => s.normalize('NFKC').trim(),
    check: format(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a time as HH:MM (00:00–23:59)', '時刻を HH:MM 形式（00:00〜23:59）で指定してください'),
  },
};

/** The longest value a kind accepts by default. */
export function defaultMaxLength(kind: TextKind): number {
  return SPECS[kind].max;
}

/** Whether a kind takes several lines (tabs and line breaks). */
export function isMultiline(kind: TextKind): boolean {
  return SPECS[kind].multiline ?? false;
}

function refuse(reason: string, en: string, ja: string): TextResult {
  return { ok: false, refusal: { reason, en, ja } };
}

/**
 * The policy of `kind` applied to `raw`: the normalised value, or why it is refused. Idempotent:
 * an accepted value comes out unchanged when applied again.
 */
export function applyTextPolicy(kind: TextKind, sent: unknown, options: TextOptions = {}): TextResult {
  const spec = SPECS[kind];
  if (typeof sent !== 'string') return refuse('NOT_TEXT', 'must be text', '文字列で指定してください');
  const raw = spec.dropsLeadingBom && sent.charCodeAt(0) === 0xfeff ? sent.slice(1) : sent;
  const max = options.max ?? spec.max;
  // Decide on what was sent: normalisation must not hide (or create) a character that is refused.
  if (!spec.asciiPattern || !KEY.test(raw)) {
    const forbidden = findForbiddenCharacter(raw, { multiline: spec.multiline });
    if (forbidden) return { ok: false, refusal: forbidden.refusal };
  }
  const value = spec.normalize(raw);
  if (value.trim().length === 0) return refuse('EMPTY', 'must not be empty or only spaces; leave the field out instead', '空または空白だけにはできません。値がない場合は項目ごと省略してください');
  const length = codePointLength(value, max);
  if (length > max) return refuse('TOO_LONG', `must be at most ${max} characters (got ${length})`, `${max}文字以内で入力してください（${length}文字）`);
  const afterNormalising = value === raw ? null : findForbiddenCharacter(value, { multiline: spec.multiline });
  if (afterNormalising) return { ok: false, refusal: afterNormalising.refusal };
  if (TOO_MANY_MARKS.test(value)) return refuse('TOO_MANY_MARKS', 'has more than three combining marks on one character', '一つの文字に4つ以上の結合文字が付いています');
  const problem = spec.check?.(value);
  if (problem) return refuse(problem.reason ?? 'BAD_FORMAT', problem.en, problem.ja);
  return { ok: true, value };
}

/**
 * The value to carry on with: the normalised form when the policy accepts it, else the value as
 * sent, so that the check that follows refuses it for what it is.
 */
export function normalizeText(kind: TextKind, raw: unknown, options: TextOptions = {}): unknown {
  if (typeof raw !== 'string') return raw;
  const result = applyTextPolicy(kind, raw, options);
  return result.ok ? result.value : raw;
}
