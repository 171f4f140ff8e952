import { formatGrace } from '../../../domain/token-rotation.js';

/** The windows the regenerate page offers; the API and the CLI take any value from 0 to 7 days. */
export const gracePresets: readonly { seconds: number; label: string }[] = [
  { seconds: 0, label: 'Now: the current secret stops working at once' },
  { seconds: 3_600, label: 'In 1 hour' },
  { seconds: 86_400, label: 'In 1 day' },
  { seconds: 604_800, label: 'In 7 days' },
];

/** Radios for when the current secret stops: now (a plain regenerate) or after a grace window. */
export function GraceChoice() {
  return (
    <fieldset class="field-group">
      <legend>When should the current secret stop working?</legend>
      {gracePresets.map(({ seconds, label }) => {
        const id = `field-grace-${formatGrace(seconds)}`;
        return (
          <div class="choice" key={seconds}>
            <input type="radio" id={id} name="grace" value={String(seconds)} checked={seconds === 0} />
            <label for={id}>{label}</label>
          </div>
        );
      })}
      <p class="hint">
        With a grace window, both secrets work until it ends, so tools can switch to the new one without downtime.
      </p>
    </fieldset>
  );
}
