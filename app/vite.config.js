// Vite builds the DApp into a static site (app/dist by default). The client module it imports,
// clients/js/src/client.mjs, lives outside this package: `dedupe` makes its @polkadot imports
// resolve to this package's copies, so the page holds one @polkadot/types (the client's
// `instanceof` checks depend on it) and clients/js/node_modules is not needed to build.
import { defineConfig } from 'vite';

export default defineConfig({
  // Relative asset URLs: the built site works from any path it is served under.
  base: './',
  resolve: {
    dedupe: [
      '@polkadot/api',
      '@polkadot/api-contract',
      '@polkadot/keyring',
      '@polkadot/types',
      '@polkadot/util',
      '@polkadot/util-crypto',
    ],
  },
  // BigInt literals and top-level await need ES2022.
  build: { target: 'es2022', chunkSizeWarningLimit: 2048 },
  server: { fs: { allow: ['..'] } },
});
