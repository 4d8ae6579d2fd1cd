import { parse } from 'csv-parse/sync';
import { readCsvRecords } from '../../src/facilities/kosodate-shisetsu-csv';

/** What readCsvRecords returned before it counted lines itself: csv-parse's own line info for every record. */
function reference(text: string) {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const records = parse(body, { relax_column_count: true, skip_empty_lines: false, info: true }) as unknown as { record: string[]; info: { lines: number } }[];
  let prevEnd = 0;
  return records.flatMap(({ record, info }) => {
    const line = prevEnd + 1;
    prevEnd = info.lines;
    return record.length === 1 && record[0].trim() === '' ? [] : [{ line, cells: record }];
  });
}

describe('readCsvRecords (records and the line each starts on)', () => {
  it.each([
    ['LF', 'a,b\n1,2\n3,4'],
    ['CRLF with a final line break', 'a,b\r\n1,2\r\n3,4\r\n'],
    ['CR only', 'a,b\r1,2\r3,4'],
    ['blank lines in between and at the end', 'a,b\n\n1,2\n   \n3,4\n\n'],
    ['a byte-order mark', '\ufeffa,b\n1,2'],
    ['ragged rows', 'a,b,c\n1\n2,3,4,5'],
    ['Japanese text', '施設,定員\nかないくぼ保育園,12\nみなみ保育園,9'],
    // with quotes csv-parse's own line info is used: a quoted field may span lines
    ['a quoted field across lines', 'a,b\n"x\ny",2\n3,4'],
    ['quoted fields on one line', 'a,b\n"x,y",2\n\n"z",4'],
  ])('%s: the same records and lines as csv-parse counts them', (_label, text) => {
    expect(readCsvRecords(text)).toEqual(reference(text));
  });

  it('gives the line a record starts on after a record that spans lines', () => {
    expect(readCsvRecords('a,b\n"x\ny",2\n3,4').map((r) => r.line)).toEqual([1, 2, 4]);
    expect(readCsvRecords('a,b\n\n1,2\n\n3,4').map((r) => [r.line, r.cells])).toEqual([[1, ['a', 'b']], [3, ['1', '2']], [5, ['3', '4']]]);
  });
});
