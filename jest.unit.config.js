// Pure-function tests only: no database, no app. `npm test` runs everything through jest.config.js.
const base = require('./jest.config.js');
module.exports = { ...base, testMatch: ['<rootDir>/test/unit/**/*.spec.ts'], globalSetup: undefined, globalTeardown: undefined };
