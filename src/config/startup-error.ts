/**
 * A reason the hub does not start that the operator can fix (a bad variable, an unusable data
 * directory, the data directory in use by another process, a database that never answered). main.ts
 * and the command line print its message as it is (one line each, no stack) and exit with `exitCode`.
 */
export class StartupError extends Error {
  constructor(message: string, readonly exitCode = 2) {
    super(message);
    this.name = new.target.name;
  }
}
