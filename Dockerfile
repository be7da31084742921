# syntax=docker/dockerfile:1
# istiod-ts image: compile with the full toolchain, install production dependencies apart, and ship
# only the compiled daemon, those dependencies and the data files it reads at run time (CRD
# schemas for validation, the CA proto it serves, the bundled example mesh).
# Every stage uses the same Node major (the current LTS); package.json's engines allow >=20.
ARG NODE_IMAGE=node:24-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
# Dependencies first, so source edits do not invalidate the npm ci layer.
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund && npm cache clean --force
# Only src/ is compiled: .dockerignore keeps test/ and bench/ (which tsconfig also includes) out.
COPY tsconfig.json ./
COPY src ./src
RUN npm run build

FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force

FROM ${NODE_IMAGE}
# tini is PID 1: it forwards SIGTERM to node (which drains and exits, see src/bootstrap/discovery.ts)
# and reaps zombies. npm, npx, corepack and yarn are never run here, so they are removed.
RUN apt-get update \
 && apt-get install -y --no-install-recommends tini \
 && rm -rf /var/lib/apt/lists/* \
 && rm -rf /usr/local/lib/node_modules/npm /usr/local/lib/node_modules/corepack /opt/yarn-* \
      /usr/local/bin/npm /usr/local/bin/npx /usr/local/bin/corepack /usr/local/bin/yarn /usr/local/bin/yarnpkg
ENV NODE_ENV=production
WORKDIR /app
COPY package.json ./package.json
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist/src ./dist/src
COPY crds ./crds
COPY proto ./proto
# The bundled example mesh, for `docker run istiod-ts discovery --configDir examples/bookinfo`.
COPY examples ./examples
# istiod's uid/gid: matches runAsUser 1337 in deploy/ and the uid sidecars exclude from capture.
USER 1337:1337
# 8080 /ready and /debug, 15010 xDS, 15012 xDS + CA over TLS, 15014 /metrics, 15017 webhooks.
EXPOSE 8080 15010 15012 15014 15017
ENTRYPOINT ["/usr/bin/tini", "--", "node", "dist/src/main.js"]
CMD ["discovery"]
