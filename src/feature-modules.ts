// Feature modules beyond the foundation; each issue adds its module here.
export const FEATURE_MODULES: Array<new (...args: never[]) => unknown> = [];
