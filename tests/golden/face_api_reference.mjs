// Reference for the face-expression port: runs @vladmandic/face-api's own TF.js code (its
// dist/face-api.esm.js, CPU backend) on raw crops and writes logits, probabilities and the pooled
// 256-d embedding as JSON. The weights are read from the package's own model folder and decoded
// by TF.js's decodeWeights, so nothing of ours takes part.
// Usage: node face_api_reference.mjs PACKAGE_DIR CROPS.f32 COUNT OUT.json
// CROPS.f32: COUNT x 112 x 112 x 3 little-endian float32 RGB values in 0..255.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

// The browser bundle runs under Node once it believes it is in a browser: with IS_NODE alone it
// asks for tfjs-node's platform, which is not installed.
globalThis.window = globalThis;
globalThis.document = { createElement: () => ({ getContext: () => null }) };
const [packageDir, cropsFile, countText, outFile] = process.argv.slice(2);
const faceapi = await import(join(packageDir, 'dist', 'face-api.esm.js'));
const tf = faceapi.tf;
await tf.setBackend('cpu');
await tf.ready();

const modelDir = join(packageDir, 'model');
const manifest = JSON.parse(readFileSync(join(modelDir, 'face_expression_model-weights_manifest.json'), 'utf8'));
const shards = manifest.flatMap((group) => group.paths.map((p) => readFileSync(join(modelDir, p))));
const bytes = Buffer.concat(shards);
const specs = manifest.flatMap((group) => group.weights);
const weightMap = tf.io.decodeWeights(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length), specs);
const net = new faceapi.FaceExpressionNet();
net.loadFromWeightMap(weightMap);

const count = Number(countText);
const raw = readFileSync(cropsFile);
const values = new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.length));
const results = [];
for (let i = 0; i < count; ++i) {
  const crop = tf.tensor3d(values.subarray(i * 112 * 112 * 3, (i + 1) * 112 * 112 * 3), [112, 112, 3], 'float32');
  const input = await faceapi.toNetInput(crop);
  const embedding = net.faceFeatureExtractor.forwardInput(input);
  const logits = net.runNet(input);
  const probabilities = net.forwardInput(input);
  results.push({
    logits: Array.from(logits.dataSync()),
    probabilities: Array.from(probabilities.dataSync()),
    embedding: Array.from(embedding.dataSync()),
  });
  tf.dispose([crop, embedding, logits, probabilities]);
}
writeFileSync(outFile, JSON.stringify({ tfjs: tf.version_core, backend: tf.getBackend(), results }));
