const sections = [
  { href: '/_admin/users', label: 'Users' },
  { href: '/_admin/organizations', label: 'Organizations' },
] as const;

export function AdminNav({ current }: { current: (typeof sections)[number]['label'] }) {
  return (
    <nav aria-label="Administration" class="tabs">
      {sections.map((section) => (
        <a key={section.href} href={section.href} aria-current={section.label === current ? 'page' : undefined}>
          {section.label}
        </a>
      ))}
    </nav>
  );
}
