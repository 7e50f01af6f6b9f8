/** Every sub-command's `register`. Add one line per command file. */
import type { Command } from 'commander';
import { register as sweep } from './sweep.js';
import { register as merge } from './merge.js';
import { register as figures } from './figures.js';
import { register as compare } from './compare.js';
import { register as pretrain } from './pretrain.js';
import { register as inspect } from './inspect.js';
import { register as run } from './run.js';
import { register as validate } from './validate.js';
import { register as phy } from './phy.js';
import { register as split } from './split.js';
import { register as design } from './design.js';
import { register as list } from './list.js';
import { register as schema } from './schema.js';
import { register as evaluate } from './eval.js';
import { register as channel } from './channel.js';

export type Register = (program: Command) => void;

export const commands: Register[] = [validate, phy, pretrain, inspect, sweep, merge, figures, compare, run, split, design, list, schema, evaluate, channel];
