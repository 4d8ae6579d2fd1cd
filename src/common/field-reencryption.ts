/**
 * Re-encryption after a key rotation: every encrypted field (and every child key, the keyed hash that
 * finds duplicate applications) is rewritten under the CURRENT key of HUB_ENCRYPTION_KEYS, so that an
 * old key can then be removed from the ring. Run by `npm run hub -- reencrypt-fields` once every
 * instance runs with the new ring (an instance still on the old ring could not read the new tokens).
 *
 * - Batches in key order, each batch one transaction with its rows locked (FOR UPDATE), so a row the
 *   service changes at the same moment is either read after that change or waits for the batch.
 * - Idempotent and resumable: a row already under the current key is left alone, so a second run (or
 *   a run after a crash) only does what is left.
 * - Nothing is lost: a token that cannot be decrypted (its key is not in the ring, or it was altered)
 *   is left as it is and reported; so is an application whose new child key would collide with another
 *   active application of the same child (a duplicate that an older key let in), which keeps needing
 *   its old key. The census afterwards says, per column, which keys are still in use.
 */
import { DataSource, EntityManager } from 'typeorm';
import { childKeyOf } from '../applications/child-key';
import { FieldCipher, KeyRing } from './field-crypto';

/** Where encrypted values live. `childKey`: the row also holds the child key derived from the same ring. */
export interface EncryptedColumn {
  table: string;
  id: string;
  idType: 'uuid' | 'bigint';
  column: string;
  childKey?: boolean;
}

export const ENCRYPTED_COLUMNS: readonly EncryptedColumn[] = [
  { table: 'application', id: 'id', idType: 'uuid', column: 'personal_data', childKey: true },
  { table: 'municipality_feed_entry', id: 'id', idType: 'bigint', column: 'payload' },
  { table: 'webhook_endpoint', id: 'id', idType: 'uuid', column: 'secret' },
  { table: 'webhook_endpoint', id: 'id', idType: 'uuid', column: 'previous_secret' },
];

/** What to write for one row, or why it cannot be done; null when the row is already current. */
export type RowPlan = { token: string; childKey: string | null } | { problem: string } | null;

/**
 * The pure decision for one stored row: re-encrypt a token that is not under the current key, and
 * re-derive a child key that is not under it (from the child's identity inside the decrypted data).
 */
export function planRow(cipher: FieldCipher, ring: KeyRing, token: string, childKey: string | null, field: string): RowPlan {
  const current = ring.current.id;
  let tokenKey: string;
  try {
    tokenKey = cipher.keyIdOf(token, field);
  } catch (err) {
    return { problem: (err as Error).message };
  }
  const childKeyStale = childKey !== null && !childKey.startsWith(`${current}:`);
  if (tokenKey === current && !childKeyStale) return null;
  let plaintext: string;
  try {
    plaintext = cipher.decrypt(token, field);
  } catch (err) {
    return { problem: (err as Error).message };
  }
  const newToken = tokenKey === current ? token : cipher.encrypt(plaintext);
  if (!childKeyStale) return { token: newToken, childKey: null };
  let child: { kana?: unknown; birthDate?: unknown } | undefined;
  try {
    child = (JSON.parse(plaintext) as { child?: typeof child } | null)?.child;
  } catch {
    child = undefined;
  }
  if (typeof child?.kana !== 'string' || typeof child.birthDate !== 'string') return { problem: `${field} holds no child identity to derive the child key from` };
  return { token: newToken, childKey: childKeyOf({ kana: child.kana, birthDate: child.birthDate }, ring.current) };
}

export interface ColumnReport {
  field: string;
  /** Rows with a value. */
  scanned: number;
  /** Rows rewritten (or, in a dry run, that would be). */
  reencrypted: number;
  /** Rows left as they are because they could not be done, with the reason. */
  failed: Array<{ id: string; reason: string }>;
  /** After the run: how many values each key still protects, by key id (child keys as `child_key:<key id>`). */
  keysInUse: Record<string, number>;
}

/**
 * The keys of the ring that no value (and no child key) uses any more, after a run: those can be
 * removed from HUB_ENCRYPTION_KEYS. The current key is never among them.
 */
export function removableKeys(ring: KeyRing, reports: readonly ColumnReport[]): string[] {
  const used = new Set(reports.flatMap((r) => Object.keys(r.keysInUse).map((key) => key.replace(/^child_key:/, ''))));
  return [...ring.all.keys()].filter((id) => id !== ring.current.id && !used.has(id));
}

const UNIQUE_VIOLATION = '23505';

export class FieldReencryption {
  private readonly cipher: FieldCipher;

  constructor(private readonly db: DataSource, private readonly ring: KeyRing, private readonly batchSize = 500) {
    this.cipher = new FieldCipher(ring);
  }

  async run(options: { dryRun?: boolean; onBatch?: (field: string, scanned: number) => void } = {}): Promise<ColumnReport[]> {
    const reports: ColumnReport[] = [];
    for (const col of ENCRYPTED_COLUMNS) reports.push(await this.column(col, options));
    return reports;
  }

  private async column(col: EncryptedColumn, options: { dryRun?: boolean; onBatch?: (field: string, scanned: number) => void }): Promise<ColumnReport> {
    const field = `${col.table}.${col.column}`;
    const report: ColumnReport = { field, scanned: 0, reencrypted: 0, failed: [], keysInUse: {} };
    let after: string | null = null;
    for (;;) {
      const rows = await this.db.transaction(async (m) => {
        const batch: Array<{ id: string; token: string; child_key: string | null }> = await m.query(
          // ORDER BY names the column, not the text alias "id": ids compared as text ('10' < '2') skipped rows.
          `SELECT ${col.id}::text AS id, ${col.column} AS token, ${col.childKey ? 'child_key' : 'NULL::text'} AS child_key
             FROM ${col.table} WHERE ${col.column} IS NOT NULL ${after === null ? '' : `AND ${col.id} > $2::${col.idType}`}
            ORDER BY ${col.table}.${col.id} LIMIT $1 FOR UPDATE`,
          after === null ? [this.batchSize] : [this.batchSize, after],
        );
        const writes: Array<{ id: string; token: string; childKey: string | null }> = [];
        for (const row of batch) {
          const plan = planRow(this.cipher, this.ring, row.token, row.child_key, field);
          if (!plan) continue;
          if ('problem' in plan) report.failed.push({ id: row.id, reason: plan.problem });
          else writes.push({ id: row.id, ...plan });
        }
        if (!options.dryRun) await this.write(m, col, writes, report);
        else report.reencrypted += writes.length;
        return batch;
      });
      report.scanned += rows.length;
      options.onBatch?.(field, report.scanned);
      if (rows.length < this.batchSize) break;
      after = rows[rows.length - 1].id;
    }
    report.keysInUse = await this.keysInUse(col);
    return report;
  }

  /** One UPDATE for the batch; if a new child key collides, row by row so that only the colliding rows stay behind. */
  private async write(m: EntityManager, col: EncryptedColumn, writes: Array<{ id: string; token: string; childKey: string | null }>, report: ColumnReport) {
    if (!writes.length) return;
    const update = (ws: typeof writes) =>
      m.query(
        `UPDATE ${col.table} t SET ${col.column} = u.token${col.childKey ? ', child_key = coalesce(u.child_key, t.child_key)' : ''}
           FROM unnest($1::${col.idType}[], $2::text[], $3::text[]) AS u(id, token, child_key) WHERE t.${col.id} = u.id`,
        [ws.map((w) => w.id), ws.map((w) => w.token), ws.map((w) => w.childKey)],
      );
    await m.query('SAVEPOINT reencrypt_batch');
    try {
      await update(writes);
      await m.query('RELEASE SAVEPOINT reencrypt_batch');
      report.reencrypted += writes.length;
      return;
    } catch (err) {
      await m.query('ROLLBACK TO SAVEPOINT reencrypt_batch');
      if ((err as { code?: string }).code !== UNIQUE_VIOLATION) throw err;
    }
    for (const w of writes) {
      await m.query('SAVEPOINT reencrypt_row');
      try {
        await update([w]);
        await m.query('RELEASE SAVEPOINT reencrypt_row');
        report.reencrypted++;
      } catch (err) {
        await m.query('ROLLBACK TO SAVEPOINT reencrypt_row');
        if ((err as { code?: string }).code !== UNIQUE_VIOLATION) throw err;
        report.failed.push({ id: w.id, reason: 'another active application of the same child already has this child key under the current key (a duplicate an older key let in): left under its old key' });
      }
    }
  }

  private async keysInUse(col: EncryptedColumn): Promise<Record<string, number>> {
    const rows: Array<{ key_id: string; n: number }> = await this.db.query(
      `SELECT split_part(${col.column}, '.', 2) AS key_id, count(*)::int AS n FROM ${col.table} WHERE ${col.column} IS NOT NULL GROUP BY 1
       ${col.childKey ? `UNION ALL SELECT 'child_key:' || split_part(child_key, ':', 1), count(*)::int FROM ${col.table} GROUP BY 1` : ''}`,
    );
    return Object.fromEntries(rows.map((r) => [r.key_id, r.n]));
  }
}
