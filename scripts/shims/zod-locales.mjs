// Stands in for zod's locales index in the bundles: zod's namespace export pulls in ~40 translations of
// its error messages (300 KiB); the server answers in English only.
export { default as en } from 'zod/v4/locales/en.js';
