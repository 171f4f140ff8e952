// Progressive enhancement of the token form: a search box over the scope catalog, and the catalog put
// away while Full access is chosen. Without script every scope is shown and the form works the same.
const catalog = document.querySelector('[data-scope-catalog]');
if (catalog) {
  const box = catalog.querySelector('[data-scope-filter]');
  const input = box.querySelector('input');
  const status = box.querySelector('[role="status"]');
  const groups = [...catalog.querySelectorAll('[data-scope-group]')];
  box.hidden = false;

  input.addEventListener('input', () => {
    const words = input.value.trim().toLowerCase().split(/\s+/).filter(Boolean);
    let shown = 0;
    for (const group of groups) {
      const area = group.querySelector('legend').textContent.toLowerCase();
      let groupShown = 0;
      for (const choice of group.querySelectorAll('.choice')) {
        const text = `${area} ${choice.querySelector('input').dataset.scopeTitle} ${choice.textContent}`.toLowerCase();
        const match = words.every((word) => text.includes(word));
        choice.hidden = !match;
        if (match) groupShown += 1;
      }
      group.hidden = groupShown === 0;
      shown += groupShown;
    }
    status.textContent = words.length === 0 ? '' : `${shown} ${shown === 1 ? 'scope matches' : 'scopes match'}.`;
  });

  const access = [...document.querySelectorAll('input[name="access"]')];
  const follow = () => {
    catalog.hidden = access.some((radio) => radio.checked && radio.value === 'full');
  };
  for (const radio of access) radio.addEventListener('change', follow);
  follow();
}
