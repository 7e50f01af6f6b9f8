/**
 * Local dataset → examples of one of three tasks:
 *  - `lm`: plain text (`.txt`, split into paragraphs at blank lines; or a `text` field);
 *  - `instruction`: Alpaca (`instruction`, `input`, `output`) or Dolly (`instruction`, `context`,
 *    `response`, `category`) records, rendered with a prompt template; the loss counts the response
 *    (and the end-of-sequence token) only;
 *  - `classifier`: GLUE-style records: `text_fields` (default: the first GLUE pair present —
 *    sentence1/sentence2, question1/question2, question/sentence, premise/hypothesis, #1 String/#2 String
 *    — else `sentence`, else `text`) and `label_field` (default `label`, MRPC's original `Quality`).
 * `path` is a file, or a folder holding `train.*` (and `validation.*` / `dev.*`) files in any supported
 * format, as GLUE and the Hub lay them out (also under `data/`).
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { UserInputError } from '../../errors.js';
import { isLocalDataFile, readRecords, type DataRecord } from './read.js';
import type { LocalDataOptions, LocalTask } from './options.js';

export type { LocalDataOptions, LocalTask } from './options.js';

export interface LocalExample {
  id: string;
  /** lm: the text. classifier: first sentence. */
  text: string;
  /** classifier: second sentence of a pair. */
  pair?: string;
  /** instruction: the rendered prompt (no loss) and the response (loss). */
  prompt?: string;
  response?: string;
  /** classifier label (as written in the file) or the partition key. */
  label?: string;
  key?: string;
}

export interface LocalDataset {
  task: LocalTask;
  train: LocalExample[];
  validation?: LocalExample[];
  /** Class names in index order (classifier). */
  labels?: string[];
  textFields: string[];
  labelField?: string;
  files: { train: string[]; validation: string[] };
}

const GLUE_PAIRS: [string, string][] = [
  ['sentence1', 'sentence2'], ['question1', 'question2'], ['question', 'sentence'], ['premise', 'hypothesis'], ['#1 String', '#2 String'],
];

export const ALPACA_TEMPLATE = {
  withInput: 'Below is an instruction that describes a task, paired with an input that provides further context. Write a response that appropriately completes the request.\n\n### Instruction:\n{instruction}\n\n### Input:\n{input}\n\n### Response:\n',
  noInput: 'Below is an instruction that describes a task. Write a response that appropriately completes the request.\n\n### Instruction:\n{instruction}\n\n### Response:\n',
};

/** The prompt of an instruction record (Alpaca's template unless `template` is given). */
export function renderPrompt(instruction: string, input: string, template?: string): string {
  if (template && template !== 'alpaca') return template.replaceAll('{instruction}', instruction).replaceAll('{input}', input).replace(/\{response\}[\s\S]*$/, '');
  return (input.trim() ? ALPACA_TEMPLATE.withInput : ALPACA_TEMPLATE.noInput).replaceAll('{instruction}', instruction).replaceAll('{input}', input);
}

/** train / validation files of a folder (or the file itself). */
export function dataFiles(path: string): { train: string[]; validation: string[] } {
  if (!existsSync(path)) throw new UserInputError(`data.path: ${path} does not exist`, 'data.path');
  if (!statSync(path).isDirectory()) return { train: [path], validation: [] };
  const dirs = [path, join(path, 'data')].filter((d) => existsSync(d) && statSync(d).isDirectory());
  const files = dirs.flatMap((d) => readdirSync(d).map((f) => join(d, f))).filter((f) => statSync(f).isFile() && isLocalDataFile(f)).sort();
  const train = files.filter((f) => /^train([-_.]|$)/i.test(basename(f)));
  const validation = files.filter((f) => /^(validation|valid|dev)([-_.]|$)/i.test(basename(f)));
  if (!train.length) {
    throw new UserInputError(`data.path: ${path} holds no train.* file (${files.map((f) => basename(f)).join(', ') || 'no data files'}); give a file or a folder with train.* and validation.* / dev.*`, 'data.path');
  }
  return { train, validation };
}

function str(v: unknown): string {
  return v === null || v === undefined ? '' : typeof v === 'string' ? v : typeof v === 'bigint' ? v.toString() : String(v);
}

function detectTextFields(r: DataRecord): string[] {
  for (const [a, b] of GLUE_PAIRS) if (a in r && b in r) return [a, b];
  for (const f of ['sentence', 'text', 'content']) if (f in r) return [f];
  return [];
}

/** Read and interpret a local dataset. */
export function loadLocalDataset(o: LocalDataOptions): LocalDataset {
  const files = dataFiles(o.path);
  const read = (fs: string[]) => fs.flatMap((f) => readRecords(f));
  const trainRecords = read(files.train);
  const valRecords = files.validation.length ? read(files.validation) : undefined;
  if (!trainRecords.length) throw new UserInputError(`data.path: ${files.train.join(', ')} holds no records`, 'data.path');
  const first = trainRecords[0]!;
  const isTxt = files.train.every((f) => f.toLowerCase().endsWith('.txt'));
  let task: LocalTask;
  if (o.task && o.task !== 'auto') task = o.task;
  else if (isTxt) task = 'lm';
  else if ('instruction' in first && ('output' in first || 'response' in first)) task = 'instruction';
  else if ((o.label_field ?? 'label') in first || 'Quality' in first) task = 'classifier';
  else task = 'lm';
  const where = files.train[0]!;

  if (task === 'instruction') {
    for (const f of ['instruction']) if (!(f in first)) throw new UserInputError(`data: ${where} has no '${f}' field (instruction data: instruction, input/context, output/response)`, 'data.task');
    const resp = 'output' in first ? 'output' : 'response';
    if (!(resp in first)) throw new UserInputError(`data: ${where} has no 'output' or 'response' field`, 'data.task');
    const inp = 'input' in first ? 'input' : 'context' in first ? 'context' : undefined;
    const key = o.key_field ?? ('category' in first ? 'category' : undefined);
    const conv = (rs: DataRecord[], split: string) => rs.map((r, i) => {
      const prompt = renderPrompt(str(r['instruction']), inp ? str(r[inp]) : '', o.prompt_template);
      const response = str(r[resp]);
      return { id: `${split}-${i}`, text: prompt + response, prompt, response, ...(key ? { key: str(r[key]), label: str(r[key]) } : {}) };
    });
    return { task, train: conv(trainRecords, 'train'), ...(valRecords ? { validation: conv(valRecords, 'validation') } : {}), textFields: ['instruction', ...(inp ? [inp] : []), resp], files };
  }

  const textFields = o.text_fields ?? (isTxt ? ['text'] : detectTextFields(first));
  if (!textFields.length) throw new UserInputError(`data.text_fields: ${where} has none of the GLUE text columns (sentence, sentence1/sentence2, question/sentence, text); fields: ${Object.keys(first).join(', ')}`, 'data.text_fields');
  for (const f of textFields) if (!(f in first)) throw new UserInputError(`data.text_fields: '${f}' is not a column of ${where}; columns: ${Object.keys(first).join(', ')}`, 'data.text_fields');
  const keyField = o.key_field;

  if (task === 'lm') {
    const conv = (rs: DataRecord[], split: string) => {
      const out: LocalExample[] = [];
      rs.forEach((r, i) => {
        const text = textFields.map((f) => str(r[f])).join('\n');
        // A .txt file is one record: its paragraphs (blank-line separated) are the items clients share.
        const parts = isTxt ? text.split(/\n\s*\n/).map((p) => p.trim()).filter((p) => p.length > 0) : [text];
        parts.forEach((p, j) => out.push({ id: `${split}-${i}${isTxt ? `-${j}` : ''}`, text: p, ...(keyField ? { key: str(r[keyField]), label: str(r[keyField]) } : {}) }));
      });
      return out;
    };
    return { task, train: conv(trainRecords, 'train'), ...(valRecords ? { validation: conv(valRecords, 'validation') } : {}), textFields, files };
  }

  const labelField = o.label_field ?? ('label' in first ? 'label' : 'Quality' in first ? 'Quality' : 'label');
  if (!(labelField in first)) throw new UserInputError(`data.label_field: '${labelField}' is not a column of ${where}; columns: ${Object.keys(first).join(', ')}`, 'data.label_field');
  const conv = (rs: DataRecord[], split: string) => rs.map((r, i) => ({
    id: `${split}-${i}`, text: str(r[textFields[0]!]), ...(textFields[1] ? { pair: str(r[textFields[1]]) } : {}),
    label: str(r[labelField]).trim(), ...(keyField ? { key: str(r[keyField]) } : {}),
  }));
  const train = conv(trainRecords, 'train');
  const validation = valRecords ? conv(valRecords, 'validation') : undefined;
  return { task, train, ...(validation ? { validation } : {}), labels: labelSet([...train, ...(validation ?? [])].map((e) => e.label!)), textFields, labelField, files };
}

/**
 * Class names in index order: integer labels 0..K−1 keep their values (GLUE's encoding); other labels
 * are sorted. Unlabelled examples (GLUE test files: −1) are refused by the caller.
 */
export function labelSet(labels: string[]): string[] {
  const uniq = [...new Set(labels)];
  if (uniq.every((l) => /^-?\d+$/.test(l))) {
    const max = Math.max(...uniq.map(Number));
    return Array.from({ length: max + 1 }, (_, i) => String(i));
  }
  return uniq.sort();
}

export function labelIndex(labels: string[], label: string, where: string): number {
  const i = labels.indexOf(label);
  if (i < 0) throw new UserInputError(`data.label_field: label '${label}' in ${where} is not one of ${labels.join(', ')}`, 'data.label_field');
  return i;
}
