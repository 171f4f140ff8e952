import type { Organization } from '../../../domain/entities.js';
import { tokensPath } from './token-paths.js';

/** Where a token page sits: home, the organization's user settings, then this page. */
export function TokenBreadcrumb({ organization, current }: { organization: Organization; current?: string }) {
  return (
    <nav aria-label="Breadcrumb" class="breadcrumb">
      <ol>
        <li>
          <a href="/">Home</a>
        </li>
        <li>{organization.name}</li>
        <li>
          {current ? (
            <a href={tokensPath(organization)}>Personal access tokens</a>
          ) : (
            <span aria-current="page">Personal access tokens</span>
          )}
        </li>
        {current && (
          <li>
            <span aria-current="page">{current}</span>
          </li>
        )}
      </ol>
    </nav>
  );
}
