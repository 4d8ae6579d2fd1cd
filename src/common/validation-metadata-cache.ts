import { getMetadataStorage } from 'class-validator';

/** The three methods of class-validator's MetadataStorage used here (its rule objects stay opaque). */
interface Storage {
  getTargetValidationMetadatas(target: Function, schema: string, always: boolean, strictGroups: boolean, groups?: string[]): unknown[];
  groupByPropertyName(metadata: unknown[]): Record<string, unknown[]>;
  addValidationMetadata(metadata: unknown): void;
}

let installed = false;

/**
 * class-validator finds the rules of a class by walking every class that has rules (an
 * `instanceof` each) and filtering their rules, for every object it validates; with this
 * project's ~100 input classes that walk was most of the cost of validating a small input
 * (class-validator 0.15, MetadataStorage.getTargetValidationMetadatas). The rules are registered by
 * decorators when the classes load, so the answer for a class and a set of options never changes
 * afterwards: it is kept per class and options, and thrown away whenever a rule is registered later
 * (a class loaded after the first validation). The arrays returned are the library's own and are
 * only read by it. Installed once, at load.
 */
export function memoizeValidationMetadata(): void {
  if (installed) return;
  installed = true;
  const storage = getMetadataStorage() as unknown as Storage;
  const lookUp = storage.getTargetValidationMetadatas.bind(storage);
  const group = storage.groupByPropertyName.bind(storage);
  const add = storage.addValidationMetadata.bind(storage);
  let targets = new WeakMap<Function, Map<string, unknown[]>>();
  let grouped = new WeakMap<unknown[], Record<string, unknown[]>>();
  storage.addValidationMetadata = (metadata) => {
    targets = new WeakMap();
    grouped = new WeakMap();
    add(metadata);
  };
  storage.getTargetValidationMetadatas = (target, schema, always, strictGroups, groups) => {
    const key = `${schema}\u0000${always}\u0000${strictGroups}\u0000${groups?.join('\u0001') ?? ''}`;
    let byOptions = targets.get(target);
    if (!byOptions) targets.set(target, (byOptions = new Map()));
    let found = byOptions.get(key);
    if (!found) byOptions.set(key, (found = lookUp(target, schema, always, strictGroups, groups)));
    return found;
  };
  storage.groupByPropertyName = (metadata) => {
    let found = grouped.get(metadata);
    if (!found) grouped.set(metadata, (found = group(metadata)));
    return found;
  };
}
