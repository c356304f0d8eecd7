import type { BadInputCase } from './badInputKit';
import { BODY_CASES } from './bodyCases';
import { PARAMETER_CASES } from './parameterCases';
import { TOKEN_CASES } from './tokenCases';

/**
 * The bad-input suite: hostile, broken and unlucky requests across both APIs. Each one must get
 * its status as problem+json, record nothing and leave staging empty.
 */
export const BAD_INPUT_CASES: readonly BadInputCase[] = [...TOKEN_CASES, ...BODY_CASES, ...PARAMETER_CASES];
