# ShellCheck runs on RUN scripts with `bulkhead lint --shellcheck`.
FROM alpine:3.20
USER app
RUN for f in $(ls /etc/*.conf); do cp $f /tmp; done
