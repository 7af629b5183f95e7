#!/usr/bin/env node
// CommonJS (see bin/package.json): the ES module loader would add to every call's start-up.
require('../dist/orgs.js')
  .main(process.argv.slice(2))
  .then((code) => {
    process.exitCode = code;
  });
