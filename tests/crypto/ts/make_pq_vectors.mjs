// Generate the post-quantum known-answer files in tests/vectors/pq/ with the
// TypeScript age (npm age-encryption@0.3.1). Run once, commit the output:
//   node tests/crypto/ts/make_pq_vectors.mjs tests/vectors/pq
// Encryption is randomised, so re-running produces different (equally valid)
// files; the identity, its recipient and the plaintexts are fixed.
import { mkdirSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const peers = createRequire(resolve(here, "../../peers/package.json"));
const age = await import(pathToFileURL(peers.resolve("age-encryption")).href);
const ageRequire = createRequire(peers.resolve("age-encryption"));
const { bech32 } = await import(pathToFileURL(ageRequire.resolve("@scure/base")).href);
const { shake256, sha256 } = await (async () => {
  const sha3 = await import(pathToFileURL(ageRequire.resolve("@noble/hashes/sha3.js")).href);
  const sha2 = await import(pathToFileURL(ageRequire.resolve("@noble/hashes/sha2.js")).href);
  return { shake256: sha3.shake256, sha256: sha2.sha256 };
})();

const out = resolve(process.argv[2] ?? "tests/vectors/pq");
mkdirSync(out, { recursive: true });
const enc = (s) => new TextEncoder().encode(s);
const hex = (b) => Buffer.from(b).toString("hex");

// Fixed secrets, derived from public labels: these are test keys only.
const seedFor = (label) => shake256(enc(label), { dkLen: 32 });
const pqIdentity = (label) => bech32.encodeFromBytes("AGE-SECRET-KEY-PQ-", seedFor(label)).toUpperCase();
const x25519Identity = (label) => bech32.encodeFromBytes("AGE-SECRET-KEY-", seedFor(label)).toUpperCase();
// Plaintext of n bytes: SHAKE256("submitter pq kat plaintext"), the same stream for every size.
const plaintext = (n) => shake256(enc("submitter pq kat plaintext"), { dkLen: n });

const identity = pqIdentity("submitter pq kat identity");
const recipient = await age.identityToRecipient(identity);
const other = pqIdentity("submitter pq kat other identity");
const otherRecipient = await age.identityToRecipient(other);
const classic = x25519Identity("submitter pq kat x25519 identity");
const classicRecipient = await age.identityToRecipient(classic);

writeFileSync(join(out, "identity.txt"), `# public key: ${recipient}\n${identity}\n`);
writeFileSync(join(out, "recipient.txt"), `${recipient}\n`);

async function encryptTo(recipients, data) {
  const e = new age.Encrypter();
  for (const r of recipients) e.addRecipient(r);
  return await e.encrypt(data);
}

const files = [];
async function vector(name, recipients, size, { armored = false, expect = "success", note = "" } = {}) {
  const data = plaintext(size);
  let bytes = await encryptTo(recipients, data);
  if (armored) bytes = enc(age.armor.encode(bytes));
  writeFileSync(join(out, name), bytes);
  files.push({ file: name, expect, armored, size, sha256: hex(sha256(data)), note });
}

await vector("hybrid_0.age", [recipient], 0);
await vector("hybrid_1.age", [recipient], 1);
await vector("hybrid_65536.age", [recipient], 65536, { note: "exactly one full chunk" });
await vector("hybrid_65537.age", [recipient], 65537, { note: "one full chunk and a one-byte chunk" });
await vector("hybrid_armored.age", [recipient], 1000, { armored: true });
await vector("hybrid_two_recipients.age", [otherRecipient, recipient], 100, { note: "ours is the second stanza" });
await vector("hybrid_and_x25519.age", [classicRecipient, recipient], 100, {
  note: "mixed stanzas, which TypeScript age writes and age 1.3 reads; we refuse to write them",
});
await vector("hybrid_other_identity.age", [otherRecipient], 100, { expect: "no match" });

writeFileSync(
  join(out, "manifest.json"),
  JSON.stringify(
    {
      generator: "tests/crypto/ts/make_pq_vectors.mjs with npm age-encryption@0.3.1",
      plaintext: "the first SIZE bytes of SHAKE256('submitter pq kat plaintext')",
      identity,
      recipient,
      x25519_identity: classic,
      x25519_recipient: classicRecipient,
      files,
    },
    null,
    1,
  ) + "\n",
);
console.log(`wrote ${files.length} vectors to ${out}`);
