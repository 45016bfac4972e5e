// A LineTracer that charges nothing: what modelled components use outside the simulator.

import type { LineTracer } from './api.js';

let nextLine = 0;

export const nullTracer: LineTracer = {
  allocLines(count: number): number {
    const first = nextLine;
    nextLine += count;
    return first;
  },
  read(): void {},
  write(): void {},
  rmw(): void {},
};
