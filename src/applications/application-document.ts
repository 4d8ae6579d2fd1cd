/**
 * What municipalities receive (pure). Three forms of one document, documented for the vendors of
 * local systems in docs/delivery-formats.md:
 *
 * - the NOTICE (webhook data, PUSH): everything about the application except personal data. The
 *   outbox stores message data in clear and retries it for days, so personal data never goes there;
 *   the municipality reads the personal part with `application(id)` (audited), over its own key.
 * - the FULL document (PULL feed entries): the notice plus `personal`, stored encrypted.
 * - BATCH CSV rows: the full document flattened into the columns of BATCH_COLUMNS.
 *
 * A FORWARDED_NOTICE says so (`forwarded: true`, `forwardedBy`): it is the copy the deciding
 * municipality forwards (管外, or a move-in destination), never a second application.
 *
 * `possibleDuplicateOfApplicationIds`: the other live applications for the same child (kana name,
 * birth date, residence municipality) and intake month that came through other partner apps and that
 * this municipality also receives — possibly one applicant applying twice. Municipalities only: no
 * partner ever receives these documents.
 */
import type { RecipientRole, RoutingDecision } from './routing';

export const APPLICATION_SUBMITTED_EVENT = 'jp.hokatsu.application.submitted';
export const APPLICATION_FORWARDED_EVENT = 'jp.hokatsu.application.forwarded';
export const DOCUMENT_VERSION = 'hokatsu-application/1';

export interface PersonalData {
  child: { name: string; kana: string; birthDate: string; sex: string; healthNotes?: string | null };
  household: { address: string; phone?: string | null; memberCount: number };
  guardians: Array<{
    name: string;
    kana: string;
    relationship: string;
    careReason: string;
    employment?: { employerName: string; daysPerWeek: number; startTime: string; endTime: string; hoursPerMonth: number } | null;
    expectedDeliveryDate?: string | null;
    reasonDetails?: string | null;
  }>;
  siblings: Array<{ name: string; kana: string; birthDate: string; applicationId?: string | null }>;
  siblingsAcceptSplit: boolean;
  documents: Array<{ kind: string; reference?: string | null; attachment?: { contentType: string; base64: string } | null }>;
}

/** Another live application for the same child and month (another partner's), and who receives it. */
export interface PossibleDuplicate {
  applicationId: string;
  /** The municipalities that application is routed to: a recipient is told only of those it receives too. */
  municipalityCodes: readonly string[];
}

export interface ApplicationFacts {
  id: string;
  status: string;
  intakeMonth: string;
  classAge: number;
  applicationType: string;
  currentFacilityId: string | null;
  residenceMunicipalityCode: string;
  moveInMunicipalityCode: string | null;
  moveInDate: string | null;
  primaryMunicipalityCode: string;
  outOfArea: boolean;
  routing: RoutingDecision;
  incomplete: boolean;
  missingDocuments: string[];
  validUntil: string | null;
  submittedAt: Date;
  wishes: Array<{ rank: number; facilityId: string; municipalityCode: string; facilityName?: string }>;
  possibleDuplicates: readonly PossibleDuplicate[];
}

export interface ApplicationNotice {
  version: typeof DOCUMENT_VERSION;
  applicationId: string;
  /** The municipality this copy is for. */
  recipientMunicipalityCode: string;
  role: RecipientRole;
  /** True on a FORWARDED_NOTICE: the same application, forwarded by `forwardedBy`; do not count it as a new one. */
  forwarded: boolean;
  forwardedBy: string | null;
  routingReason: string;
  primaryMunicipalityCode: string;
  residenceMunicipalityCode: string;
  moveIn: { municipalityCode: string; moveInDate: string } | null;
  outOfArea: boolean;
  status: string;
  intakeMonth: string;
  classAge: number;
  applicationType: string;
  currentFacilityId: string | null;
  wishes: Array<{ rank: number; facilityId: string; municipalityCode: string; inRecipientMunicipality: boolean }>;
  incomplete: boolean;
  missingDocuments: string[];
  validUntil: string | null;
  submittedAt: string;
  /** How to read the personal part when it is not included (PUSH): GraphQL `application(id)` with the municipality's key. */
  personalDataIncluded: boolean;
  /** Other live applications (other partner apps) for the same child and intake month that this municipality receives too; empty when none. */
  possibleDuplicateOfApplicationIds: string[];
}

export interface FullApplicationDocument extends ApplicationNotice {
  personal: PersonalData;
}

export function eventTypeFor(role: RecipientRole): string {
  return role === 'APPLICATION' ? APPLICATION_SUBMITTED_EVENT : APPLICATION_FORWARDED_EVENT;
}

export function applicationNotice(app: ApplicationFacts, recipientCode: string): ApplicationNotice {
  const recipient = app.routing.recipients.find((r) => r.municipalityCode === recipientCode);
  if (!recipient) throw new Error(`${recipientCode} is not a recipient of application ${app.id}`);
  const forwarded = recipient.role === 'FORWARDED_NOTICE';
  return {
    version: DOCUMENT_VERSION,
    applicationId: app.id,
    recipientMunicipalityCode: recipientCode,
    role: recipient.role,
    forwarded,
    forwardedBy: forwarded ? app.primaryMunicipalityCode : null,
    routingReason: recipient.reason,
    primaryMunicipalityCode: app.primaryMunicipalityCode,
    residenceMunicipalityCode: app.residenceMunicipalityCode,
    moveIn: app.moveInMunicipalityCode && app.moveInDate ? { municipalityCode: app.moveInMunicipalityCode, moveInDate: app.moveInDate } : null,
    outOfArea: app.outOfArea,
    status: app.status,
    intakeMonth: app.intakeMonth,
    classAge: app.classAge,
    applicationType: app.applicationType,
    currentFacilityId: app.currentFacilityId,
    wishes: [...app.wishes]
      .sort((a, b) => a.rank - b.rank)
      .map((w) => ({ rank: w.rank, facilityId: w.facilityId, municipalityCode: w.municipalityCode, inRecipientMunicipality: w.municipalityCode === recipientCode })),
    incomplete: app.incomplete,
    missingDocuments: app.missingDocuments,
    validUntil: app.validUntil,
    submittedAt: app.submittedAt.toISOString(),
    personalDataIncluded: false,
    possibleDuplicateOfApplicationIds: possibleDuplicatesFor(app, recipientCode),
  };
}

/** The possible duplicates a recipient is told of: those it receives too. */
export function possibleDuplicatesFor(app: Pick<ApplicationFacts, 'possibleDuplicates'>, recipientCode: string): string[] {
  return app.possibleDuplicates.filter((d) => d.municipalityCodes.includes(recipientCode)).map((d) => d.applicationId);
}

export function fullApplicationDocument(app: ApplicationFacts, recipientCode: string, personal: PersonalData): FullApplicationDocument {
  return { ...applicationNotice(app, recipientCode), personalDataIncluded: true, personal };
}

/**
 * BATCH CSV columns, in file order. One row per application routed to the municipality for the
 * intake month (its own applications and forwarded copies, told apart by `role`). Lists inside a
 * cell are separated by ';' and their parts by '|'. Guardians are two fixed column groups, as on
 * the paper form; a second guardian's columns are empty when there is one.
 */
export const BATCH_COLUMNS = [
  'application_id', 'role', 'forwarded_by', 'routing_reason', 'status', 'submitted_at', 'intake_month', 'class_age', 'application_type',
  'current_facility_id', 'residence_municipality_code', 'move_in_municipality_code', 'move_in_date', 'out_of_area', 'wish_count',
  'wish_facility_ids', 'wish_municipality_codes', 'wish_facility_names',
  'child_name', 'child_kana', 'child_birth_date', 'child_sex', 'child_health_notes', 'household_address', 'household_phone', 'household_member_count',
  ...guardianColumns(1), ...guardianColumns(2),
  'siblings', 'siblings_accept_split', 'documents', 'incomplete', 'missing_documents', 'valid_until',
  'possible_duplicate_of_application_ids',
] as const;

function guardianColumns(n: 1 | 2) {
  return [
    `guardian${n}_name`, `guardian${n}_kana`, `guardian${n}_relationship`, `guardian${n}_care_reason`, `guardian${n}_employer`,
    `guardian${n}_days_per_week`, `guardian${n}_working_hours`, `guardian${n}_hours_per_month`, `guardian${n}_expected_delivery_date`,
    `guardian${n}_reason_details`,
  ] as const;
}

export type BatchColumn = (typeof BATCH_COLUMNS)[number];

/** One CSV row (cells in BATCH_COLUMNS order) of a full document; the submission time is written in Japan time. */
export function batchRow(doc: FullApplicationDocument, wishNames: ReadonlyMap<string, string> = new Map()): string[] {
  const p = doc.personal;
  const cells: Record<string, string> = {
    application_id: doc.applicationId,
    role: doc.role,
    forwarded_by: doc.forwardedBy ?? '',
    routing_reason: doc.routingReason,
    status: doc.status,
    submitted_at: toJapanIso(doc.submittedAt),
    intake_month: doc.intakeMonth,
    class_age: String(doc.classAge),
    application_type: doc.applicationType,
    current_facility_id: doc.currentFacilityId ?? '',
    residence_municipality_code: doc.residenceMunicipalityCode,
    move_in_municipality_code: doc.moveIn?.municipalityCode ?? '',
    move_in_date: doc.moveIn?.moveInDate ?? '',
    out_of_area: bool(doc.outOfArea),
    wish_count: String(doc.wishes.length),
    wish_facility_ids: doc.wishes.map((w) => w.facilityId).join(';'),
    wish_municipality_codes: doc.wishes.map((w) => w.municipalityCode).join(';'),
    wish_facility_names: doc.wishes.map((w) => wishNames.get(w.facilityId) ?? '').join(';'),
    child_name: p.child.name,
    child_kana: p.child.kana,
    child_birth_date: p.child.birthDate,
    child_sex: p.child.sex,
    child_health_notes: p.child.healthNotes ?? '',
    household_address: p.household.address,
    household_phone: p.household.phone ?? '',
    household_member_count: String(p.household.memberCount),
    siblings: p.siblings.map((s) => [s.name, s.kana, s.birthDate, s.applicationId ?? ''].join('|')).join(';'),
    siblings_accept_split: bool(p.siblingsAcceptSplit),
    documents: p.documents.map((d) => d.kind).join(';'),
    incomplete: bool(doc.incomplete),
    missing_documents: doc.missingDocuments.join(';'),
    valid_until: doc.validUntil ?? '',
    // Documents stored before the field existed have none.
    possible_duplicate_of_application_ids: (doc.possibleDuplicateOfApplicationIds ?? []).join(';'),
  };
  ([1, 2] as const).forEach((n) => {
    const g = p.guardians[n - 1];
    cells[`guardian${n}_name`] = g?.name ?? '';
    cells[`guardian${n}_kana`] = g?.kana ?? '';
    cells[`guardian${n}_relationship`] = g?.relationship ?? '';
    cells[`guardian${n}_care_reason`] = g?.careReason ?? '';
    cells[`guardian${n}_employer`] = g?.employment?.employerName ?? '';
    cells[`guardian${n}_days_per_week`] = g?.employment ? String(g.employment.daysPerWeek) : '';
    cells[`guardian${n}_working_hours`] = g?.employment ? `${g.employment.startTime}-${g.employment.endTime}` : '';
    cells[`guardian${n}_hours_per_month`] = g?.employment ? String(g.employment.hoursPerMonth) : '';
    cells[`guardian${n}_expected_delivery_date`] = g?.expectedDeliveryDate ?? '';
    cells[`guardian${n}_reason_details`] = g?.reasonDetails ?? '';
  });
  return BATCH_COLUMNS.map((column) => cells[column]);
}

function bool(value: boolean): string {
  return value ? 'true' : 'false';
}

/** '2026-08-03T01:02:03.000Z' → '2026-08-03T10:02:03+09:00' */
export function toJapanIso(instant: string): string {
  const shifted = new Date(new Date(instant).getTime() + 9 * 3600_000).toISOString();
  return `${shifted.slice(0, 19)}+09:00`;
}

/** The personal part of a submission, as encrypted into application.personal_data. */
export function personalDataOf(input: {
  child: PersonalData['child'];
  household: PersonalData['household'];
  guardians: PersonalData['guardians'];
  siblings?: PersonalData['siblings'];
  siblingsAcceptSplit?: boolean;
  documents?: Array<{ kind: string; reference?: string | null; attachmentBase64?: string | null; attachmentContentType?: string | null }>;
}): PersonalData {
  return {
    child: { name: input.child.name, kana: input.child.kana, birthDate: input.child.birthDate, sex: input.child.sex, healthNotes: input.child.healthNotes ?? null },
    household: { address: input.household.address, phone: input.household.phone ?? null, memberCount: input.household.memberCount },
    guardians: input.guardians.map((g) => ({
      name: g.name,
      kana: g.kana,
      relationship: g.relationship,
      careReason: g.careReason,
      employment: g.employment
        ? { employerName: g.employment.employerName, daysPerWeek: g.employment.daysPerWeek, startTime: g.employment.startTime, endTime: g.employment.endTime, hoursPerMonth: g.employment.hoursPerMonth }
        : null,
      expectedDeliveryDate: g.expectedDeliveryDate ?? null,
      reasonDetails: g.reasonDetails ?? null,
    })),
    siblings: (input.siblings ?? []).map((s) => ({ name: s.name, kana: s.kana, birthDate: s.birthDate, applicationId: s.applicationId ?? null })),
    siblingsAcceptSplit: input.siblingsAcceptSplit ?? true,
    documents: (input.documents ?? []).map((d) => ({
      kind: d.kind,
      reference: d.reference ?? null,
      attachment: d.attachmentBase64 ? { contentType: d.attachmentContentType ?? 'application/octet-stream', base64: d.attachmentBase64 } : null,
    })),
  };
}
