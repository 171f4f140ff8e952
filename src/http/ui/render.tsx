import type { FastifyReply } from 'fastify';
import { type ComponentChildren, createContext, type VNode } from 'preact';
import { useContext } from 'preact/hooks';
import { render } from 'preact-render-to-string';
import type { User } from '../../domain/entities.js';
import { currentUser } from './session.js';

export interface PageContext {
  user: User | undefined;
  requestId: string;
  /** Creates the session's CSRF secret on first use, so pages without a form set no cookie. */
  csrfToken(): string;
}

const pageContext = createContext<PageContext | null>(null);

/** What the page being rendered knows about its request: for components deep in the tree. */
export function usePage(): PageContext {
  const page = useContext(pageContext);
  if (!page) throw new Error('usePage() is only available while sendPage renders a page');
  return page;
}

function PageProvider({ value, children }: { value: PageContext; children: ComponentChildren }) {
  return <pageContext.Provider value={value}>{children}</pageContext.Provider>;
}

/** Renders a page (a tree that starts with `<Layout>`) to a complete HTML document and sends it. */
export async function sendPage(reply: FastifyReply, status: number, page: VNode): Promise<FastifyReply> {
  // Error pages are rendered after failures too, the user lookup's among them.
  const user = await currentUser(reply.request).catch(() => undefined);
  let token: string | undefined;
  const value: PageContext = {
    user,
    requestId: reply.request.id,
    csrfToken: () => {
      token ??= reply.generateCsrf();
      return token;
    },
  };
  const html = `<!doctype html>${render(<PageProvider value={value}>{page}</PageProvider>)}`;
  return reply.code(status).header('content-type', 'text/html; charset=utf-8').header('cache-control', 'no-store').send(html);
}
