// HTTP entry of the reference v2 server, mounted on Express as the SDK documents it
// (docs/serving/express.md: createMcpExpressApp + toNodeHandler). Listens on 127.0.0.1:PORT.
import { createMcpExpressApp } from '@modelcontextprotocol/express';
import { toNodeHandler } from '@modelcontextprotocol/node';
import { createReferenceHandler } from './v2handler';

const node = toNodeHandler(createReferenceHandler());
const app = createMcpExpressApp();
app.all('/mcp', (req, res) => void node(req, res, req.body));
app.listen(Number(process.env.PORT), '127.0.0.1');
