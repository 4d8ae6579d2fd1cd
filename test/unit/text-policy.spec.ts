import {
  applyTextPolicy, findForbiddenCharacter, hasLoneSurrogate, hasNul, nfkcKeepingCompatibilityIdeographs, TEXT_KINDS, TextKind,
} from '../../src/common/text-policy';

function accepted(kind: TextKind, raw: string, options = {}): string {
  const r = applyTextPolicy(kind, raw, options);
  if (!r.ok) throw new Error(`${kind} refused ${JSON.stringify(raw)}: ${r.refusal.en}`);
  return r.value;
}

function refusal(kind: TextKind, raw: unknown, options = {}) {
  const r = applyTextPolicy(kind, raw, options);
  if (r.ok) throw new Error(`${kind} accepted ${JSON.stringify(raw)} as ${JSON.stringify(r.value)}`);
  return r.refusal;
}

const SAMPLE: Record<TextKind, string> = {
  personName: '山田 花子', kanaName: 'ヤマダ ハナコ', organisationName: '株式会社テスト', address: '東京都板橋区板橋2-66-1',
  phone: '03-3964-1111', postalCode: '173-8501', note: '卵アレルギー', label: '就労証明書', reference: 'partner-file-1',
  searchText: 'にじいろ', key: 'submit-1', token: 'b-1', identifier: 'application.read', topic: 'jp.hokatsu.', cursor: 'WyIxIl0',
  url: 'https://example.jp/hooks', mediaType: 'application/pdf', base64: 'aGVsbG8=', fileContent: 'a,b\n1,2\n',
  municipalityCode: '131199', prefectureCode: '13', date: '2026-04-01', yearMonth: '2026-10', time: '09:00',
};

describe('characters no text may hold (every kind)', () => {
  const cases: Array<[string, string, string]> = [
    ['NUL', 'a\u0000b', 'NUL'],
    ['ESC (ANSI escape)', '\u001b[31mred\u001b[0m', 'CONTROL_CHARACTER'],
    ['BEL', 'a\u0007', 'CONTROL_CHARACTER'],
    ['DEL', 'a\u007f', 'CONTROL_CHARACTER'],
    ['C1 CSI', 'a\u009b', 'CONTROL_CHARACTER'],
    ['right-to-left override', 'abc\u202edef', 'BIDI_CONTROL'],
    ['left-to-right mark', 'abc\u200e', 'BIDI_CONTROL'],
    ['right-to-left isolate', '\u2067abc', 'BIDI_CONTROL'],
    ['Arabic letter mark', 'a\u061cb', 'BIDI_CONTROL'],
    ['zero-width space', 'ab\u200bc', 'ZERO_WIDTH'],
    ['zero-width joiner', 'ab\u200dc', 'ZERO_WIDTH'],
    ['word joiner', 'ab\u2060c', 'ZERO_WIDTH'],
    ['byte order mark inside', 'ab\ufeffc', 'ZERO_WIDTH'],
    ['soft hyphen', 'ab\u00adc', 'FORMAT_CHARACTER'],
    ['tag character', 'ab\u{e0041}c', 'FORMAT_CHARACTER'],
    ['lone high surrogate', 'ab\ud842', 'LONE_SURROGATE'],
    ['lone low surrogate', '\udfb7ab', 'LONE_SURROGATE'],
    ['replacement character', 'ab\ufffdc', 'REPLACEMENT_CHARACTER'],
    ['noncharacter', 'ab\uffffc', 'NONCHARACTER'],
    ['private use (外字)', 'ab\ue000c', 'PRIVATE_USE'],
  ];
  it.each(cases)('%s is refused by every kind', (_name, raw, reason) => {
    for (const kind of TEXT_KINDS) {
      // In each kind's own sample, so that only the character is wrong.
      const r = applyTextPolicy(kind, `${SAMPLE[kind]}${raw}`);
      expect({ kind, reason: r.ok ? 'accepted' : r.refusal.reason }).toEqual({ kind, reason });
    }
  });

  it('names the character by code point, never by echoing it', () => {
    const r = refusal('personName', '山田\u202e花子');
    expect(r.en).toContain('U+202E');
    expect(r.ja).toContain('U+202E');
    expect(r.en + r.ja).not.toContain('\u202e');
  });

  it('line breaks and tabs only where a kind takes several lines', () => {
    expect(refusal('personName', '山田\n花子').reason).toBe('LINE_BREAK');
    expect(refusal('address', '東京都\t板橋区').reason).toBe('LINE_BREAK');
    expect(refusal('reference', 'a\u2028b').reason).toBe('LINE_BREAK');
    expect(accepted('note', '卵アレルギー\r\n加熱卵は可\u2028以上')).toBe('卵アレルギー\n加熱卵は可\n以上');
    expect(accepted('fileContent', 'a\tb\r\n1\t2')).toBe('a\tb\r\n1\t2');
  });

  it('low-level checks shared with the generic boundary guard', () => {
    expect(hasNul('a\u0000')).toBe(true);
    expect(hasNul('abc')).toBe(false);
    expect(hasLoneSurrogate('\ud842')).toBe(true);
    expect(hasLoneSurrogate('𠮷')).toBe(false);
    expect(hasLoneSurrogate('\udfb7\ud842')).toBe(true);
    expect(findForbiddenCharacter('ok 𠮷 葛\u{e0100}')).toBeNull();
    expect(findForbiddenCharacter('a\nb', { multiline: true })).toBeNull();
    expect(findForbiddenCharacter('a\u001bb')).toMatchObject({ index: 1, codePoint: 0x1b, refusal: { reason: 'CONTROL_CHARACTER' } });
  });
});

describe('every kind', () => {
  it.each(TEXT_KINDS)('%s: refuses empty, whitespace only and non-text; accepts its sample unchanged when applied again', (kind) => {
    expect(refusal(kind, '').reason).toBe('EMPTY');
    expect(refusal(kind, kind === 'fileContent' ? ' \n\t ' : '   ').reason).toBe('EMPTY');
    expect(refusal(kind, 42).reason).toBe('NOT_TEXT');
    expect(refusal(kind, null).reason).toBe('NOT_TEXT');
    const once = accepted(kind, SAMPLE[kind]);
    expect(accepted(kind, once)).toBe(once);
  });

  it('whitespace only: ideographic spaces, NBSP and tabs are whitespace too', () => {
    for (const raw of ['\u3000\u3000', ' \u00a0 ', '\u3000 ']) {
      expect(refusal('personName', raw).reason).toBe('EMPTY');
      expect(refusal('note', raw).reason).toBe('EMPTY');
    }
    expect(refusal('note', ' \n \n ').reason).toBe('EMPTY');
  });

  it('lengths count characters, after normalisation', () => {
    expect(accepted('personName', '𠮷'.repeat(100))).toHaveLength(200);
    expect(refusal('personName', '𠮷'.repeat(101)).reason).toBe('TOO_LONG');
    expect(accepted('personName', `  ${'あ'.repeat(100)}  `)).toHaveLength(100);
    expect(refusal('note', 'a'.repeat(11), { max: 10 })).toMatchObject({ reason: 'TOO_LONG', en: expect.stringContaining('at most 10 characters') });
    expect(accepted('note', 'a'.repeat(10), { max: 10 })).toHaveLength(10);
  });

  it('too many combining marks on one character', () => {
    expect(refusal('personName', `x${'\u0301'.repeat(4)}`).reason).toBe('TOO_MANY_MARKS');
    expect(accepted('personName', 'Nguyễn Thị')).toBe('Nguyễn Thị');
  });
});

describe('personName (氏名)', () => {
  it.each([
    ['山田 花子', '山田 花子'],
    ['山田　花子', '山田 花子'], // ideographic space
    ['  山田   花子 ', '山田 花子'],
    ['髙橋 一郎', '髙橋 一郎'], // 髙 U+9AD9 stays
    ['𠮷田 太郎', '𠮷田 太郎'], // a surrogate pair, and a valid character
    ['﨑山 さくら', '﨑山 さくら'], // U+FA11 (a unified ideograph in the compatibility block)
    ['\ufa19田 明', '\ufa19田 明'], // 神 U+FA19: NFKC would make it U+795E; a family register keeps it
    ['葛\u{e0100}城 花子', '葛\u{e0100}城 花子'], // ideographic variation sequence
    ['ﾔﾏﾀﾞ ﾊﾅｺ', 'ヤマダ ハナコ'], // half-width kana → full-width
    ['Ｊｏｈｎ Ｓｍｉｔｈ', 'John Smith'],
    ["Mary-Jane O'Brien", "Mary-Jane O'Brien"],
    ['ジョン・スミス', 'ジョン・スミス'],
    ['佐々木 〆子', '佐々木 〆子'],
    ['x', 'x'],
  ])('accepts %j as %j', (raw, value) => {
    expect(accepted('personName', raw)).toBe(value);
  });

  it.each([['山田 1'], ['<script>'], ['山田😀'], ['山田@花子'], ['---'], ['・']])('refuses %j', (raw) => {
    expect(refusal('personName', raw).reason).toBe('NOT_A_NAME');
  });

  it('keeps CJK compatibility ideographs that NFKC alone would replace', () => {
    expect('\ufa19'.normalize('NFKC')).toBe('\u795e');
    expect(nfkcKeepingCompatibilityIdeographs('\ufa19１')).toBe('\ufa191');
  });
});

describe('kanaName (フリガナ)', () => {
  it.each([
    ['ヤマダ ハナコ', 'ヤマダ ハナコ'],
    ['やまだ　はなこ', 'ヤマダ ハナコ'], // hiragana and an ideographic space
    ['ﾔﾏﾀﾞ ﾊﾅｺ', 'ヤマダ ハナコ'], // half-width
    ['ｻﾄｳ ｹﾝｲﾁﾛｰ', 'サトウ ケンイチロー'],
    ['ジョン・スミス', 'ジョン・スミス'],
    ['ヴァン ドール', 'ヴァン ドール'],
    ['サトウ ケンイチロ-', 'サトウ ケンイチロー'], // a hyphen typed for ー
    ['ささき', 'ササキ'],
    ['いすゞ', 'イスヾ'],
  ])('accepts %j as %j', (raw, value) => {
    expect(accepted('kanaName', raw)).toBe(value);
  });

  it.each([['山田 花子'], ['Yamada Hanako'], ['ヤマダ 1'], ['ヤマダ!'], ['ーー'], ['ﾞ'], ['ヤマダ（ハナコ）']])('refuses %j (not kana)', (raw) => {
    expect(refusal('kanaName', raw)).toMatchObject({ reason: 'NOT_KANA', ja: expect.stringContaining('カナ') });
  });
});

describe('phone (電話番号)', () => {
  it.each([
    ['03-3964-1111', '03-3964-1111'],
    ['0339641111', '0339641111'],
    ['０３－３９６４－１１１１', '03-3964-1111'], // full-width digits and dash
    ['03ー3964ー1111', '03-3964-1111'],
    ['(03) 3964-1111', '03-3964-1111'],
    ['090-1234-5678', '090-1234-5678'],
    ['09012345678', '09012345678'],
    ['050 1234 5678', '050-1234-5678'],
    ['+81 90-1234-5678', '090-1234-5678'],
    ['+81-3-3964-1111', '03-3964-1111'],
    ['0123-45-6789', '0123-45-6789'], // a four-digit area code (Chitose)
    ['04992-2-1234', '04992-2-1234'],
  ])('accepts %j as %j', (raw, value) => {
    expect(accepted('phone', raw)).toBe(value);
  });

  it.each([
    ['2026-02-30'], // a date
    ['12345'], ['031234567'], ['031234567890'], ['0901234567'], // wrong lengths
    ['020-1234-5678'], ['0120-123-456'], ['0570-064-123'], // pager, toll-free, navi dial
    ['090-12345-678'], ['03-39-641111'], ['0-3-3-9-6-4-1-1-1-1'], // wrong grouping
    ['03-3964-1111 ext 2'], ['tel:0339641111'], ['+1 212 555 0100'],
  ])('refuses %j', (raw) => {
    expect(refusal('phone', raw)).toMatchObject({ reason: 'NOT_A_PHONE_NUMBER', en: expect.stringContaining('Japanese phone number'), ja: expect.stringContaining('電話番号') });
  });
});

describe('postalCode (郵便番号)', () => {
  it.each([['173-8501', '173-8501'], ['1738501', '173-8501'], ['〒173-8501', '173-8501'], ['１７３－８５０１', '173-8501'], ['〒 1738501', '173-8501'], ['173 8501', '173-8501']])(
    'accepts %j as %j', (raw, value) => expect(accepted('postalCode', raw)).toBe(value));
  it.each([['173-850'], ['17-38501'], ['1738-501'], ['abc-defg']])('refuses %j', (raw) => expect(refusal('postalCode', raw).reason).toBe('BAD_FORMAT'));
});

describe('address (住所)', () => {
  it.each([
    ['東京都板橋区板橋２－６６－１', '東京都板橋区板橋2-66-1'],
    ['東京都板橋区板橋2ー66ー1', '東京都板橋区板橋2-66-1'],
    ['東京都板橋区板橋2−66−1　ハイツ板橋101', '東京都板橋区板橋2-66-1 ハイツ板橋101'],
    ['東京都板橋区板橋2丁目66番1号', '東京都板橋区板橋2丁目66番1号'],
  ])('accepts %j as %j', (raw, value) => expect(accepted('address', raw)).toBe(value));
  it('keeps ー where it is a long vowel', () => expect(accepted('address', 'メゾンーム 2-1')).toBe('メゾンーム 2-1'));
  it.each([['2-66-1'], ['---']])('refuses %j (no letters)', (raw) => expect(refusal('address', raw).reason).toBe('BAD_FORMAT'));
});

describe('organisationName, note, label, reference, searchText', () => {
  it('normalise as people type', () => {
    expect(accepted('organisationName', '株式会社　ＡＢＣ')).toBe('株式会社 ABC');
    expect(accepted('organisationName', '7-Eleven')).toBe('7-Eleven');
    expect(refusal('organisationName', '---').reason).toBe('BAD_FORMAT');
    expect(accepted('note', '  １行目  \r\n\n２行目\t終わり  ')).toBe('１行目\n\n２行目\t終わり'); // NFC: as written
    expect(accepted('label', ' 就労証明書（原本）　写し ')).toBe('就労証明書（原本）　写し');
    expect(accepted('note', 'ｶﾞ\u3000か\u3099')).toBe('ｶﾞ\u3000が'); // composed, not widened
    expect(accepted('reference', ' 電子申請　12345 ')).toBe('電子申請 12345');
    expect(accepted('searchText', 'ﾆｼﾞｲﾛ')).toBe('ニジイロ');
  });
});

describe('machine kinds', () => {
  it.each([
    ['key', 'submit-2026/10#1', true], ['key', 'with space', false], ['key', 'ｆｕｌｌ', false],
    ['token', 'b-1:2.3_4', true], ['token', 'b/1', false],
    ['identifier', 'application.read', true], ['identifier', '.read', false],
    ['topic', 'jp.hokatsu.', true], ['topic', 'jp hokatsu', false],
    ['cursor', 'WyIyMDI2LTEwIl0', true], ['cursor', '12345', true], ['cursor', 'a b', false],
    ['mediaType', 'Application/PDF', true], ['mediaType', 'pdf', false],
    ['base64', 'aGVsbG8=', true], ['base64', 'aGVs bG8=', false],
    ['url', 'https://example.jp/hooks?x=1', true], ['url', 'https://example.jp/\nx', false],
    ['municipalityCode', '１３１１９９', true], ['municipalityCode', '13119', false], ['municipalityCode', '1311990', false],
    ['prefectureCode', '13', true], ['prefectureCode', '1', false],
    ['date', '２０２６－０４－０１', true], ['date', '2026-02-30', false], ['date', '2026-2-3', false],
    ['yearMonth', '2026-10', true], ['yearMonth', '2026-13', false],
    ['time', '23:59', true], ['time', '24:00', false], ['time', '9:00', false],
  ] as Array<[TextKind, string, boolean]>)('%s %j → accepted: %s', (kind, raw, ok) => {
    expect(applyTextPolicy(kind, raw).ok).toBe(ok);
  });

  it('normalises what is the same value', () => {
    expect(accepted('municipalityCode', '１３１１９９')).toBe('131199');
    expect(accepted('date', '２０２６－０４－０１')).toBe('2026-04-01');
    expect(accepted('mediaType', 'Application/PDF')).toBe('application/pdf');
    expect(accepted('fileContent', '\ufeffa,b')).toBe('a,b');
  });
});
