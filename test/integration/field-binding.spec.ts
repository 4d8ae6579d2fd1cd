import { FieldCipher, parseKeyRing } from '../../src/common/field-crypto';
import { FieldReencryption } from '../../src/common/field-reencryption';
import { rootLogger } from '../../src/common/logger';
import { personalDataBinding } from '../../src/applications/encrypted-fields';
import { DEMO_ENCRYPTION_KEYS } from '../../src/config/app-config';
import { applicationInput, facilityTaking } from '../support/applications';
import { legacyToken } from '../support/legacy-token';
import { DEMO_KEYS, GqlResult, startTestHub, TestHub } from '../support/hub';

/**
 * Encrypted values are bound to their table, column and row: a value moved by SQL to another row (or
 * another municipality's feed) is refused on read, logged, and only that record's read fails. The run's
 * database is shared with the other test files, so every move is undone whatever happens.
 */
const ITABASHI = '131199';
const ADACHI = '131211';
const RING = parseKeyRing(DEMO_ENCRYPTION_KEYS, 'HUB_ENCRYPTION_KEYS');
const STARTED = `${process.pid}-${Date.now()}`;
const RUN = `${process.pid}${Date.now()}`.slice(-8).replace(/\d/g, (d) => 'アイウエオカキクケコ'[Number(d)]);
const SUBMIT = `mutation($input: SubmitApplicationInput!) { submitApplication(input: $input) { application { id } } }`;
const READ = `query($id: ID!) { application(id: $id) { id status personalData { child { name kana } } } }`;
const FEED = `query($after: String) { municipalityFeed(after: $after, first: 100) { entries { cursor applicationId } hasMore } }`;

let t: TestHub;
const ids: string[] = [];
const names = ['束縛 一子', '束縛 二子', '束縛 三子'];
let logged: jest.SpyInstance;

beforeAll(async () => {
  t = await startTestHub({ HUB_WORKERS: 'false' });
  t.clock.set(new Date('2026-09-20T10:00:00+09:00'));
  const facilityId = await facilityTaking(t.db, ITABASHI, 1);
  // 板橋区 reads a feed (the demo's setting; another test file may have changed it on the shared database).
  await t.ok(`mutation { configureMunicipalityDelivery(input: { municipalityCode: "${ITABASHI}", mode: PULL }) { setting { mode } } }`, {}, DEMO_KEYS.ADMIN);
  for (const [i, name] of names.entries()) {
    const input = applicationInput({ idempotencyKey: `binding-${STARTED}-${i}`, kana: `ソクバク ${RUN}${'イニサ'[i]}`, name, municipalityCode: ITABASHI, address: '東京都板橋区板橋2-66-1', facilityId });
    ids.push((await t.ok(SUBMIT, { input }, DEMO_KEYS.PARTNER)).submitApplication.application.id);
  }
});

afterAll(async () => {
  await t?.close();
});

beforeEach(() => {
  logged = jest.spyOn(rootLogger, 'error');
});
afterEach(() => logged.mockRestore());

/** Swaps two applications' personal data (what someone with SQL access could do), and back at the end. */
async function swapped<T>(a: string, b: string, fn: () => Promise<T>): Promise<T> {
  // One statement: both rows read the values as they were before it.
  const swap = () =>
    t.db.query(
      `UPDATE application x SET personal_data = y.personal_data FROM application y
        WHERE (x.id = $1 AND y.id = $2) OR (x.id = $2 AND y.id = $1)`,
      [a, b],
    );
  await swap();
  try {
    return await fn();
  } finally {
    await swap();
  }
}

function refusalsLogged() {
  return logged.mock.calls.filter(([, message]) => message === 'stored encrypted value refused on read').map(([fields]) => fields);
}

describe('encrypted fields bound to their row', () => {
  it('two applications whose personal data was swapped by SQL: reading either is refused and logged, the others still read', async () => {
    const [a, b, c] = ids;
    await swapped(a, b, async () => {
      for (const id of [a, b]) {
        const r = await t.gql(READ, { id }, DEMO_KEYS.PARTNER);
        expect(r.status).toBe(200);
        expect(r.data).toBeNull();
        expect(r.errors).toHaveLength(1);
        expect(r.errors![0].path).toEqual(['application', 'personalData']);
        expect(r.errors![0].extensions).toMatchObject({ code: 'DATA_INTEGRITY_ERROR', field: 'personalData', details: { applicationId: id }, requestId: expect.any(String) });
        expect(r.errors![0].message).toContain(id);
        expect(r.errors![0].extensions.messageJa).toContain(id);
        // nothing of the other applicant is in the answer
        expect(JSON.stringify(r)).not.toMatch(/束縛/);
      }
      expect(refusalsLogged()).toEqual([
        expect.objectContaining({ table: 'application', column: 'personal_data', row: a, code: 'FIELD_DECRYPTION_FAILED', requestId: expect.any(String) }),
        expect.objectContaining({ table: 'application', column: 'personal_data', row: b, code: 'FIELD_DECRYPTION_FAILED', requestId: expect.any(String) }),
      ]);

      // the third application, and the fields of the swapped ones that are not encrypted, still answer
      expect((await t.ok(READ, { id: c }, DEMO_KEYS.PARTNER)).application.personalData.child.name).toBe(names[2]);
      expect((await t.ok(`query($id: ID!) { application(id: $id) { id status } }`, { id: a }, DEMO_KEYS.PARTNER)).application).toEqual({ id: a, status: 'SUBMITTED' });
      // the partner's list still answers with them (paged: other test files' applications share the partner)
      const listed: string[] = [];
      for (let after: string | null = null, more = true; more; ) {
        const { applications }: { applications: any } = await t.ok(`query($after: String) { applications(first: 100, after: $after) { edges { node { id status } } pageInfo { endCursor hasNextPage } } }`, { after }, DEMO_KEYS.PARTNER);
        listed.push(...applications.edges.map((e: { node: { id: string } }) => e.node.id));
        ({ endCursor: after, hasNextPage: more } = applications.pageInfo);
      }
      expect(listed).toEqual(expect.arrayContaining(ids));
      // a municipality reading the same application is refused as well
      const municipal = await t.gql(READ, { id: a }, DEMO_KEYS.MUNICIPALITY_ITABASHI);
      expect(municipal.errors?.[0].extensions.code).toBe('DATA_INTEGRITY_ERROR');
    });
    // swapped back: each reads its own again
    for (const [i, id] of [a, b].entries()) expect((await t.ok(READ, { id }, DEMO_KEYS.PARTNER)).application.personalData.child.name).toBe(names[i]);
  });

  it("a feed entry moved into another municipality's feed is refused there instead of showing the other municipality's applicant", async () => {
    const [a] = ids;
    const [entry] = await t.db.query(`SELECT id::text AS id FROM municipality_feed_entry WHERE application_id = $1 AND municipality_code = $2`, [a, ITABASHI]);
    await t.db.query(`UPDATE municipality_feed_entry SET municipality_code = $2 WHERE id = $1`, [entry.id, ADACHI]);
    try {
      let error: { extensions: Record<string, unknown> } | undefined;
      for (let after: string | null = null; !error; ) {
        const r: GqlResult = await t.gql(FEED, { after }, DEMO_KEYS.MUNICIPALITY_ADACHI);
        error = r.errors?.[0];
        if (error) break;
        expect(r.data.municipalityFeed.entries.map((e: { applicationId: string }) => e.applicationId)).not.toContain(a);
        if (!r.data.municipalityFeed.hasMore) throw new Error('the moved entry was never refused');
        after = r.data.municipalityFeed.entries.at(-1).cursor;
      }
      expect(error.extensions).toMatchObject({ code: 'DATA_INTEGRITY_ERROR', details: { applicationId: a } });
      expect(refusalsLogged()).toEqual([expect.objectContaining({ table: 'municipality_feed_entry', column: 'payload', row: `${a}/${ADACHI}/APPLICATION` })]);
    } finally {
      await t.db.query(`UPDATE municipality_feed_entry SET municipality_code = $2 WHERE id = $1`, [entry.id, ITABASHI]);
    }
  });

  it('a value written before the binding (v1) is still read, and reencrypt-fields binds it; afterwards none is unbound', async () => {
    const [, , c] = ids;
    const cipher = new FieldCipher(RING);
    const [row] = await t.db.query(`SELECT personal_data FROM application WHERE id = $1`, [c]);
    const plaintext = cipher.decrypt(row.personal_data, personalDataBinding(c));
    const legacy = legacyToken(RING.current, plaintext);
    await t.db.query(`UPDATE application SET personal_data = $2 WHERE id = $1`, [c, legacy]);

    expect((await t.ok(READ, { id: c }, DEMO_KEYS.PARTNER)).application.personalData.child.name).toBe(names[2]);
    const dry = await new FieldReencryption(t.db, RING).run({ dryRun: true });
    expect(dry.find((r) => r.field === 'application.personal_data')).toMatchObject({ reencrypted: 1, failed: [], unbound: 1 });

    const run = await new FieldReencryption(t.db, RING).run();
    expect(run.find((r) => r.field === 'application.personal_data')).toMatchObject({ reencrypted: 1, failed: [] });
    expect(run.map((r) => [r.field, r.unbound])).toEqual(run.map((r) => [r.field, 0]));
    const [after] = await t.db.query(`SELECT personal_data FROM application WHERE id = $1`, [c]);
    expect(after.personal_data).toMatch(/^v2\.demo\./);
    expect(cipher.decrypt(after.personal_data, personalDataBinding(c))).toBe(plaintext);
    expect((await t.ok(READ, { id: c }, DEMO_KEYS.PARTNER)).application.personalData.child.name).toBe(names[2]);
    // now bound: copied to another application it is refused there
    await swapped(c, ids[0], async () => {
      expect((await t.gql(READ, { id: ids[0] }, DEMO_KEYS.PARTNER)).errors?.[0].extensions.code).toBe('DATA_INTEGRITY_ERROR');
    });
  });
});
