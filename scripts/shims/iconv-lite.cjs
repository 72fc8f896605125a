// Stands in for iconv-lite in the bundles (it is 480 KiB of code pages). body-parser and raw-body use it
// to decode request bodies; the app accepts JSON only, whose encodings TextDecoder covers.
'use strict';

const LABELS = { utf8: 'utf-8', utf16le: 'utf-16le', utf16be: 'utf-16be', utf16: 'utf-16le', ucs2: 'utf-16le' };
const canonical = (encoding) => String(encoding).toLowerCase().replace(/[^a-z0-9]/g, '');

function label(encoding) {
  const name = LABELS[canonical(encoding)];
  // raw-body recognises an unknown encoding by this message and answers 415.
  if (!name) throw new Error(`Encoding not recognized: '${encoding}' (searched as: '${canonical(encoding)}')`);
  return name;
}

exports.encodingExists = (encoding) => canonical(encoding) in LABELS;
exports.decode = (buffer, encoding) => new TextDecoder(label(encoding)).decode(buffer);
exports.getDecoder = (encoding) => {
  const decoder = new TextDecoder(label(encoding));
  return { write: (chunk) => decoder.decode(chunk, { stream: true }), end: () => decoder.decode() || undefined };
};
exports.encode = (text, encoding) => {
  if (label(encoding) !== 'utf-8') throw new Error(`Encoding not recognized: '${encoding}'`);
  return Buffer.from(text, 'utf8');
};
