# Build with dev dependencies, ship only the compiled output and production dependencies.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY capture ./capture
COPY sink ./sink
COPY shared ./shared
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
# Files stay root-owned: the unprivileged user can read but not modify the app.
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY bin ./bin
COPY config ./config
USER node
# The same V8 flag as bin/nilus.js's shebang (see there).
ENTRYPOINT ["node", "--single-threaded-gc", "bin/nilus.js"]
CMD ["--help"]
