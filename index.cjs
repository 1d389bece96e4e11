// The CommonJS entry of word2vec-ts, an ES module. Node.js versions that load
// ES modules from require() (20.19 and later, 22.12 and later) get the ES
// module itself; older ones get an error that says how to import it.
'use strict';

try {
  module.exports = require('./dist/src/index.js');
} catch (error) {
  if (error && error.code === 'ERR_REQUIRE_ESM') {
    throw new Error(
      `word2vec-ts is an ES module, and Node.js ${process.version} cannot load ES modules with require(). ` +
        "Use import { train, loadVectors } from 'word2vec-ts' in an ES module, " +
        "or const { train } = await import('word2vec-ts') in CommonJS, " +
        'or run Node.js 20.19 or later (22.12 or later on Node.js 22), where require() works.',
      { cause: error },
    );
  }
  throw error;
}
