import { Command, CommandRunner, Option } from 'nest-commander';
import { DataSource } from 'typeorm';
import { parseKeyRing } from '../common/field-crypto';
import { FieldReencryption, removableKeys } from '../common/field-reencryption';
import { AppConfig } from '../config/app-config';

/**
 * `npm run hub -- reencrypt-fields [--dry-run]`: after putting a new key first in HUB_ENCRYPTION_KEYS
 * (and restarting every instance with it), rewrites every encrypted field and child key under that
 * key, bound to its table, column and row, then says which keys are still in use (a key no column
 * uses any more can be removed) and whether any value is still unbound.
 */
@Command({ name: 'reencrypt-fields', description: 'Re-encrypt personal fields and webhook secrets under the current (first) key of HUB_ENCRYPTION_KEYS, bound to their row, then report which keys are still in use and any value still unbound.' })
export class ReencryptFieldsCommand extends CommandRunner {
  constructor(private readonly db: DataSource, private readonly config: AppConfig) {
    super();
  }

  async run(_args: string[], options: { dryRun?: boolean }) {
    const ring = parseKeyRing(this.config.HUB_ENCRYPTION_KEYS, 'HUB_ENCRYPTION_KEYS');
    // Progress on a terminal only; logs get the report alone.
    const tty = process.stderr.isTTY;
    const reports = await new FieldReencryption(this.db, ring).run({ dryRun: options.dryRun, onBatch: tty ? (field, n) => process.stderr.write(`\r${field}: ${n} rows read`) : undefined });
    if (tty) process.stderr.write('\n');
    for (const r of reports) {
      console.log(`${r.field}: ${r.scanned} values, ${r.reencrypted} ${options.dryRun ? 'would be re-encrypted' : 're-encrypted'} under "${ring.current.id}", ${r.failed.length} left as they are, ${r.unbound} not bound to their row`);
      for (const f of r.failed) console.error(`  ${r.field} ${f.id}: ${f.reason}`);
      for (const [key, n] of Object.entries(r.keysInUse)) console.log(`  key "${key}": ${n}`);
    }
    const removable = removableKeys(ring, reports);
    if (removable.length && !options.dryRun) console.log(`No value uses ${removable.map((k) => `"${k}"`).join(', ')} any more: it can be removed from HUB_ENCRYPTION_KEYS.`);
    const unbound = reports.reduce((sum, r) => sum + r.unbound, 0);
    console.log(unbound === 0 ? 'Every value is bound to its table, column and row.' : `${unbound} values are still not bound to their row (see the lines above); run again once their problems are solved.`);
    if (reports.some((r) => r.failed.length)) process.exitCode = 1;
  }

  @Option({ flags: '--dry-run', description: 'Check that every value decrypts and count what would change, writing nothing' })
  parseDryRun() {
    return true;
  }
}
