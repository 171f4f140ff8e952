/**
 * `GET {baseUrl}/{organization}/_apis/connectionData` with a credential sent the way Azure DevOps
 * clients send it (Suppress: a 401, never the 203 sign-in page): the one place browser and flow
 * tests call the REST API. Returns the HTTP status.
 */
async function connectionDataStatus(baseUrl: string, organization: string, authorization: string): Promise<number> {
  const response = await fetch(`${baseUrl}/${encodeURIComponent(organization)}/_apis/connectionData`, {
    headers: { authorization, 'x-tfs-fedauthredirect': 'Suppress', accept: 'application/json' },
  });
  await response.arrayBuffer();
  return response.status;
}

/** With a personal access token over Basic. */
export function apiStatus(baseUrl: string, organization: string, token: string): Promise<number> {
  return connectionDataStatus(baseUrl, organization, `Basic ${Buffer.from(`:${token}`).toString('base64')}`);
}

/** With an OAuth access token over Bearer. */
export function bearerStatus(baseUrl: string, organization: string, token: string): Promise<number> {
  return connectionDataStatus(baseUrl, organization, `Bearer ${token}`);
}
