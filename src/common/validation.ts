import { ArgumentMetadata, ValidationError, ValidationPipe } from '@nestjs/common';
import { Errors, HubError } from './errors';
import { memoizeValidationMetadata } from './validation-metadata-cache';

memoizeValidationMetadata();

function flatten(errors: ValidationError[], prefix: string): { field: string; problems: string[] }[] {
  return errors.flatMap((e) => {
    // Array elements are named like the services name them: input.cells[0].classAge
    const field = /^\d+$/.test(e.property) ? `${prefix}[${e.property}]` : prefix ? `${prefix}.${e.property}` : e.property;
    const own = e.constraints ? [{ field, problems: Object.values(e.constraints) }] : [];
    return [...own, ...flatten(e.children ?? [], field)];
  });
}

function badInput(fields: { field: string; problems: string[] }[]) {
  const first = fields[0] ?? { field: 'input', problems: ['is invalid'] };
  return Errors.badInput(
    first.field,
    `Invalid value for "${first.field}": ${first.problems.join('; ')}.`,
    `「${first.field}」の値が正しくありません: ${first.problems.join('; ')}。`,
    { fields },
  );
}

/**
 * class-validator on every input. The first bad field is named with its argument path
 * ("input.municipalityCode"); every bad field is listed in extensions.details.fields.
 */
export class HubValidationPipe extends ValidationPipe {
  constructor() {
    super({ transform: true, whitelist: true, forbidUnknownValues: false, exceptionFactory: (errors) => badInput(flatten(errors, '')) });
  }

  override async transform(value: unknown, metadata: ArgumentMetadata) {
    try {
      return await super.transform(value, metadata);
    } catch (err) {
      const prefix = metadata.type === 'body' || metadata.type === 'custom' ? metadata.data : undefined;
      if (err instanceof HubError && prefix && Array.isArray(err.details?.fields)) {
        const fields = (err.details.fields as { field: string; problems: string[] }[]).map((f) => ({ ...f, field: `${prefix}.${f.field}` }));
        throw badInput(fields);
      }
      throw err;
    }
  }
}
