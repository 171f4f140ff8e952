import { findScope } from '../../../domain/scopes.js';

/** Scopes in words, from the catalog; the ones that can change or expose a lot are marked. */
export function ScopeList({ scopes, label }: { scopes: readonly string[]; label?: string }) {
  return (
    <ul class="scope-list" aria-label={label}>
      {scopes.map((id) => {
        const scope = findScope(id);
        return (
          <li key={id}>
            <span>{scope?.title ?? id}</span> <code class="muted">{id}</code>
            {scope?.highPrivilege && (
              <>
                {' '}
                <span class="badge warn">High privilege</span>
              </>
            )}
          </li>
        );
      })}
    </ul>
  );
}
