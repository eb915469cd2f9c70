/** MLPs of depth 1 to 10 with smooth activations: see mlp.ts. */
import { mlpSuite } from './mlp.js';

mlpSuite(['sigmoid', 'tanh', 'softplus', 'softmax']);
