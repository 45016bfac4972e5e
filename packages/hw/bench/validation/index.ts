// The validation table of the hardware model: every mechanism's rows, in one list. Each
// mechanism keeps its experiments in its own file beside this one and adds its export here.

import { lineValidationRows } from './lines.js';
import { genoaLockCurveRows, lockCurveRows } from './lock-curves.js';
import { lockValidationRows } from './locks.js';
import { resourceValidationRows } from './resources.js';
import type { ValidationRow } from './row.js';

export type { ValidationRow } from './row.js';
export { printValidation } from './row.js';

/** Every validation row (runs the experiments: takes a few seconds). */
export function validationRows(): ValidationRow[] {
  return [
    ...lineValidationRows(),
    ...lockValidationRows(),
    ...lockCurveRows(),
    ...genoaLockCurveRows(),
    ...resourceValidationRows(),
  ];
}
