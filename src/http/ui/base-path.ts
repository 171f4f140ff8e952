/**
 * The path a reverse proxy serves Lapis under (`/lapis` for LAPIS_PUBLIC_URL=https://host/lapis), or ''.
 * The proxy strips it before forwarding, so routes and pages work with paths relative to the app, and the
 * prefix is added once, where a path leaves the server: in Location headers and in the HTML's links.
 */
export function basePathOf(publicUrl: string): string {
  if (!publicUrl) return '';
  return new URL(publicUrl).pathname.replace(/\/+$/, '');
}

const isAppPath = (path: string) => path.startsWith('/') && !path.startsWith('//');

export function prefixLocation(basePath: string, location: string): string {
  return basePath && isAppPath(location) ? `${basePath}${location}` : location;
}

// Preact renders every attribute in double quotes and escapes quotes inside values, so this only meets real attributes.
const appPathAttribute = /(\s(?:href|src|action|formaction)=")(\/(?!\/))/g;

export function prefixHtmlPaths(basePath: string, html: string): string {
  return basePath ? html.replace(appPathAttribute, `$1${basePath}$2`) : html;
}
