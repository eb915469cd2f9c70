/** Substitution lives with the IR (src/ir/substitute.ts); re-exported for the backprop modules. */
export { substitute } from '../ir/substitute.js';
