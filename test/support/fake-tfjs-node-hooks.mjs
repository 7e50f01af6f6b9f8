// Module resolution hook: makes `import('@tensorflow/tfjs-node')` resolve to fake-tfjs-node.mjs,
// as if the optional package had installed (register with fake-tfjs-node-register.mjs).
export async function resolve(specifier, context, next) {
  if (specifier === '@tensorflow/tfjs-node') {
    return { url: new URL('./fake-tfjs-node.mjs', import.meta.url).href, shortCircuit: true };
  }
  return next(specifier, context);
}
