# roma-ptc image: `roma serve` by default (also `roma ptc serve`, `roma worker`, any `roma` command).
# Stage 1 installs everything and builds dist/; stage 2 installs production dependencies only, as a non-root user.

FROM node:22-bookworm-slim AS build
WORKDIR /app
# better-sqlite3 builds from source when no prebuilt binary fits.
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
# Scripts run after the sources are in place (`prepare` builds dist/).
RUN npm ci --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm rebuild && npm run build

FROM node:22-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production ROMA_DATA_DIR=/data ROMA_SERVER_HOST=0.0.0.0
# bubblewrap and python3 for the process sandbox (ROMA_SANDBOX_PROVIDER=process; the container then needs
# user namespaces, e.g. `security_opt: [seccomp=unconfined]`); the default isolate sandbox needs neither.
COPY package.json package-lock.json ./
RUN apt-get update \
  && apt-get install -y --no-install-recommends bubblewrap python3 ca-certificates make g++ \
  && npm ci --omit=dev --ignore-scripts \
  && npm rebuild better-sqlite3 \
  && npm cache clean --force \
  && apt-get purge -y make g++ && apt-get autoremove -y \
  && rm -rf /var/lib/apt/lists/* \
  && mkdir -p /data && chown node:node /data
COPY --from=build /app/dist ./dist
COPY bin ./bin
COPY schemas ./schemas
COPY examples ./examples
COPY docker ./docker
USER node
EXPOSE 8000 8002
HEALTHCHECK --interval=10s --timeout=5s --start-period=10s --retries=6 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:8000/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["node", "bin/roma.js"]
CMD ["serve", "--host", "0.0.0.0", "--port", "8000"]
