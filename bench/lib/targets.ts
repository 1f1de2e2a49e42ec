import type { TargetSpec } from './types.js';

/** The same target for both rxtransport surfaces, Rx and Protocol, as the issue states them. */
export function bothSurfaces(target: Omit<TargetSpec, 'variant'>): TargetSpec[] {
  return [
    { variant: 'rxtransport Rx', ...target },
    { variant: 'rxtransport Protocol', ...target },
  ];
}
