/**
 * Small checks for documents that arrive as untyped JSON (a municipality's rules, a family's facts):
 * each check names the exact path of what is wrong, in English and Japanese, and collects every
 * problem instead of stopping at the first.
 */
import { Errors } from '../common/errors';

export interface Issue {
  /** Where the problem is, e.g. `rules.baseIndex[3].hoursPerDay.min`. */
  path: string;
  message: string;
  messageJa: string;
}

// C0/C1 control characters, and the bidirectional overrides and isolates that can disguise text.
const UNSAFE_TEXT = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

export class IssueList {
  readonly issues: Issue[] = [];

  add(path: string, message: string, messageJa: string): void {
    this.issues.push({ path, message: `${path}: ${message}`, messageJa: `${path}: ${messageJa}` });
  }

  /** An object whose keys are all allowed; reports unknown keys (usually typos) one by one. */
  object(path: string, value: unknown, allowed: readonly string[]): value is Record<string, unknown> {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      this.add(path, 'must be an object.', 'オブジェクトを指定してください。');
      return false;
    }
    for (const key of Object.keys(value)) {
      if (!allowed.includes(key)) {
        this.add(`${path}.${key}`, `is not a known field (known: ${allowed.join(', ')}).`, `不明な項目です（指定できる項目: ${allowed.join(', ')}）。`);
      }
    }
    return true;
  }

  array(path: string, value: unknown, min: number, max: number): value is unknown[] {
    if (!Array.isArray(value)) {
      this.add(path, 'must be a list.', 'リストを指定してください。');
      return false;
    }
    if (value.length < min || value.length > max) {
      this.add(path, `must have ${min} to ${max} entries (has ${value.length}).`, `${min}〜${max}件にしてください（${value.length}件）。`);
      return false;
    }
    return true;
  }

  text(path: string, value: unknown, maxLength: number): value is string {
    if (typeof value !== 'string' || value.trim().length === 0) {
      this.add(path, 'must be a non-empty text.', '空でない文字列を指定してください。');
      return false;
    }
    if (value.length > maxLength) {
      this.add(path, `must be at most ${maxLength} characters.`, `${maxLength}文字以内にしてください。`);
      return false;
    }
    if (UNSAFE_TEXT.test(value)) {
      this.add(path, 'must not contain control or bidirectional-override characters.', '制御文字や双方向制御文字は使えません。');
      return false;
    }
    return true;
  }

  number(path: string, value: unknown, min: number, max: number, opts: { integer?: boolean } = {}): value is number {
    if (typeof value !== 'number' || !Number.isFinite(value) || (opts.integer && !Number.isInteger(value))) {
      this.add(path, opts.integer ? 'must be a whole number.' : 'must be a finite number.', opts.integer ? '整数を指定してください。' : '有限の数値を指定してください。');
      return false;
    }
    if (value < min || value > max) {
      this.add(path, `must be between ${min} and ${max} (is ${value}).`, `${min}以上${max}以下にしてください（${value}）。`);
      return false;
    }
    return true;
  }

  oneOf<T extends string>(path: string, value: unknown, allowed: readonly T[]): value is T {
    if (typeof value !== 'string' || !allowed.includes(value as T)) {
      this.add(path, `must be one of ${allowed.join(', ')} (is ${JSON.stringify(value)}).`, `${allowed.join(', ')} のいずれかを指定してください（${JSON.stringify(value)}）。`);
      return false;
    }
    return true;
  }

  boolean(path: string, value: unknown): value is boolean {
    if (typeof value !== 'boolean') {
      this.add(path, 'must be true or false.', 'true か false を指定してください。');
      return false;
    }
    return true;
  }

  /** Throws BAD_USER_INPUT naming the first problem, with every problem in `details.issues`. */
  throwIfAny(): void {
    if (!this.issues.length) return;
    const [first] = this.issues;
    const more = this.issues.length > 1 ? ` (and ${this.issues.length - 1} more problem(s))` : '';
    const moreJa = this.issues.length > 1 ? `（ほか${this.issues.length - 1}件）` : '';
    throw Errors.badInput(first.path, first.message + more, first.messageJa + moreJa, { issues: this.issues });
  }
}
