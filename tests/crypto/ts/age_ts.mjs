// The TypeScript age (npm age-encryption@0.3.1) as a command-line peer for the
// interop tests. Our Python code never runs here: this is the other side.
//
// Usage (any working directory):
//   node age_ts.mjs keygen x25519|pq            -> identity line, recipient line
//   node age_ts.mjs recipient < IDENTITY         -> recipient line
//   node age_ts.mjs encrypt [--armor] [--passphrase-file F] [--work-factor N] [-r RECIPIENT]...  < in > out
//   node age_ts.mjs decrypt [--armor] [--passphrase-file F] [-i IDENTITY_FILE]...            < in > out
//   node age_ts.mjs kem-vectors N                -> JSON of X-Wing (MLKEM768-X25519) KEM vectors
//
// Identity files are read like age-keygen writes them: '#' comments and blank
// lines are skipped, every other line is one identity.
import { readFileSync, readSync, writeSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const peers = createRequire(resolve(here, "../../peers/package.json"));
const age = await import(pathToFileURL(peers.resolve("age-encryption")).href);
// Resolve noble's hybrid KEM from age-encryption's own location, so it is the
// exact copy the TypeScript age uses.
const ageRequire = createRequire(peers.resolve("age-encryption"));
const hybrid = await import(pathToFileURL(ageRequire.resolve("@noble/post-quantum/hybrid.js")).href);

function readStdin() {
  // Synchronous reads of descriptor 0; a pipe may report EAGAIN, EOF ends it.
  const chunks = [];
  const buf = Buffer.alloc(1 << 20);
  for (;;) {
    let n;
    try {
      n = readSync(0, buf, 0, buf.length, null);
    } catch (e) {
      if (e.code === "EAGAIN") continue;
      if (e.code === "EOF") break;
      throw e;
    }
    if (n === 0) break;
    chunks.push(Buffer.from(buf.subarray(0, n)));
  }
  return new Uint8Array(Buffer.concat(chunks));
}

function writeStdout(bytes) {
  let off = 0;
  while (off < bytes.length) {
    try {
      off += writeSync(1, bytes, off, bytes.length - off);
    } catch (e) {
      if (e.code === "EAGAIN") continue;
      throw e;
    }
  }
}

function parseArgs(argv) {
  const opts = { armor: false, recipients: [], identityFiles: [], passphraseFile: null, workFactor: null };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--armor") opts.armor = true;
    else if (a === "-r") opts.recipients.push(argv[++i]);
    else if (a === "-i") opts.identityFiles.push(argv[++i]);
    else if (a === "--passphrase-file") opts.passphraseFile = argv[++i];
    else if (a === "--work-factor") opts.workFactor = Number(argv[++i]);
    else throw new Error(`unknown argument ${a}`);
  }
  return opts;
}

function identitiesIn(path) {
  return readFileSync(path, "utf8")
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "" && !l.startsWith("#"));
}

const [command, ...rest] = process.argv.slice(2);
const hex = (b) => Buffer.from(b).toString("hex");

switch (command) {
  case "keygen": {
    const kind = rest[0];
    if (kind !== "pq" && kind !== "x25519") throw new Error("keygen x25519|pq");
    const identity = kind === "pq" ? await age.generateHybridIdentity() : await age.generateX25519Identity();
    process.stdout.write(`${identity}\n${await age.identityToRecipient(identity)}\n`);
    break;
  }
  case "recipient": {
    const identity = new TextDecoder().decode(readStdin()).trim();
    process.stdout.write(`${await age.identityToRecipient(identity)}\n`);
    break;
  }
  case "encrypt": {
    const opts = parseArgs(rest);
    const e = new age.Encrypter();
    if (opts.passphraseFile !== null) e.setPassphrase(readFileSync(opts.passphraseFile, "utf8"));
    if (opts.workFactor !== null) e.setScryptWorkFactor(opts.workFactor);
    for (const r of opts.recipients) e.addRecipient(r);
    const out = await e.encrypt(readStdin());
    writeStdout(opts.armor ? new TextEncoder().encode(age.armor.encode(out)) : out);
    break;
  }
  case "decrypt": {
    const opts = parseArgs(rest);
    const d = new age.Decrypter();
    if (opts.passphraseFile !== null) d.addPassphrase(readFileSync(opts.passphraseFile, "utf8"));
    for (const f of opts.identityFiles) for (const id of identitiesIn(f)) d.addIdentity(id);
    let input = readStdin();
    if (opts.armor) input = age.armor.decode(new TextDecoder().decode(input));
    writeStdout(await d.decrypt(input));
    break;
  }
  case "kem-vectors": {
    // Deterministic: seeds and encapsulation randomness are SHAKE256 of fixed
    // labels, so the vectors are reproducible from this script alone.
    const { shake256 } = await import(pathToFileURL(ageRequire.resolve("@noble/hashes/sha3.js")).href);
    const kem = hybrid.MLKEM768X25519;
    const n = Number(rest[0] ?? "3");
    const vectors = [];
    for (let i = 0; i < n; i++) {
      const seed = shake256(new TextEncoder().encode(`submitter kem seed ${i}`), { dkLen: 32 });
      const rand = shake256(new TextEncoder().encode(`submitter kem rand ${i}`), { dkLen: kem.lengths.msgRand });
      const { publicKey } = kem.keygen(seed);
      const { cipherText, sharedSecret } = kem.encapsulate(publicKey, rand);
      const again = kem.decapsulate(cipherText, seed);
      if (hex(again) !== hex(sharedSecret)) throw new Error("noble decapsulation mismatch");
      vectors.push({ seed: hex(seed), public_key: hex(publicKey), ciphertext: hex(cipherText), shared_secret: hex(sharedSecret) });
    }
    process.stdout.write(JSON.stringify({ kem: "MLKEM768-X25519 (X-Wing), @noble/post-quantum hybrid.MLKEM768X25519", vectors }, null, 1) + "\n");
    break;
  }
  default:
    throw new Error(`unknown command ${command}`);
}
