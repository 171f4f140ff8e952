import { scopeGroups } from './scope-groups.js';

/** The catalog as one checkbox per scope, grouped by area as on the token pages; each box posts its id as `scope`. */
export function ScopeCheckboxes({ legend, selected }: { legend: string; selected: readonly string[] }) {
  const chosen = new Set(selected);
  return (
    <fieldset class="scope-catalog">
      <legend>{legend}</legend>
      <div class="scope-groups">
        {scopeGroups.map((group) => (
          <fieldset key={group.area} class="scope-group">
            <legend>{group.area}</legend>
            {group.choices.map((choice) => (
              <div key={choice.id} class="choice">
                <input id={`scope-${choice.id}`} name="scope" type="checkbox" value={choice.id} checked={chosen.has(choice.id)} />
                <label for={`scope-${choice.id}`}>
                  {choice.label}
                  {choice.highPrivilege && (
                    <>
                      {' '}
                      <span class="badge warn">High privilege</span>
                    </>
                  )}
                </label>
              </div>
            ))}
          </fieldset>
        ))}
      </div>
    </fieldset>
  );
}
