# syntax=docker/dockerfile:1
# An intentionally insecure Dockerfile: every security rule of `bulkhead lint` fires on it.
ARG BASE=alpine:3.20
FROM ${BASE} AS build
RUN apk add --no-cache curl \
 && curl -fsSL https://get.example.com/install.sh | sh
RUN wget --no-check-certificate -O /tmp/tool.tgz https://example.com/tool.tgz

FROM alpine:latest
ENV NODE_TLS_REJECT_UNAUTHORIZED=0 \
    DB_PASSWORD=hunter2
COPY id_rsa /root/.ssh/id_rsa
COPY --from=build /tmp/tool.tgz /opt/
RUN apk add --allow-untrusted /opt/tool.apk && chmod 777 /opt
RUN ln -sf /proc/self/exe /entrypoint
USER root
CMD /entrypoint
