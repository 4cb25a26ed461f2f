# One image for every Herald deployable; the gateway and each channel plugin differ by command
# (see docker-compose.yml). Multi-stage: build with dev dependencies, run without, as `node`.
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
COPY .ci/fix-lock.mjs .ci/
COPY contracts/package.json contracts/
COPY gateway/package.json gateway/
COPY plugins/alert/package.json plugins/alert/
COPY plugins/mail/package.json plugins/mail/
COPY plugins/slack/package.json plugins/slack/
COPY plugins/msteams/package.json plugins/msteams/
COPY plugins/webhooks/package.json plugins/webhooks/
COPY cli/package.json cli/
COPY console/package.json console/
RUN node .ci/fix-lock.mjs package-lock.json && npm ci --no-audit --no-fund
COPY . .
RUN npm run build && npm prune --omit=dev

FROM node:24-bookworm-slim
ENV NODE_ENV=production
# Every Herald process (the gateway, each plugin) runs with V8's young generation at 1 MB per
# semi-space instead of up to 16 MB: each process holds ~30-130 MB less under load, at a few more
# (cheap) scavenges. Not a heap cap; the old generation grows as needed. See test/bench/README.md
# "Memory". The npm scripts and the bench use the same flag.
ENV NODE_OPTIONS="--max-semi-space-size=1"
WORKDIR /app
COPY --from=build --chown=node:node /app /app
USER node
EXPOSE 8080 8081 8082
# The gateway (the default command) is the exception: every event of every channel passes through
# it, and at 1 MB semi-spaces it spent ~20 % more CPU per event on scavenges (test/bench/README.md,
# "Where the time goes"); the flag on its command line overrides NODE_OPTIONS. Its old generation
# may grow by 30 % of what survived the last full collection before the next one (V8 lets it grow
# by up to 4x): not a cap, a full collection sooner. Peak 212-235 instead of 332-386 MB over the
# bench's run, the same CPU per event (test/bench/README.md, "Tenth session").
CMD ["node", "--max-semi-space-size=16", "--heap-growing-percent=30", "gateway/dist/main.js"]
