// An Express app that answers with each content type the bundles' mime table keeps (scripts/shims/mime-db.cjs):
// built into a bundle by tests/scripts/shims.test.ts and compared with the same app run from source.
import express from 'express';

export const app = express()
  .get('/json', (_req, res) => void res.json({ ok: true }))
  .get('/html', (_req, res) => void res.send('<p>hi</p>'))
  .get('/text', (_req, res) => void res.sendStatus(418))
  .get('/bin', (_req, res) => void res.send(Buffer.from('x')))
  .get('/type/:ext', (req, res) => void res.type(req.params.ext).send('x'));
