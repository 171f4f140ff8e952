/**
 * The one authenticated REST call the OAuth tests make, over real HTTP: connectionData of an
 * organization with a Bearer token, as API clients send it (Suppress: a 401, never the 203 sign-in page).
 */
export async function bearerStatus(baseUrl: string, organization: string, token: string): Promise<number> {
  const response = await fetch(`${baseUrl}/${encodeURIComponent(organization)}/_apis/connectionData`, {
    headers: { authorization: `Bearer ${token}`, 'x-tfs-fedauthredirect': 'Suppress', accept: 'application/json' },
  });
  await response.arrayBuffer();
  return response.status;
}
