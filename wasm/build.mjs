#!/usr/bin/env node
// Placeholder until the Wasm kernels land (issue 7): nothing to build yet.
