# syntax=docker/dockerfile:1
# A Dockerfile that `bulkhead lint` accepts with no finding (with the example config's trusted registry).
FROM registry.example.com/library/golang:1.23@sha256:0000000000000000000000000000000000000000000000000000000000000000 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/root/.cache/go-build go build -o /out/app ./cmd/app

FROM registry.example.com/library/alpine:3.20@sha256:1111111111111111111111111111111111111111111111111111111111111111
RUN apk add --no-cache ca-certificates=20240705-r0 \
 && addgroup -S app && adduser -S -G app app
COPY --from=build --chown=app:app /out/app /usr/local/bin/app
USER app
HEALTHCHECK CMD ["/usr/local/bin/app", "healthcheck"]
ENTRYPOINT ["/usr/local/bin/app"]
