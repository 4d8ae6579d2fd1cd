/**
 * Where the applications feature keeps encrypted values, as FieldBindings: each value can be read
 * back only from the row it was written for (src/common/field-crypto.ts). The re-encryption command
 * computes the same row text in SQL (ENCRYPTED_COLUMNS in src/common/field-reencryption.ts).
 */
import type { FieldBinding } from '../common/field-crypto';

/** application.personal_data belongs to the application: its id (generated before the insert). */
export function personalDataBinding(applicationId: string): FieldBinding {
  return { table: 'application', column: 'personal_data', row: applicationId };
}

/**
 * A feed entry's payload belongs to what the entry means: the application, the municipality whose feed
 * it is in, and the kind of entry. Its serial id is assigned by the insert and says nothing about whose
 * data it is, so moving a payload to another entry, or changing an entry's municipality or application,
 * is what the binding refuses.
 */
export function feedPayloadBinding(applicationId: string, municipalityCode: string, kind: string): FieldBinding {
  return { table: 'municipality_feed_entry', column: 'payload', row: `${applicationId}/${municipalityCode}/${kind}` };
}
