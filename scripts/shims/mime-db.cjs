// Stands in for mime-db in the bundles (147 KiB of JSON; mime-types indexes all of its ~2,500 types at
// load: some 40 ms of a Lambda cold start). Express, send, type-is and accepts look types up in it; the
// apps answer JSON and the odd plain-text or HTML error only, so these entries (copied from mime-db
// 1.54) are the ones they ask for. Any other type falls back to application/octet-stream.
'use strict';

module.exports = {
  'application/json': { source: 'iana', charset: 'UTF-8', compressible: true, extensions: ['json', 'map'] },
  'application/x-www-form-urlencoded': { source: 'iana', compressible: true },
  'multipart/form-data': { source: 'iana', compressible: false },
  'text/html': { source: 'iana', compressible: true, extensions: ['html', 'htm', 'shtml'] },
  'text/plain': { source: 'iana', compressible: true, extensions: ['txt', 'text', 'conf', 'def', 'list', 'log', 'in', 'ini'] },
};
