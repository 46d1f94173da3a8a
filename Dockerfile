# millstream service image (used by deploy/docker-compose.yml).
#   docker build -t millstream .
# Build stage: dev dependencies (TypeScript) to compile src/ into dist/.
FROM node:26.12.1-slim AS build
WORKDIR /app
# patches/ is applied to node_modules by npm ci's postinstall (patch-package).
COPY package.json package-lock.json ./
COPY patches ./patches
RUN npm ci
COPY tsconfig.json tsconfig.web.json ./
COPY src ./src
COPY web ./web
RUN npm run build

# Runtime stage: production dependencies, compiled code, SQL migrations and Avro schemas
# (dist/ finds db/ and schemas/ next to itself).
FROM node:26.12.1-slim
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
COPY patches ./patches
RUN npm ci --omit=dev && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY db ./db
COPY schemas ./schemas
# The dashboard's page and stylesheet (its scripts are in dist/web).
COPY web/static ./web/static
# Where deploy/ mounts the archive volume: a new volume takes this folder's owner.
RUN mkdir -p /var/lib/millstream/archive && chown node:node /var/lib/millstream/archive
USER node
EXPOSE 8080
# --max-semi-space-size: see src/cli.ts.
CMD ["node", "--max-semi-space-size=128", "dist/cli.js", "start"]
