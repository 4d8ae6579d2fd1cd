import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GraphQLSchemaHost } from '@nestjs/graphql';
import { parse, validate } from 'graphql';
import { startTestHub, TestHub } from '../support/hub';

/** Every GraphQL example in the README must be valid against the schema the service serves. */
let t: TestHub;
beforeAll(async () => {
  t = await startTestHub();
});
afterAll(() => t?.close());

const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');
const blocks = [...readme.matchAll(/```graphql\n([\s\S]*?)```/g)].map((m) => m[1]);
const documents = blocks.flatMap((block) =>
  block
    .split('\n')
    .filter((line) => !line.trim().startsWith('#'))
    .join('\n')
    .split(/\n(?=(?:mutation|query|\{))/)
    .map((d) => d.replace(/#.*$/gm, '').trim())
    .filter(Boolean),
);

describe('README examples', () => {
  it('has examples', () => expect(documents.length).toBeGreaterThan(10));
  it.each(documents.map((d) => [d.slice(0, 60).replace(/\s+/g, ' '), d]))('%s… is valid', (_label, doc) => {
    const { schema } = t.hub.app.get(GraphQLSchemaHost);
    expect(validate(schema, parse(doc)).map((e) => e.message)).toEqual([]);
  });
});
