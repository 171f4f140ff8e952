// Progressive enhancement of the token page: a Copy button. Without script the token stays selectable text.
for (const button of document.querySelectorAll('[data-copy-from]')) {
  const source = document.getElementById(button.dataset.copyFrom);
  const status = button.parentElement.querySelector('[data-copy-status]');
  if (!source) continue;
  button.hidden = false;
  button.addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(source.value);
      status.textContent = 'Copied to the clipboard.';
    } catch {
      // Clipboard access can be denied (insecure origin, permissions); selecting lets the person copy by hand.
      source.focus();
      source.select();
      status.textContent = 'Selected: press Ctrl+C (or ⌘C) to copy.';
    }
  });
}
