import type { ComponentChildren } from 'preact';
import { CsrfField } from './forms.js';
import { usePage } from './render.js';

const productName = 'Lapis';

interface LayoutProps {
  title: string;
  /** Files under /_static/ that enhance this page; it must work without them. */
  scripts?: readonly string[];
  children: ComponentChildren;
}

/** The frame of every page: header with the signed-in user, one main landmark, footer. */
export function Layout({ title, scripts = [], children }: LayoutProps) {
  const { user } = usePage();
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${title} · ${productName}`}</title>
        <link rel="stylesheet" href="/_static/lapis.css" />
        {scripts.map((script) => (
          <script key={script} src={`/_static/${script}`} defer />
        ))}
      </head>
      <body>
        <a class="skip-link" href="#main">
          Skip to main content
        </a>
        <header class="site-header">
          <div class="bar">
            <a class="brand" href="/">
              {productName}
            </a>
            {user && (
              <nav aria-label="Main" class="site-nav">
                <a href="/">Home</a>
                <a href="/_usersSettings/authorizations">Authorized apps</a>
                <a href="/app">My apps</a>
                <a href="/_usersSettings/sessions">Account</a>
                {user.isAdmin && <a href="/_admin/users">Administration</a>}
              </nav>
            )}
            {user && (
              <div class="account">
                <span class="who">
                  Signed in as <strong>{user.displayName}</strong>
                </span>
                <form method="post" action="/_signout" class="inline-form">
                  <CsrfField />
                  <button type="submit" class="button on-dark">
                    Sign out
                  </button>
                </form>
              </div>
            )}
          </div>
        </header>
        <main id="main" class="content" tabindex={-1}>
          {children}
        </main>
        <footer class="site-footer">
          <p>{productName}: Azure DevOps compatible server with personal access tokens and OAuth.</p>
        </footer>
      </body>
    </html>
  );
}
