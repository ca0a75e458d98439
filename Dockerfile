#
# The order engine image. One image serves every role; the command picks it:
#   npm run api      HTTP API (default CMD)
#   npm run worker   Temporal worker
#   npm run migrate  database migrations (one-shot)
#   npm run codec-server  the codec server the Temporal UI and CLI decode through
#
# TypeScript runs through tsx (a regular dependency) at runtime, so there is no
# tsc step. The only build product is the prebundled workflow code in
# .build/workflow-bundle.js, which the worker loads via WORKFLOW_BUNDLE_PATH.

FROM node:20-bookworm-slim AS base
WORKDIR /app
# ORDER_ENGINE_SKIP_TOOLS=1 makes the project's postinstall skip fetching the
# local-development tools (Temporal CLI): in containers Temporal and Postgres
# are separate services and the image never downloads their binaries.
# SCARF_ANALYTICS=false keeps the install-time telemetry of swagger-ui-dist's
# @scarf/scarf dependency off (package.json's allowScripts denies it too).
ENV ORDER_ENGINE_SKIP_TOOLS=1 \
    NPM_CONFIG_UPDATE_NOTIFIER=false \
    NPM_CONFIG_FUND=false \
    NPM_CONFIG_AUDIT=false \
    SCARF_ANALYTICS=false

# ---------------------------------------------------------------------------
# deps: what package-lock.json says, cached until the manifests change.
# Lifecycle scripts are deferred to the build stage (`npm rebuild`): only the two
# manifests are present here, so a root postinstall that runs a project file
# could not find it yet.
FROM base AS deps
COPY package.json package-lock.json ./
# `npm install` rather than `npm ci`: the lock file omits optional platform builds of
# @swc/core (the registry it was made against lacks them) and `npm ci` refuses that.
RUN npm install --ignore-scripts

# ---------------------------------------------------------------------------
# build: add the source, run the install scripts (dependencies' and the
# project's own, with ORDER_ENGINE_SKIP_TOOLS=1 still set), bundle the
# workflows, then drop devDependencies for the runtime image.
FROM deps AS build
COPY . .
RUN npm rebuild \
    && npm run build:workflows \
    && test -f .build/workflow-bundle.js \
    && npm prune --omit=dev

# ---------------------------------------------------------------------------
# runtime
FROM base AS runtime
ENV NODE_ENV=production
# Source, production node_modules and .build/ stay root-owned (read-only for the
# app); only the data directory is writable by the unprivileged `node` user.
COPY --from=build /app ./
RUN mkdir -p /app/.data && chown node:node /app/.data
USER node
EXPOSE 3000
CMD ["npm", "run", "api"]
