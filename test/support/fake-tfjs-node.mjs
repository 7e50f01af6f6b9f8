// Stand-in for @tensorflow/tfjs-node in test/tf.backend.test.ts: importing it does what the real
// package does to tfjs (registers a working backend 'tensorflow' at priority 3, above wasm's 2) and
// leaves a mark, so the test sees whether airlora loaded it. Its kernels are tfjs-cpu's.
import * as tf from '@tensorflow/tfjs';

globalThis.__airloraFakeTfjsNodeLoads = (globalThis.__airloraFakeTfjsNodeLoads ?? 0) + 1;
const cpu = tf.findBackendFactory('cpu');
for (const k of tf.getKernelsForBackend('cpu')) tf.registerKernel({ ...k, backendName: 'tensorflow' });
tf.registerBackend('tensorflow', cpu, 3);
export const version = 'fake';
