import type { TokenUse } from '../../../domain/token-usage.js';

/** Minutes are enough to recognise a client; seconds would only add noise. */
function Moment({ value }: { value: string }) {
  return <time dateTime={value}>{`${value.slice(0, 10)} ${value.slice(11, 16)} UTC`}</time>;
}

/** The token's usage trail: the distinct addresses it was used from, most recent first, so an owner spots a stranger. */
export function UsageTrail({ uses }: { uses: readonly TokenUse[] }) {
  return (
    <section class="card" aria-labelledby="usage-trail-heading">
      <h2 id="usage-trail-heading">Recent use</h2>
      {uses.length === 0 ? (
        <p class="muted">This token has not been used yet.</p>
      ) : (
        <div class="table-wrap">
          <table class="stacking">
            <caption>The last {uses.length === 1 ? 'address' : `${uses.length} addresses`} this token was used from</caption>
            <thead>
              <tr>
                <th scope="col">Address</th>
                <th scope="col">Client</th>
                <th scope="col">First used</th>
                <th scope="col">Last used</th>
              </tr>
            </thead>
            <tbody>
              {uses.map((use) => (
                <tr key={use.clientAddress}>
                  <td data-label="Address">{use.clientAddress}</td>
                  <td data-label="Client" class="wrap">
                    {use.userAgent || 'Unknown'}
                  </td>
                  <td data-label="First used">
                    <Moment value={use.firstUsedAt} />
                  </td>
                  <td data-label="Last used">
                    <Moment value={use.lastUsedAt} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
