import { type ScopeDefinition, scopeCatalog } from '../../../domain/scopes.js';

const areas = new Map<string, ScopeDefinition[]>();
for (const scope of scopeCatalog) {
  if (scope.internal) continue;
  const group = areas.get(scope.area);
  if (group) group.push(scope);
  else areas.set(scope.area, [scope]);
}

function checkboxId(scope: string): string {
  return `scope-${scope.replaceAll('.', '-')}`;
}

/** The catalog as one checkbox per scope, grouped by area; each box posts its id as `scope`. */
export function ScopeCheckboxes({ legend, selected }: { legend: string; selected: readonly string[] }) {
  const chosen = new Set(selected);
  return (
    <fieldset class="scope-picker">
      <legend>{legend}</legend>
      <div class="scope-groups">
        {[...areas].map(([area, scopes]) => (
          <fieldset key={area} class="scope-group">
            <legend>{area}</legend>
            {scopes.map((scope) => (
              <div key={scope.id} class="field checkbox">
                <input id={checkboxId(scope.id)} name="scope" type="checkbox" value={scope.id} checked={chosen.has(scope.id)} />
                <label for={checkboxId(scope.id)}>
                  {scope.title}
                  {scope.highPrivilege && <span class="badge warning">High privilege</span>}
                </label>
              </div>
            ))}
          </fieldset>
        ))}
      </div>
    </fieldset>
  );
}
