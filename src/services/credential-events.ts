/**
 * In-process notice that credentials changed (a token revoked, a member removed, a user disabled), so
 * verification caches drop what they hold at once. Other processes rely on the cache's short lifetime.
 */
export class CredentialEvents {
  private readonly listeners = new Set<() => void>();

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  changed(): void {
    for (const listener of this.listeners) listener();
  }
}
