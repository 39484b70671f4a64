# Gatehouse: build the TypeScript once, ship only the compiled output and production dependencies.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
COPY scripts/bundle.mjs ./scripts/
# Scripts off: package.json's prepare would build before the sources are here; the build runs below.
RUN npm ci --ignore-scripts
# Only the product: tsconfig.build.json compiles src and plugins, never tests, fixtures or the bench;
# scripts/bundle.mjs then bundles that into dist/bundle, what runs.
COPY src ./src
COPY plugins ./plugins
RUN npm run build

# Production dependencies installed on their own (npm prune leaves dev packages' empty scope
# folders behind), in a layer that only a change of package.json or the lock file rebuilds.
FROM node:20-bookworm-slim AS production-dependencies
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts

FROM node:20-bookworm-slim
LABEL org.opencontainers.image.title="Gatehouse" \
      org.opencontainers.image.description="Self-hosted API gateway: a streaming proxy on Kong-compatible declarative config, with a plugin pipeline." \
      org.opencontainers.image.version="0.1.0" \
      org.opencontainers.image.licenses="Apache-2.0"
ENV NODE_ENV=production \
    GATEHOUSE_CONFIG=/etc/gatehouse/gatehouse.yaml \
    GATEHOUSE_SNAPSHOT=/var/lib/gatehouse/snapshot.json \
    GATEHOUSE_PROXY_LISTEN=0.0.0.0:8000 \
    GATEHOUSE_ADMIN_LISTEN=127.0.0.1:8001
# The runtime needs node alone: npm, npx, corepack and yarn are build tools, so they leave the final stage.
RUN rm -rf /usr/local/lib/node_modules /usr/local/bin/npm /usr/local/bin/npx /usr/local/bin/corepack \
           /usr/local/bin/yarn /usr/local/bin/yarnpkg /opt/yarn-*
WORKDIR /app
COPY --from=production-dependencies /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY docker/healthcheck.mjs ./
COPY config/gatehouse.yaml /etc/gatehouse/gatehouse.yaml
RUN ln -s /app/dist/bundle/main.js /usr/local/bin/gatehouse && chmod +x /app/dist/bundle/main.js \
    && mkdir -p /var/lib/gatehouse && chown node /var/lib/gatehouse
# The one folder the gateway writes (Redis mode's snapshot), so the root filesystem can be read-only.
VOLUME ["/var/lib/gatehouse"]
USER node
EXPOSE 8000 8443 8001
# /status/ready needs no admin token; the script finds the status or admin listener from the settings.
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 CMD ["node", "/app/healthcheck.mjs"]
# Node is PID 1 and the gateway handles SIGTERM and SIGINT itself (drain, then exit 0), and reaps
# its own workers, so no init process is needed in between.
STOPSIGNAL SIGTERM
ENTRYPOINT ["node", "/app/dist/bundle/main.js"]
CMD ["start"]
