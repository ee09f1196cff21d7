// Reference token ids for the tokenizer tests, from the npm packages' own JavaScript:
//   gpt3 NODE_MODULES LINES OUT            gpt-3-encoder's encode/decode (GPT-2 BPE)
//   lenml NODE_MODULES JSON CONFIG LINES OUT  @lenml/tokenizers (transformers.js) on a tokenizer.json
// LINES: UTF-8 text, one input per line. OUT: one JSON object per line:
//   {"ids": [...], "special": [...] (ids with the template's special tokens), "text": decode(ids)}
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const [mode, modules, ...rest] = process.argv.slice(2);
const require = createRequire(join(modules, 'noop.js'));
let encode, encodeSpecial, decode;
let linesFile, outFile;
if (mode === 'gpt3') {
  [linesFile, outFile] = rest;
  const gpt3 = require('gpt-3-encoder');
  encode = (text) => gpt3.encode(text);
  encodeSpecial = encode;
  decode = (ids) => gpt3.decode(ids);
} else if (mode === 'lenml') {
  const [jsonFile, configFile] = rest;
  [linesFile, outFile] = rest.slice(2);
  const { TokenizerLoader } = await import(join(modules, '@lenml', 'tokenizers', 'dist', 'main.mjs'));
  const tokenizer = TokenizerLoader.fromPreTrained({
    tokenizerJSON: JSON.parse(readFileSync(jsonFile, 'utf8')),
    tokenizerConfig: JSON.parse(readFileSync(configFile, 'utf8')),
  });
  encode = (text) => tokenizer.encode(text, { add_special_tokens: false });
  encodeSpecial = (text) => tokenizer.encode(text, { add_special_tokens: true });
  decode = (ids) => tokenizer.decode(ids, { skip_special_tokens: true, clean_up_tokenization_spaces: false });
} else {
  throw new Error(`unknown mode ${mode}`);
}
const lines = readFileSync(linesFile, 'utf8').split('\n');
if (lines.at(-1) === '') lines.pop();
const out = lines.map((line) => {
  const ids = encode(line);
  return JSON.stringify({ ids, special: encodeSpecial(line), text: decode(ids) });
});
writeFileSync(outFile, out.join('\n') + '\n');
