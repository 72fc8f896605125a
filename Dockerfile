# syntax=docker/dockerfile:1
# The MCP servers (and the agent) as a container: built from the lockfile, only the single-file bundles in the final image.
FROM node:22-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY tsconfig.json ./
COPY app ./app
COPY scripts ./scripts
# The two bundles the image runs (no per-server Lambda bundles).
RUN npx tsx scripts/build.ts server agent

FROM node:22-bookworm-slim
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000
WORKDIR /app
# Every server: MCP_SERVER=<name> serves one, unset the front door (/<name>/mcp each, /mcp the primary).
COPY --from=build --chown=node:node /src/dist/server/index.js ./index.js
# The agent shares the image: run it with `node agent.js`.
COPY --from=build --chown=node:node /src/dist/agent/index.js ./agent.js
USER node
EXPOSE 3000
HEALTHCHECK --interval=15s --timeout=3s --start-period=10s --retries=3 \
  CMD ["node", "-e", "Promise.any([process.env.PORT||3000,process.env.AGENT_PORT||3001].map(p=>fetch('http://127.0.0.1:'+p+'/healthz').then(r=>{if(!r.ok)throw 0}))).then(()=>process.exit(0),()=>process.exit(1))"]
# exec form: node is PID 1 and receives SIGTERM itself, so in-flight requests drain.
CMD ["node", "index.js"]
