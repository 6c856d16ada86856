// Dump the C2SP CCTV age vectors from npm `cctv-age` into one file each.
// Usage: node tests/crypto/dump_cctv.mjs OUT_DIR   (run from the repository root)
import { mkdirSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";

const out = resolve(process.argv[2] ?? ".peers/cctv");
const require = createRequire(resolve("tests/peers/package.json"));
const entry = require.resolve("cctv-age");
const vectors = await import(pathToFileURL(entry).href);

mkdirSync(out, { recursive: true });
let count = 0;
for (const [name, bytes] of Object.entries(vectors)) {
  if (name === "default" || !(bytes instanceof Uint8Array)) continue;
  if (!/^[a-z0-9_]+$/.test(name)) throw new Error(`unexpected vector name ${name}`);
  writeFileSync(join(out, name), bytes);
  count++;
}
console.log(`dumped ${count} CCTV age vectors to ${out}`);
