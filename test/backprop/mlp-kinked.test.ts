/** MLPs of depth 1 to 10 with piecewise activations (kinks resampled), and batched networks: see mlp.ts. */
import { mlpSuite } from './mlp.js';

mlpSuite(['relu', 'leaky_relu', 'elu', 'maxout']);
mlpSuite(['relu', 'sigmoid'], true);
