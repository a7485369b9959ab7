#!/usr/bin/env node
// The fedmesh command. Runs the compiled CLI from dist/ (built by `npm install`).
const [major] = process.versions.node.split('.').map(Number)
if (major < 24) {
  process.stderr.write(`fedmesh needs Node.js 24 or newer (this is ${process.version}).\n` +
    'Run it through npm so the project\'s own Node 24 is used: `npx fedmesh ...` or `npm start`.\n')
  process.exit(2)
}
const { main } = await import('../dist/src/cli/main.js')
process.exitCode = await main(process.argv.slice(2))
