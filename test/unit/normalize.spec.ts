import { normalizeFacilityName, normalizeKana, normalizeSearchText } from '../../src/common/normalize';

describe('normalizeFacilityName', () => {
  it.each([
    // real pairs: vacancy list vs facility list
    ['にじいろ保育園新橋(仮称)', 'にじいろ保育園新橋'],
    ['にじいろ保育園新橋（仮称）', 'にじいろ保育園新橋'],
    ['仮称 にじいろ保育園新橋', 'にじいろ保育園新橋'],
    ['【新設】にじいろ保育園新橋', 'にじいろ保育園新橋'],
    ['ピノキオ幼児舎 西八王子保育園', 'ピノキオ幼児舎西八王子保育園'],
    ['八王子市立津久田保育園\u3000', '八王子市立津久田保育園'],
    ['ベビールーム　アンジュ', 'ベビールームアンジュ'],
    ['ベビールーム アンジュ（阿部 さおり）', 'ベビールームアンジュ'],
    ['杉並さゆり（7週目以上）', '杉並さゆり'],
    ['高円寺東※４', '高円寺東'],
    ['マザーズハート成田東園※６、７', 'マザーズハート成田東園'],
    ['館ヶ丘保育園', '館ケ丘保育園'],
    ['館ケ丘保育園', '館ケ丘保育園'],
    ['ココファン･ナーサリー八王子北館', 'ココファン・ナーサリー八王子北館'],
    ['保育園コスモ－アレー', '保育園コスモーアレー'],
    ['保育園コスモ-アレー', '保育園コスモーアレー'],
    ['保育園コスモ‐アレー', '保育園コスモーアレー'],
    ['ｺｽﾓｰ', 'コスモー'],
    ['AIAI NURSERY麻布十番', 'aiainursery麻布十番'],
    ['ＡＩＡＩ　ＮＵＲＳＥＲＹ麻布十番', 'aiainursery麻布十番'],
    ['駅前なかよし保育園第１', '駅前なかよし保育園第1'],
    ['（仮称）', '仮称'],
  ])('%s → %s', (input, expected) => expect(normalizeFacilityName(input)).toBe(expected));

  it('makes the real Minato pair equal', () => {
    expect(normalizeFacilityName('にじいろ保育園新橋(仮称)')).toBe(normalizeFacilityName('にじいろ保育園新橋'));
  });
});

describe('normalizeKana', () => {
  it.each([
    ['ﾊﾁｵｳｼﾞｼﾘﾂｺﾔｽﾎｲｸｴﾝ', 'ハチオウジシリツコヤスホイクエン'],
    ['ｺｺﾌｧﾝ･ﾅｰｻﾘｰﾊﾁｵｳｼﾞｷﾀｶﾝ', 'ココファン・ナーサリーハチオウジキタカン'],
    ['はちおうじ しりつ', 'ハチオウジシリツ'],
    ['ｱﾝｻﾞｲ ﾖｳｺ', 'アンザイヨウコ'],
    ['ゔぁ', 'ヴァ'],
  ])('%s → %s', (input, expected) => expect(normalizeKana(input)).toBe(expected));
});

describe('normalizeSearchText', () => {
  it.each([
    ['にじいろ', 'ニジイロ'],
    ['ﾆｼﾞｲﾛ', 'ニジイロ'],
    ['にじいろ保育園 新橋（仮称）', 'ニジイロ保育園新橋'],
    ['ﾊﾁｵｳｼﾞ', 'ハチオウジ'],
  ])('%s → %s', (input, expected) => expect(normalizeSearchText(input)).toBe(expected));

  it('lets a hiragana query find both the name and the kana column', () => {
    const q = normalizeSearchText('こやす');
    expect(normalizeSearchText(normalizeKana('ﾊﾁｵｳｼﾞｼﾘﾂｺﾔｽﾎｲｸｴﾝ'))).toContain(q);
    expect(normalizeSearchText('にじいろ保育園新橋')).toContain(normalizeSearchText('にじいろ'));
  });
});
