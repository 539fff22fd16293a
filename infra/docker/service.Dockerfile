# syntax=docker/dockerfile:1
# One recipe for the four services: `--build-arg SERVICE=<name> --build-arg PORT=<port>` picks
# which one runs (docker-compose.yml passes both). The image holds compiled JavaScript only, the
# production dependencies, and the operator CLI as `curation`.
#
# Dependencies are the whole pipeline's, not one service's: they are declared once in the root
# package.json (the workspaces declare none), so `npm ci --workspace services/<name>` installs
# nothing but the link (measured; see README "Run with Docker").

# Node as in .nvmrc and the `node` devDependency.
ARG NODE_IMAGE=node:24.21.0-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.base.json tsconfig.build.json ./
COPY libs libs
COPY services services
COPY scripts scripts
COPY infra/src infra/src
COPY patches patches
# No install scripts: the only dependency that needs one is the `node` devDependency (it fetches
# a Node binary for `npm run`; the image has its own); sharp and msgpackr load prebuilt packages.
# The root `postinstall` (patch-package) is skipped with them, so it runs here by hand. Tools run
# with the image's node, not through npx (whose PATH would find that devDependency).
RUN --mount=type=cache,target=/root/.npm \
    npm ci --no-audit --no-fund --ignore-scripts \
    && node node_modules/patch-package/index.js
RUN node node_modules/typescript/bin/tsc -b tsconfig.build.json \
    && npm prune --omit=dev --ignore-scripts --no-audit --no-fund
# /out is what the image gets: manifests and dist folders, no TypeScript and no declarations.
RUN set -eu; \
    mkdir -p /out/dist; \
    cp package.json /out/; \
    cp -a node_modules /out/; \
    for workspace in libs/* services/*; do \
      mkdir -p "/out/$workspace"; \
      cp "$workspace/package.json" "/out/$workspace/"; \
      cp -a "$workspace/dist" "/out/$workspace/"; \
    done; \
    cp -a dist/scripts dist/infra /out/dist/; \
    find /out/libs /out/services /out/dist \
      \( -name '*.d.ts' -o -name '*.d.ts.map' -o -name '*.tsbuildinfo' \) -delete; \
    if find /out/libs /out/services /out/dist -name '*.ts' | grep -q .; then \
      echo 'TypeScript left in the image' >&2; exit 1; \
    fi

FROM ${NODE_IMAGE}
ARG SERVICE
ARG PORT
RUN test -n "${SERVICE}" && test -n "${PORT}" \
    || { echo 'build with --build-arg SERVICE=<name> --build-arg PORT=<port>' >&2; exit 1; }
# SERVICE_PORT is the port the service listens on unless its own *_PORT variable says otherwise.
ENV NODE_ENV=production SERVICE=${SERVICE} SERVICE_PORT=${PORT} MALLOC_ARENA_MAX=2
WORKDIR /app
# Owned by root, read-only for the service's user.
COPY --from=build /out /app
COPY infra/docker/healthcheck.cjs /app/healthcheck.cjs
COPY --chmod=755 infra/docker/curation /usr/local/bin/curation
USER node
EXPOSE ${PORT}
HEALTHCHECK --interval=15s --timeout=5s --start-period=90s --retries=3 \
    CMD ["node", "/app/healthcheck.cjs"]
CMD ["sh", "-c", "exec node services/${SERVICE}/dist/main.js"]
