// Compile the test-only Solidity stand-ins into artifacts.json (ABI + bytecode + solc version +
// sha256 of every source). The compiler is the npm `solc` package pinned in ensure_solc.sh and
// installed into build/solc/ (git-ignored).
//
//   node tests/chain/contracts/compile.mjs           rewrite artifacts.json
//   node tests/chain/contracts/compile.mjs --check   exit 1 when artifacts.json is stale
import { createHash } from "node:crypto";
import { readFileSync, readdirSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const SOLC_VERSION = "0.8.28";
const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, "..", "..", "..");
const OUT = join(HERE, "artifacts.json");
const SETTINGS = {
  optimizer: { enabled: true, runs: 200 },
  evmVersion: "cancun",
  outputSelection: { "*": { "*": ["abi", "evm.bytecode.object"] } },
};

const require = createRequire(join(ROOT, "build", "solc", "package.json"));
const solc = require("solc");
if (!solc.version().startsWith(SOLC_VERSION + "+")) {
  console.error(`expected solc ${SOLC_VERSION}, found ${solc.version()}; run ensure_solc.sh`);
  process.exit(2);
}

const files = readdirSync(HERE).filter((f) => f.endsWith(".sol")).sort();
const sources = {};
const hashes = {};
for (const file of files) {
  const content = readFileSync(join(HERE, file), "utf8");
  sources[file] = { content };
  hashes[file] = createHash("sha256").update(content, "utf8").digest("hex");
}
const output = JSON.parse(solc.compile(JSON.stringify({ language: "Solidity", sources, settings: SETTINGS })));
const errors = (output.errors || []).filter((e) => e.severity === "error");
if (errors.length) {
  for (const e of errors) console.error(e.formattedMessage);
  process.exit(1);
}
const contracts = {};
for (const file of files) {
  for (const [name, c] of Object.entries(output.contracts[file] || {})) {
    if (c.evm.bytecode.object.length === 0) continue; // interfaces
    contracts[name] = { source: file, abi: c.abi, bytecode: "0x" + c.evm.bytecode.object };
  }
}
const artefact = {
  solc_version: solc.version(),
  settings: { optimizer: SETTINGS.optimizer, evmVersion: SETTINGS.evmVersion },
  sources: Object.fromEntries(files.map((f) => [f, { sha256: hashes[f] }])),
  contracts: Object.fromEntries(Object.keys(contracts).sort().map((k) => [k, contracts[k]])),
};
const text = JSON.stringify(artefact, null, 2) + "\n";
if (process.argv.includes("--check")) {
  const current = readFileSync(OUT, "utf8");
  if (current !== text) {
    console.error("artifacts.json is stale: run node tests/chain/contracts/compile.mjs");
    process.exit(1);
  }
  console.log("artifacts.json matches the sources");
} else {
  writeFileSync(OUT, text);
  console.log(`wrote ${OUT} (${Object.keys(contracts).length} contracts, solc ${solc.version()})`);
}
