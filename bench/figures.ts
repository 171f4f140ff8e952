/**
 * One measured figure, as every benchmark module's `run()` returns it and the runner writes it to docs/benchmarks.md.
 * `ratio` is the figure divided by its `baseline`, both measured in the same run.
 */
export interface Figure {
  /** P1…P5, or a short name for the figures without a number (auth, RSS). */
  id: string;
  name: string;
  value: string;
  baseline: string;
  ratio: number;
  /** The bound the issue sets, as text (e.g. "≥ 0.25×"). */
  target: string;
  met: boolean;
  note?: string;
}
