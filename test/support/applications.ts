/**
 * A complete submitApplication input for tests that need an application but are not about
 * submitting one: a 1歳児 (FY2026) child wishing one facility for the November 2026 intake, one
 * working guardian, every document a municipality asks for (so it is taken whether or not the
 * municipality accepts incomplete applications). The kana must be unique in the run: one active
 * application per child, intake month and partner holds across the whole test database.
 */
export function applicationInput(o: { idempotencyKey: string; kana: string; name: string; municipalityCode: string; address: string; facilityId: string }) {
  return {
    idempotencyKey: o.idempotencyKey,
    child: { name: o.name, kana: o.kana, birthDate: '2024-06-15', sex: 'FEMALE' },
    household: { address: o.address, memberCount: 3 },
    guardians: [{ name: '保護者 太郎', kana: 'ホゴシャ タロウ', relationship: 'FATHER', careReason: 'EMPLOYMENT', employment: { employerName: '株式会社テスト', daysPerWeek: 5, startTime: '09:00', endTime: '18:00', hoursPerMonth: 160 } }],
    residenceMunicipalityCode: o.municipalityCode,
    intakeMonth: '2026-11',
    wishes: [{ rank: 1, facilityId: o.facilityId }],
    applicationType: 'NEW',
    documents: ['APPLICATION_FORM', 'HOUSEHOLD_STATEMENT', 'CHILD_STATUS_STATEMENT', 'EMPLOYMENT_CERTIFICATE'].map((kind, i) => ({ kind, reference: `partner-file-${i + 1}` })),
  };
}

/**
 * A facility of the municipality that takes the class age with no minimum age in days (so any child
 * of that class can wish it), in name order; `skip` gives the next ones.
 */
export async function facilityTaking(db: { query(sql: string, params: unknown[]): Promise<Array<{ id: string }>> }, municipalityCode: string, classAge: number, skip = 0): Promise<string> {
  const [row] = await db.query(
    `SELECT f.id FROM facility f JOIN facility_class_age c ON c.facility_id = f.id AND c.class_age = $2
      WHERE f.municipality_code = $1 AND f.minimum_age_days IS NULL ORDER BY f.name, f.id OFFSET $3 LIMIT 1`,
    [municipalityCode, classAge, skip],
  );
  return row.id;
}
