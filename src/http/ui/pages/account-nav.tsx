export const sessionsPath = '/_usersSettings/sessions';
export const passwordPath = '/_usersSettings/password';

const sections = [
  { href: sessionsPath, label: 'Your sessions' },
  { href: passwordPath, label: 'Change password' },
] as const;

export function AccountNav({ current }: { current: (typeof sections)[number]['label'] }) {
  return (
    <nav aria-label="Account" class="tabs">
      {sections.map((section) => (
        <a key={section.href} href={section.href} aria-current={section.label === current ? 'page' : undefined}>
          {section.label}
        </a>
      ))}
    </nav>
  );
}

export function endSessionPath(sessionId: string): string {
  return `${sessionsPath}/${encodeURIComponent(sessionId)}/end`;
}
