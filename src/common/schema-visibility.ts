import type { ApolloServerPlugin } from '@apollo/server';
import { DocumentNode, FragmentDefinitionNode, Kind, OperationDefinitionNode, SelectionSetNode } from 'graphql';
import { ApiRole } from '../auth/api-client.entity';
import type { AppConfig } from '../config/app-config';
import { asRequestError, Errors } from './errors';
import type { GqlContext } from './request-context';

/** Whether the operation asks for `__schema` or `__type` (through fragments too); `__typename` is not introspection. */
export function selectsIntrospection(document: DocumentNode, operation: OperationDefinitionNode): boolean {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  const seen = new Set<string>();
  const sets: SelectionSetNode[] = [operation.selectionSet];
  while (sets.length) {
    for (const sel of sets.pop()!.selections) {
      if (sel.kind === Kind.FIELD) {
        if (sel.name.value === '__schema' || sel.name.value === '__type') return true;
      } else if (sel.kind === Kind.INLINE_FRAGMENT) sets.push(sel.selectionSet);
      else if (!seen.has(sel.name.value)) {
        seen.add(sel.name.value);
        const fragment = fragments.get(sel.name.value);
        if (fragment) sets.push(fragment.selectionSet);
      }
    }
  }
  return false;
}

/** graphql-js's hints at names the caller did not ask for ("Did you mean "facilities"?"). */
export function withoutSuggestions(message: string): string {
  return message.replace(/ ?Did you mean [^?]*\?/g, '');
}

/**
 * Production posture: unless HUB_INTROSPECTION opens it to everyone (the default outside
 * production), only ADMIN callers may introspect the schema (others get FORBIDDEN; the schema is
 * published as schema.gql for partner developers) or read "Did you mean …" suggestions in error
 * messages, which otherwise let anyone enumerate field and enum names. Decided per request: Apollo
 * keeps validated documents for every caller, so this cannot be a validation rule.
 */
export function schemaVisibilityPlugin(config: AppConfig): ApolloServerPlugin<GqlContext> {
  if (config.schemaOpenToAll) return {};
  const isAdmin = (ctx: GqlContext) => ctx.req?.apiClient?.role === ApiRole.ADMIN;
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ document, operation, contextValue }) {
          if (operation && !isAdmin(contextValue) && selectsIntrospection(document, operation))
            throw asRequestError(
              Errors.forbidden(
                'Introspection is open to ADMIN callers only on this deployment. The schema is published as schema.gql in the API documentation.',
                'この環境ではスキーマのイントロスペクションは ADMIN のみ利用できます。スキーマは API ドキュメントの schema.gql を参照してください。',
              ),
            );
        },
        async willSendResponse({ response, contextValue }) {
          if (isAdmin(contextValue) || response.body.kind !== 'single') return;
          for (const e of response.body.singleResult.errors ?? []) (e as { message: string }).message = withoutSuggestions(e.message);
        },
      };
    },
  };
}
