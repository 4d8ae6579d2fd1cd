/**
 * Text normalisation for matching facility names written by different offices (vacancy PDFs,
 * facility lists, partner queries). Pure and deterministic; never fuzzy: two names are "the same"
 * only when their normalised forms are equal.
 */

/** Every kind of whitespace, including U+3000 (ideographic space) and NBSP. */
const WHITESPACE = /[\s\u3000\u00a0\u200b\ufeff]+/g;

/**
 * Long-vowel marks, hyphens, dashes and minus signs that offices use interchangeably in names
 * (ー ｰ － ‐ ‑ ‒ – — ― − ﹣ -). They all become 'ー'.
 */
const LONG_VOWEL_OR_HYPHEN = /[\u30fc\uff70\uff0d\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe63\u002d]/g;

/** One bracketed annotation (after NFKC: () [] stay ASCII; 【】〔〕〈〉《》 stay as they are). */
const BRACKETED = /\([^()]*\)|\[[^[\]]*\]|【[^【】]*】|〔[^〔〕]*〕|〈[^〈〉]*〉|《[^《》]*》/g;
const BRACKET_CHARS = /[()[\]【】〔〕〈〉《》]/g;

/** Footnote references that lists append to names: 「高円寺東※４」「マザーズハート成田東園※６、７」, or a bare ※/＊. */
const FOOTNOTE_MARK = /[※*＊]\d*(?:[、,・]\d+)*/g;

export function hiraganaToKatakana(s: string): string {
  return s.replace(/[\u3041-\u3096\u309d\u309e]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0x60));
}

/**
 * The matching key of a facility name:
 * NFKC (full-width digits/Latin → ASCII, half-width kana → full-width) → remove whitespace →
 * remove bracketed annotations ((仮称), （7週目以上）, 【新設】, (person's name) …) → remove a leading
 * 「仮称」 → remove footnote marks (※4, ※6、7) → ヶ/ヵ → ケ/カ → long-vowel and hyphen variants → 'ー' → lower-case Latin.
 * If removing the bracketed parts would leave nothing, only the bracket characters are removed.
 */
export function normalizeFacilityName(s: string): string {
  let t = (s ?? '').normalize('NFKC').replace(WHITESPACE, '');
  let withoutAnnotations = t;
  for (let prev = ''; prev !== withoutAnnotations; ) {
    prev = withoutAnnotations;
    withoutAnnotations = withoutAnnotations.replace(BRACKETED, '');
  }
  t = withoutAnnotations.length > 0 ? withoutAnnotations : t.replace(BRACKET_CHARS, '');
  t = t.replace(/^仮称[:：・]?(?=.)/, '');
  t = t.replace(FOOTNOTE_MARK, '');
  t = t.replace(/ヶ/g, 'ケ').replace(/ヵ/g, 'カ');
  t = t.replace(LONG_VOWEL_OR_HYPHEN, 'ー');
  return t.toLowerCase();
}

/** Kana for search: NFKC (half-width → full-width katakana), hiragana → katakana, no whitespace. */
export function normalizeKana(s: string): string {
  return hiraganaToKatakana((s ?? '').normalize('NFKC').replace(WHITESPACE, '')).replace(LONG_VOWEL_OR_HYPHEN, 'ー');
}

/**
 * One form for "name or kana" search: the facility-name normalisation, then hiragana → katakana,
 * so that 「にじいろ」, 「ニジイロ」 and 「ﾆｼﾞｲﾛ」 all find にじいろ保育園 (whose kana column is ニジイロ…).
 * Apply it to both the stored name, the stored kana and the query.
 */
export function normalizeSearchText(s: string): string {
  return hiraganaToKatakana(normalizeFacilityName(s));
}
