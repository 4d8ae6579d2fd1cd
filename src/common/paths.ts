import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

let root: string | undefined;

/** The project root (where package.json is), whether running from src/ (tests) or dist/ (build). */
export function projectRoot(): string {
  if (root) return root;
  let dir = __dirname;
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('package.json not found above ' + __dirname);
    dir = up;
  }
  return (root = dir);
}

/** A file shipped in data/ (the public data the demo and the reference lists come from). */
export const dataPath = (...parts: string[]) => join(projectRoot(), 'data', ...parts);
