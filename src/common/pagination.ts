import { ArgsType, Field, Int, ObjectType } from '@nestjs/graphql';
import { Type } from '@nestjs/common';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { Errors } from './errors';
import { Text } from './text-field';

export const MAX_PAGE_SIZE = 100;

@ArgsType()
export class PageArgs {
  @Field(() => Int, { defaultValue: 20, description: `Page size, 1–${MAX_PAGE_SIZE}.` })
  @IsInt() @Min(1) @Max(MAX_PAGE_SIZE)
  first: number = 20;

  @Field(() => String, { nullable: true, description: 'The endCursor of the previous page.' })
  @IsOptional() @Text('cursor', { max: 500 })
  after?: string | null;
}

@ObjectType()
export class PageInfo {
  @Field() hasNextPage: boolean;
  @Field() hasPreviousPage: boolean;
  @Field(() => String, { nullable: true }) startCursor: string | null;
  @Field(() => String, { nullable: true }) endCursor: string | null;
}

export interface Edge<T> {
  cursor: string;
  node: T;
}
export interface ConnectionShape<T> {
  edges: Edge<T>[];
  pageInfo: PageInfo;
  totalCount: number;
}

/** Relay connection type for a node class: `XConnection { edges { cursor node } pageInfo totalCount }`. */
export function Connection<T>(nodeType: Type<T>, name: string) {
  @ObjectType(`${name}Edge`)
  class EdgeType {
    @Field() cursor: string;
    @Field(() => nodeType) node: T;
  }
  @ObjectType(`${name}Connection`, { isAbstract: true })
  abstract class ConnectionType implements ConnectionShape<T> {
    @Field(() => [EdgeType]) edges: Edge<T>[];
    @Field(() => PageInfo) pageInfo: PageInfo;
    @Field(() => Int, { description: 'Number of nodes matching the filter, over all pages.' }) totalCount: number;
  }
  return ConnectionType;
}

/** Cursors are opaque to clients: base64url of the keyset values of the last row. */
export function encodeCursor(values: unknown[]): string {
  return Buffer.from(JSON.stringify(values)).toString('base64url');
}

export function decodeCursor(cursor: string, length: number, field = 'after'): unknown[] {
  try {
    const values = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(values) && values.length === length) return values;
  } catch {
    /* fall through */
  }
  throw Errors.badInput(field, `"${field}" is not a cursor this list returned; pass pageInfo.endCursor from the previous page.`,
    `「${field}」はこの一覧が返したカーソルではありません。前のページの pageInfo.endCursor を渡してください。`);
}

/** Build a connection from rows fetched with LIMIT first + 1. */
export function toConnection<T>(rows: T[], first: number, hasPrevious: boolean, totalCount: number, keyOf: (row: T) => unknown[]): ConnectionShape<T> {
  const edges = rows.slice(0, first).map((node) => ({ cursor: encodeCursor(keyOf(node)), node }));
  return connectionOf(edges, rows.length > first, hasPrevious, totalCount);
}

/** A connection from edges whose cursors are already encoded. */
export function connectionOf<T>(edges: Array<{ cursor: string; node: T }>, hasNextPage: boolean, hasPreviousPage: boolean, totalCount: number): ConnectionShape<T> {
  return { ...pageOf(edges, hasNextPage, hasPreviousPage), totalCount };
}

/** A connection's edges and page info, for a connection whose total is resolved on its own (vacancySearch). */
export function pageOf<T>(edges: Array<{ cursor: string; node: T }>, hasNextPage: boolean, hasPreviousPage: boolean): Omit<ConnectionShape<T>, 'totalCount'> {
  return {
    edges,
    // Read when selected: a cursor may be encoded on demand (see the search's edges).
    pageInfo: {
      hasNextPage,
      hasPreviousPage,
      get startCursor() {
        return edges[0]?.cursor ?? null;
      },
      get endCursor() {
        return edges[edges.length - 1]?.cursor ?? null;
      },
    },
  };
}
