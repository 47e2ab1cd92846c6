# syntax=docker/dockerfile:1
# One image recipe for both apps: build target order-consumer (default) or order-producer.
#   docker build --target order-producer -t food-orders/order-producer .
# The consumer image also runs the one-shot migration: `node dist/apps/order-consumer/main.js migrate`.

FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# Fixes carried for dependencies (patches/, applied by npm's postinstall).
COPY patches ./patches
RUN npm ci --no-audit --no-fund
COPY nest-cli.json tsconfig.json tsconfig.build.json ./
COPY libs ./libs
COPY apps ./apps
# npm prune keeps dev packages that a production one names as an optional peer (TypeScript and ts-node
# for TypeORM's CLI, gRPC for Nest's other transports, type packages): neither app loads them (~32 MiB).
RUN npx nest build order-producer && npx nest build order-consumer \
 && npm prune --omit=dev --no-audit --no-fund \
 && rm -rf node_modules/typescript node_modules/ts-node node_modules/@types node_modules/@grpc

FROM node:24-bookworm-slim AS runtime
# A bounded V8 heap keeps each app inside its container memory limit (peak RSS measured at 200
# orders/s: producer 112 MiB; consumer 197 MiB draining a 200,000-order backlog; see docs/deployment.md).
ENV NODE_ENV=production NODE_OPTIONS="--max-old-space-size=128 --max-semi-space-size=4"
WORKDIR /app
COPY --from=build --chown=node:node /app/package.json ./
COPY --from=build --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/dist ./dist
COPY --chown=node:node docker/healthcheck.js ./docker/healthcheck.js
USER node
# Readiness, not liveness: the container is healthy once it can do its work (no curl needed).
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 CMD ["node", "docker/healthcheck.js"]
ENTRYPOINT ["node"]

FROM runtime AS order-producer
ENV HTTP_PORT=3001
EXPOSE 3001
CMD ["dist/apps/order-producer/main.js"]

FROM runtime AS order-consumer
ENV HTTP_PORT=3002
EXPOSE 3002
CMD ["dist/apps/order-consumer/main.js"]
