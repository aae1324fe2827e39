# syntax=docker/dockerfile:1
# Mail configuration service: build with the dev toolchain, run on production dependencies only,
# as the unprivileged "node" user, with embedded state (SQLite, generated keys) in /data.

ARG NODE_IMAGE=node:20-bookworm-slim

# --- toolchain --------------------------------------------------------------------------------------
# better-sqlite3 is a native module: when no prebuilt binary matches the platform, npm compiles
# it, which needs python3, make and g++. They stay in the build stages; the runtime has none.
FROM ${NODE_IMAGE} AS toolchain
WORKDIR /app
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ ca-certificates \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./

# --- production dependencies only -----------------------------------------------------------------
FROM toolchain AS deps
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

# --- build: TypeScript → dist/ ---------------------------------------------------------------------
FROM toolchain AS build
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
# Besides compiling, the build copies the pages' static files (src/interfaces/web: HTML, CSS, browser
# script) to dist/interfaces/web, where the compiled controllers look for them; the runtime gets both with dist.
RUN npm run build

# --- runtime ---------------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    PORT=3000 \
    DATA_DIR=/data
WORKDIR /app
COPY --from=deps --chown=root:root /app/node_modules ./node_modules
COPY --from=build --chown=root:root /app/dist ./dist
COPY --chown=root:root package.json ./
# The code is root-owned and read-only for the service; only /data is writable by it.
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 3000
# No curl in the slim image: Node's own fetch asks the liveness endpoint.
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/health/live').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# Node runs as PID 1 and handles SIGTERM/SIGINT itself (drain, close, exit 0); `docker stop`
# waits 10 s by default, so give it SHUTDOWN_TIMEOUT_MS + a few seconds (compose: stop_grace_period).
STOPSIGNAL SIGTERM
# The flags of `npm start`: a larger young generation halves the scavenges of a busy instance
# (docs/benchmarks.md, scenario 9).
CMD ["node", "--max-semi-space-size=64", "dist/main.js"]
