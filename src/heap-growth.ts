import { setFlagsFromString } from 'node:v8';

/**
 * Caps how far the old generation may grow past the last full collection's survivors before V8 collects again.
 * A loaded server promotes a steady trickle of short-lived objects (requests in flight when a scavenge runs); with
 * V8's own growing factor they pile up for tens of seconds and resident memory swings by 50 MB or more. The factor is
 * read each time V8 sets its next limit, so setting it at start applies to every later limit; the hard heap limit is
 * unchanged, so a growing live set is never refused, only collected sooner. 0 leaves V8's choice.
 */
export function limitHeapGrowth(percent: number): void {
  if (percent > 0) setFlagsFromString(`--heap-growing-percent=${percent}`);
}
