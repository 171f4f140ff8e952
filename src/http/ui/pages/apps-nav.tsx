const sections = [
  { href: '/app', label: 'My apps' },
  { href: '/app/register', label: 'Register an app' },
] as const;

export function AppsNav({ current }: { current?: (typeof sections)[number]['label'] }) {
  return (
    <nav aria-label="Applications" class="tabs">
      {sections.map((section) => (
        <a key={section.href} href={section.href} aria-current={section.label === current ? 'page' : undefined}>
          {section.label}
        </a>
      ))}
    </nav>
  );
}

export function appPath(appId: string, action?: string): string {
  return `/app/${encodeURIComponent(appId)}${action ? `/${action}` : ''}`;
}
