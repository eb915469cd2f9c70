/**
 * All derivative rules, assembled explicitly. The mapped types make a function of the language
 * without a rule a compile error: add a function to src/ir/functions.ts and this file tells you
 * which table it needs a row in.
 */
import type { FnName } from '../src/ir/functions.js';
import { elementwise } from './derivative/elementwise.js';
import { matrixFunctions } from './derivative/matrix.js';
import { softmaxFunctions } from './derivative/softmax.js';
import { matrixPower, operators } from './derivative/operators.js';
import { reductions } from './derivative/reductions.js';
import type { DifferentialRule, ElementwiseRule } from './derivative/types.js';

export type { DifferentialRule, Domain, ElementwiseRule } from './derivative/types.js';

type ElementwiseFn = keyof typeof elementwise;
type StructuralFn = Exclude<FnName, ElementwiseFn>;

export const ELEMENTWISE_RULES: { readonly [K in ElementwiseFn]: ElementwiseRule } = elementwise;
export const FUNCTION_RULES: { readonly [K in StructuralFn]: DifferentialRule } = { ...matrixFunctions, ...reductions, ...softmaxFunctions };
export const OPERATOR_RULES: { readonly [K in keyof typeof operators]: DifferentialRule } = operators;
export { matrixPower };

export const isElementwiseRule = (f: FnName): f is ElementwiseFn => Object.hasOwn(elementwise, f);
