import { ArgumentMetadata, ValidationError, ValidationPipe } from '@nestjs/common';
import { Errors, HubError } from './errors';
import { memoizeValidationMetadata } from './validation-metadata-cache';

memoizeValidationMetadata();

/** One bad field: what is wrong with it, in English and Japanese (English where a rule gives no Japanese). */
export interface FieldProblems {
  field: string;
  problems: string[];
  problemsJa: string[];
}

/**
 * A rule may give its message in Japanese too: `context: { messageJa: (value) => string }` in its
 * validation options (see text-field.ts). Other rules' messages are English only.
 */
function japaneseOf(error: ValidationError, constraint: string, message: string): string {
  const translate = (error.contexts?.[constraint] as { messageJa?: (value: unknown) => string | undefined } | undefined)?.messageJa;
  return (typeof translate === 'function' ? translate(error.value) : undefined) ?? message;
}

function flatten(errors: ValidationError[], prefix: string): FieldProblems[] {
  return errors.flatMap((e) => {
    // Array elements are named like the services name them: input.cells[0].classAge
    const field = /^\d+$/.test(e.property) ? `${prefix}[${e.property}]` : prefix ? `${prefix}.${e.property}` : e.property;
    const constraints = Object.entries(e.constraints ?? {});
    const own = constraints.length
      ? [{ field, problems: constraints.map(([, message]) => message), problemsJa: constraints.map(([key, message]) => japaneseOf(e, key, message)) }]
      : [];
    return [...own, ...flatten(e.children ?? [], field)];
  });
}

/** BAD_USER_INPUT naming the first bad field; every bad field is listed in extensions.details.fields. */
export function invalidInput(fields: FieldProblems[], details: Record<string, unknown> = {}) {
  const first = fields[0] ?? { field: 'input', problems: ['is invalid'], problemsJa: ['正しくありません'] };
  return Errors.badInput(
    first.field,
    `Invalid value for "${first.field}": ${first.problems.join('; ')}.`,
    `「${first.field}」の値が正しくありません: ${first.problemsJa.join('; ')}。`,
    { ...details, fields },
  );
}

/**
 * class-validator on every input. The first bad field is named with its argument path
 * ("input.municipalityCode"); every bad field is listed in extensions.details.fields.
 */
export class HubValidationPipe extends ValidationPipe {
  constructor() {
    super({ transform: true, whitelist: true, forbidUnknownValues: false, exceptionFactory: (errors) => invalidInput(flatten(errors, '')) });
  }

  override async transform(value: unknown, metadata: ArgumentMetadata) {
    try {
      return await super.transform(value, metadata);
    } catch (err) {
      const prefix = metadata.type === 'body' || metadata.type === 'custom' ? metadata.data : undefined;
      if (err instanceof HubError && prefix && Array.isArray(err.details?.fields)) {
        const fields = (err.details.fields as FieldProblems[]).map((f) => ({ ...f, field: `${prefix}.${f.field}` }));
        throw invalidInput(fields);
      }
      throw err;
    }
  }
}
