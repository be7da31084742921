# syntax=docker/dockerfile:1
# istiod-ts image: build with the full toolchain, ship only the compiled daemon, its runtime
# dependencies and the data files it reads (CRD schemas for validation, protos it serves).

FROM node:20-bookworm-slim AS build
WORKDIR /app
# Dependencies first, so source edits do not invalidate the npm ci layer.
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
# Sources and data files (.dockerignore keeps out tests, local builds and git state).
COPY . .
# proto/ may hold no tracked file yet; make sure the runtime stage can copy it regardless.
RUN mkdir -p proto crds examples \
 && npm run build \
 && npm prune --omit=dev --no-audit --no-fund

FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist/src ./dist/src
COPY --from=build /app/crds ./crds
COPY --from=build /app/proto ./proto
# The bundled example mesh, for `docker run istiod-ts discovery --configDir examples/bookinfo`.
COPY --from=build /app/examples ./examples
# istiod's uid/gid: matches runAsUser 1337 in deploy/ and the uid sidecars exclude from capture.
USER 1337:1337
# 8080 /ready and /debug, 15010 xDS, 15012 xDS + CA over TLS, 15014 /metrics, 15017 webhooks.
EXPOSE 8080 15010 15012 15014 15017
ENTRYPOINT ["node", "dist/src/main.js"]
CMD ["discovery"]
