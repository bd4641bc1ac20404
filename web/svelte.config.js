import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

/** Read by vite-plugin-svelte, svelte-check and the ESLint Svelte parser. */
export default {
  preprocess: vitePreprocess(),
};
