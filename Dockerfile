# Gatehouse: build the TypeScript once, ship only the compiled output and production dependencies.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY plugins ./plugins
COPY bench ./bench
COPY test/helpers ./test/helpers
RUN npm ci && npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    GATEHOUSE_CONFIG=/etc/gatehouse/gatehouse.yaml \
    GATEHOUSE_SNAPSHOT=/var/lib/gatehouse/snapshot.json \
    GATEHOUSE_PROXY_LISTEN=0.0.0.0:8000 \
    GATEHOUSE_ADMIN_LISTEN=127.0.0.1:8001
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY config/gatehouse.yaml /etc/gatehouse/gatehouse.yaml
RUN ln -s /app/dist/src/main.js /usr/local/bin/gatehouse && chmod +x /app/dist/src/main.js \
    && mkdir -p /var/lib/gatehouse && chown node /var/lib/gatehouse
USER node
EXPOSE 8000 8443 8001
HEALTHCHECK --interval=10s --timeout=3s CMD node -e "fetch('http://127.0.0.1:8001/status/ready').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
STOPSIGNAL SIGTERM
ENTRYPOINT ["node", "/app/dist/src/main.js"]
CMD ["start"]
