import { buildVacancySearchSql, shapeOf, vacancySearchSql, VacancySearchQuery } from '../../src/vacancies/vacancy-search.sql';

/** Every combination of the parts that can change the statement, each with two different sets of values. */
function queries(): VacancySearchQuery[] {
  const out: VacancySearchQuery[] = [];
  const columnChoices = [null, ['name'], ['kind', 'latitude', 'name']];
  for (let bits = 0; bits < 32; bits++) {
    for (const facilityColumns of columnChoices) {
      for (const values of [0, 1]) {
        const on = (i: number) => (bits & (1 << i)) !== 0;
        out.push({
          classAge: values ? 4 : 1,
          intakeMonth: values ? '2027-01' : '2026-09',
          municipalityCodes: on(0) ? (values ? ['131016', '141003'] : ['011002']) : values ? [] : null,
          kinds: on(1) ? (values ? ['NINKA'] : ['NINKA', 'KODOMOEN']) : null,
          onlyWithSeats: on(2) ? true : values ? false : null,
          near: on(3) ? { latitude: values ? 35.6 : 43.06, longitude: values ? 139.7 : 141.35, radiusMeters: values ? 500 : 3000 } : null,
          after: on(4) ? (on(3) ? [values ? 12.5 : 80, 'ab2b1bd0-0000-4000-8000-000000000001'] : ['131016', values ? 'あおば' : 'さくら', 'ab2b1bd0-0000-4000-8000-000000000002']) : null,
          first: values ? 50 : 20,
          facilityColumns,
        });
      }
    }
  }
  return out;
}

describe('vacancySearchSql: one text per shape', () => {
  const all = queries();

  it.each([false, true])('two queries have the same shape exactly when their statements have the same text (count: %s)', (forCount) => {
    const built = all.map((q) => ({ shape: shapeOf(q, forCount), sql: buildVacancySearchSql(q, forCount).sql }));
    const mismatches = built.flatMap((a) => built.filter((b) => (a.sql === b.sql) !== (a.shape === b.shape)).map((b) => `${a.shape} / ${b.shape}`));
    expect(mismatches).toEqual([]);
    // Both kinds of pair occur: the same shape with other values, and other shapes.
    expect(new Set(built.map((b) => b.shape)).size).toBe(forCount ? all.length / 4 : all.length / 2); // a count has no cursor
  });

  it.each([false, true])('gives the text and parameters a fresh build gives, whatever was asked before (count: %s)', (forCount) => {
    for (const q of [...all, ...[...all].reverse()]) {
      const memo = vacancySearchSql(q, forCount);
      const fresh = buildVacancySearchSql(q, forCount);
      expect({ sql: memo.sql, params: memo.params }).toEqual(fresh);
      expect(memo.shape).toBe(shapeOf(q, forCount));
    }
  });

  it('returns the very same string for every search of one shape', () => {
    const [a, b] = all;
    expect(shapeOf(a, false)).toBe(shapeOf(b, false));
    expect(vacancySearchSql(a).sql).toBe(vacancySearchSql(b).sql); // toBe: Object.is, one string
  });
});
