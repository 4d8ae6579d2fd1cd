import { makeFacility, makeMunicipality, mediumDb, MediumDb } from '../support/medium';

let m: MediumDb;
beforeAll(async () => {
  m = await mediumDb();
});
afterAll(() => m?.close());

it('makes municipalities and facilities that the database accepts, each new', async () => {
  const code = await makeMunicipality(m.db);
  const [{ ok }] = await m.db.query(`SELECT hub_municipality_code_ok($1) AS ok`, [code]);
  expect(ok).toBe(true);
  const a = await makeFacility(m.db, code, { classAges: [0, 1] });
  const b = await makeFacility(m.db, code);
  expect(a).not.toBe(b);
  const ages = await m.db.query(`SELECT class_age FROM facility_class_age WHERE facility_id = $1 ORDER BY class_age`, [a]);
  expect(ages.map((r: { class_age: number }) => r.class_age)).toEqual([0, 1]);
});
