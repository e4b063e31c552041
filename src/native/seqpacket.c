/* The gVisor trace stage's part of the addon (seqpacket.c): a unix SOCK_SEQPACKET listener for runsc's "remote"
 * trace sink (gVisor pkg/sentry/seccheck/sinks/remote: the sink connects with SOCK_SEQPACKET, one message per
 * point, header + protobuf). Node's net module has no SOCK_SEQPACKET, so the addon makes, accepts and reads the
 * sockets; every call is non-blocking and runs on the caller's thread (watch polls them on a timer). What the
 * messages say is validated in JS (src/watch/gvisor-wire.ts): the sentry is not trusted. */
#define _GNU_SOURCE
#include "seqpacket.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

/* Receive buffer asked for each accepted connection: the sentry drops a point (and counts it in the next header)
 * when a write would block, so give bursts room between two polls. */
#define RCVBUF (4 * 1024 * 1024)

static napi_value throw_err(napi_env env, const char *what, int err) {
  char msg[256];
  snprintf(msg, sizeof msg, "%s: %s", what, strerror(err));
  napi_value code, text, error;
  napi_create_string_utf8(env, strerror(err), NAPI_AUTO_LENGTH, &code);
  napi_create_string_utf8(env, msg, NAPI_AUTO_LENGTH, &text);
  napi_create_error(env, NULL, text, &error);
  napi_set_named_property(env, error, "code", code);
  napi_throw(env, error);
  return NULL;
}

static int arg_int(napi_env env, napi_value v, int fallback) {
  int32_t out;
  return napi_get_value_int32(env, v, &out) == napi_ok ? out : fallback;
}

static napi_value num(napi_env env, double v) {
  napi_value out;
  napi_create_double(env, v, &out);
  return out;
}

/* seqpacketListen(path): a listening, non-blocking socket bound to path (an old socket file there is replaced),
 * mode 0600. Returns the fd. */
napi_value bh_seqpacket_listen(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 1) return throw_err(env, "seqpacketListen", EINVAL);
  struct sockaddr_un addr = {.sun_family = AF_UNIX};
  size_t len = 0;
  if (napi_get_value_string_utf8(env, argv[0], addr.sun_path, sizeof addr.sun_path, &len) != napi_ok ||
      len == 0 || len >= sizeof addr.sun_path - 1)
    return throw_err(env, "seqpacketListen: path empty or longer than a unix socket allows", ENAMETOOLONG);
  int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return throw_err(env, "socket(AF_UNIX, SOCK_SEQPACKET)", errno);
  struct stat st;
  if (lstat(addr.sun_path, &st) == 0 && S_ISSOCK(st.st_mode)) unlink(addr.sun_path);
  if (bind(fd, (struct sockaddr *)&addr, sizeof addr) != 0) {
    int err = errno;
    close(fd);
    return throw_err(env, "bind", err);
  }
  if (chmod(addr.sun_path, 0600) != 0 || listen(fd, 16) != 0) {
    int err = errno;
    close(fd);
    unlink(addr.sun_path);
    return throw_err(env, "listen", err);
  }
  return num(env, fd);
}

/* seqpacketAccept(fd): the next pending connection's fd (non-blocking, with a large receive buffer), or -1. */
napi_value bh_seqpacket_accept(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  int lfd = argc < 1 ? -1 : arg_int(env, argv[0], -1);
  int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
  if (fd < 0) {
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR || errno == ECONNABORTED) return num(env, -1);
    return throw_err(env, "accept", errno);
  }
  int size = RCVBUF;
  if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof size) != 0)
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
  return num(env, fd);
}

/* seqpacketRecv(fd, cap, max): up to max pending messages. Returns { messages: Buffer[], oversize: number[] (the
 * real lengths of messages longer than cap, discarded), eof: boolean }. */
napi_value bh_seqpacket_recv(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  int fd = argc < 1 ? -1 : arg_int(env, argv[0], -1);
  int cap = argc < 2 ? 65536 : arg_int(env, argv[1], 65536);
  int max = argc < 3 ? 256 : arg_int(env, argv[2], 256);
  if (cap < 1 || cap > (1 << 24) || max < 1) return throw_err(env, "seqpacketRecv", EINVAL);
  char *buf = malloc((size_t)cap);
  if (buf == NULL) return throw_err(env, "seqpacketRecv", ENOMEM);
  napi_value out, messages, oversize, eof;
  napi_create_object(env, &out);
  napi_create_array(env, &messages);
  napi_create_array(env, &oversize);
  int eof_seen = 0, n_msg = 0, n_over = 0, err = 0;
  for (int i = 0; i < max; i++) {
    /* MSG_TRUNC: the return value is the message's real length even when it did not fit */
    ssize_t got = recv(fd, buf, (size_t)cap, MSG_DONTWAIT | MSG_TRUNC);
    if (got < 0) {
      if (errno == EINTR) continue;
      if (errno != EAGAIN && errno != EWOULDBLOCK) err = errno;
      break;
    }
    if (got == 0) {
      eof_seen = 1;
      break;
    }
    if (got > cap) {
      napi_set_element(env, oversize, (uint32_t)n_over++, num(env, (double)got));
      continue;
    }
    napi_value b;
    void *data;
    if (napi_create_buffer_copy(env, (size_t)got, buf, &data, &b) == napi_ok)
      napi_set_element(env, messages, (uint32_t)n_msg++, b);
  }
  free(buf);
  if (err != 0 && n_msg == 0 && n_over == 0) {
    /* a reset connection ends like a closed one */
    if (err == ECONNRESET || err == ENOTCONN || err == EPIPE) eof_seen = 1;
    else return throw_err(env, "recv", err);
  }
  napi_get_boolean(env, eof_seen, &eof);
  napi_set_named_property(env, out, "messages", messages);
  napi_set_named_property(env, out, "oversize", oversize);
  napi_set_named_property(env, out, "eof", eof);
  return out;
}

/* seqpacketSend(fd, buffer): sends one message; returns the bytes sent, or -1 when it would block. */
napi_value bh_seqpacket_send(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  int fd = argc < 1 ? -1 : arg_int(env, argv[0], -1);
  void *data = NULL;
  size_t len = 0;
  if (argc < 2 || napi_get_buffer_info(env, argv[1], &data, &len) != napi_ok)
    return throw_err(env, "seqpacketSend", EINVAL);
  ssize_t sent = send(fd, data, len, MSG_DONTWAIT | MSG_NOSIGNAL);
  if (sent < 0) {
    if (errno == EAGAIN || errno == EWOULDBLOCK) return num(env, -1);
    return throw_err(env, "send", errno);
  }
  return num(env, (double)sent);
}

/* seqpacketConnect(path): a connected, blocking client socket (tests play the sentry's side with it). */
napi_value bh_seqpacket_connect(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  struct sockaddr_un addr = {.sun_family = AF_UNIX};
  size_t len = 0;
  if (argc < 1 || napi_get_value_string_utf8(env, argv[0], addr.sun_path, sizeof addr.sun_path, &len) != napi_ok ||
      len == 0 || len >= sizeof addr.sun_path - 1)
    return throw_err(env, "seqpacketConnect", ENAMETOOLONG);
  int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
  if (fd < 0) return throw_err(env, "socket(AF_UNIX, SOCK_SEQPACKET)", errno);
  if (connect(fd, (struct sockaddr *)&addr, sizeof addr) != 0) {
    int err = errno;
    close(fd);
    return throw_err(env, "connect", err);
  }
  return num(env, fd);
}
