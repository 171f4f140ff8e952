import { scopeGroups } from './scope-groups.js';

/**
 * The catalog as one checkbox per scope, grouped by area; each box posts its id as `scope`. The data
 * attributes are what the optional scope search (`/_static/scope-filter.js`) reads.
 */
export function ScopeGroupList({ selected }: { selected: readonly string[] }) {
  const chosen = new Set(selected);
  return (
    <div class="scope-groups">
      {scopeGroups.map((group) => (
        <fieldset class="scope-group" key={group.area} data-scope-group>
          <legend>{group.area}</legend>
          {group.choices.map((choice) => (
            <div class="choice" key={choice.id}>
              <input
                type="checkbox"
                id={`scope-${choice.id}`}
                name="scope"
                value={choice.id}
                checked={chosen.has(choice.id)}
                data-scope-title={choice.title}
              />
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
  );
}

/** The grouped catalog under its own legend, as the app registration form shows it. */
export function ScopeCheckboxes({ legend, selected }: { legend: string; selected: readonly string[] }) {
  return (
    <fieldset class="scope-catalog">
      <legend>{legend}</legend>
      <ScopeGroupList selected={selected} />
    </fieldset>
  );
}
