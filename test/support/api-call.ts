/**
 * The HTTP status of `GET {baseUrl}/{organization}/_apis/connectionData` called with a personal access
 * token the way Azure DevOps clients send one: the one place browser tests call the REST API.
 */
export async function apiStatus(baseUrl: string, organization: string, token: string): Promise<number> {
  const response = await fetch(`${baseUrl}/${encodeURIComponent(organization)}/_apis/connectionData`, {
    headers: {
      authorization: `Basic ${Buffer.from(`:${token}`).toString('base64')}`,
      'x-tfs-fedauthredirect': 'Suppress',
      accept: 'application/json',
    },
  });
  await response.arrayBuffer();
  return response.status;
}
