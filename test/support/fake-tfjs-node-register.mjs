// node --import ./test/support/fake-tfjs-node-register.mjs: install the tfjs-node stand-in.
import { register } from 'node:module';

register('./fake-tfjs-node-hooks.mjs', import.meta.url);
