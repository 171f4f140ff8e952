import type { PersonalAccessToken } from '../../../domain/entities.js';

export interface PolicyWarning {
  token: PersonalAccessToken;
  messages: string[];
}

/** On the tokens page: the user's active tokens that break an organization policy in warn or enforce mode. */
export function PolicyBanner({ warnings }: { warnings: readonly PolicyWarning[] }) {
  if (warnings.length === 0) return null;
  return (
    <div class="notice warning" role="status">
      <p>
        {warnings.length === 1 ? 'One of your tokens breaks' : `${warnings.length} of your tokens break`} an organization's token
        policy. They keep working for now; renewing or changing them will have to follow the policy.
      </p>
      <ul>
        {warnings.map(({ token, messages }) => (
          <li key={token.id}>
            <strong>{token.displayName}</strong>: {messages.join(' ')}
          </li>
        ))}
      </ul>
    </div>
  );
}
