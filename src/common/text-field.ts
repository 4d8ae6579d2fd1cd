/**
 * The text policy (text-policy.ts) at the GraphQL boundary: every String field of an input type or
 * args class carries `@Text(kind)`, every flat String argument is declared with `@TextArg(name, kind)`.
 * Both normalise the value before the resolver sees it and refuse it with BAD_USER_INPUT naming the
 * field (`input.child.kana`, `code`) in English and Japanese. test/integration/text-policy.spec.ts
 * walks the served schema: a String input without a policy fails the suite.
 */
import 'reflect-metadata';
import { PipeTransform } from '@nestjs/common';
import { Args } from '@nestjs/graphql';
import { Transform } from 'class-transformer';
import { registerDecorator } from 'class-validator';
import { applyTextPolicy, normalizeText, TextKind, TextOptions, TextRefusal } from './text-policy';
import { invalidInput } from './validation';

const FIELD_POLICY = 'hub:text-policy';
const ARG_POLICIES = 'hub:text-arg-policies';

export interface TextPolicyUse extends TextOptions {
  kind: TextKind;
  /** The field is a list: the policy applies to each item. */
  each?: boolean;
}

/** The first refusal for a value (each item of a list with `each`), with the item's position. */
function refusalOf(use: TextPolicyUse, value: unknown): TextRefusal | null {
  if (use.each && Array.isArray(value)) {
    for (const [i, item] of value.entries()) {
      const r = applyTextPolicy(use.kind, item, use);
      if (!r.ok) return { ...r.refusal, en: `item ${i}: ${r.refusal.en}`, ja: `${i}番目: ${r.refusal.ja}` };
    }
    return null;
  }
  const r = applyTextPolicy(use.kind, value, use);
  return r.ok ? null : r.refusal;
}

/**
 * A String (or [String]) property of an input type or args class: normalised by the policy of
 * `kind` (class-transformer, so the resolver gets the normalised value) and checked by it
 * (class-validator constraint `hubText`). Keep @IsOptional() on optional fields.
 */
export function Text(kind: TextKind, options: TextOptions & { each?: boolean } = {}): PropertyDecorator {
  const use: TextPolicyUse = { kind, ...options };
  return (target, property) => {
    const normalize = (value: unknown) => normalizeText(kind, value, use);
    Transform(({ value }) => (use.each && Array.isArray(value) ? value.map(normalize) : normalize(value)), { toClassOnly: true })(target, property);
    registerDecorator({
      name: 'hubText',
      target: target.constructor,
      propertyName: String(property),
      constraints: [kind],
      options: {
        each: use.each,
        message: (args) => refusalOf(use, args.value)?.en ?? 'is invalid',
        context: { messageJa: (value: unknown) => refusalOf(use, value)?.ja },
      },
      validator: { validate: (value: unknown) => applyTextPolicy(kind, value, use).ok },
    });
    Reflect.defineMetadata(FIELD_POLICY, use, target, property);
  };
}

/** The policy a property of an input or args class declares (looked up along the class's prototypes). */
export function textPolicyOfField(target: Function, property: string): TextPolicyUse | undefined {
  return Reflect.getMetadata(FIELD_POLICY, target.prototype, property);
}

class TextArgPipe implements PipeTransform {
  constructor(private readonly name: string, private readonly use: TextPolicyUse) {}

  transform(value: unknown) {
    if (value === null || value === undefined) return value;
    const result = applyTextPolicy(this.use.kind, value, this.use);
    if (result.ok) return result.value;
    throw invalidInput([{ field: this.name, problems: [result.refusal.en], problemsJa: [result.refusal.ja] }], { reason: result.refusal.reason });
  }
}

/**
 * A flat String argument (`municipality(code: String!)`), declared with its policy: replaces
 * `@Args(name)`; the resolver receives the normalised value.
 */
export function TextArg(name: string, kind: TextKind, options: TextOptions & { nullable?: boolean; description?: string } = {}): ParameterDecorator {
  const { nullable, description, ...textOptions } = options;
  const use: TextPolicyUse = { kind, ...textOptions };
  return (target, method, index) => {
    Args(name, { type: () => String, nullable, description }, new TextArgPipe(name, use))(target, method!, index);
    const policies: Record<number, TextPolicyUse> = { ...(Reflect.getMetadata(ARG_POLICIES, target, method!) ?? {}), [index]: use };
    Reflect.defineMetadata(ARG_POLICIES, policies, target, method!);
  };
}

/** The policy of a resolver method's parameter declared with @TextArg. */
export function textPolicyOfArg(resolver: Function, method: string, index: number): TextPolicyUse | undefined {
  return (Reflect.getMetadata(ARG_POLICIES, resolver.prototype, method) as Record<number, TextPolicyUse> | undefined)?.[index];
}
