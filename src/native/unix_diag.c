/* unixSockets(nsPath): the unix sockets of one network namespace that carry a filesystem identity, by sock_diag
 * (NETLINK_SOCK_DIAG, SOCK_DIAG_BY_FAMILY with AF_UNIX, linux/unix_diag.h; the interface `ss -x` uses). A sock_diag
 * socket dumps the namespace it was created in, so a short-lived thread enters the namespace (setns(2) with
 * CLONE_NEWNET changes only the calling thread) and creates it there; the dump itself runs on the caller's thread.
 *
 * Kept: sockets with UNIX_DIAG_VFS, i.e. bound to a path, or accepted from a listener bound to one (the kernel's
 * unix_stream_connect copies the listener's path and its dentry into the new socket, which lives in the
 * connecting socket's namespace). For each: inode, type, state, peer inode (UNIX_DIAG_PEER: 0 when there is none or
 * the peer has no inode yet) and the socket file's device (as userspace dev_t, comparable with stat's st_dev) and
 * inode (the kernel reports only its low 32 bits), plus the bound path (UNIX_DIAG_NAME). */
#define _GNU_SOURCE
#include "unix_diag.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <linux/unix_diag.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/sysmacros.h>
#include <unistd.h>

/* Numbers per kept socket in the returned Float64Array (index.ts UNIX_FIELDS). */
#define UNIX_FIELDS 6

typedef struct {
  const char *path;
  int fd;
  int err;
  const char *step;
} ns_open_t;

static void *open_in_namespace(void *arg) {
  ns_open_t *a = arg;
  int ns = open(a->path, O_RDONLY | O_CLOEXEC);
  if (ns < 0) {
    a->err = errno;
    a->step = "open";
    return NULL;
  }
  if (setns(ns, CLONE_NEWNET) != 0) {
    a->err = errno;
    a->step = "setns";
    close(ns);
    return NULL;
  }
  close(ns);
  a->fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
  if (a->fd < 0) {
    a->err = errno;
    a->step = "socket(NETLINK_SOCK_DIAG)";
  }
  return NULL;
}

static napi_value fail(napi_env env, const char *what, const char *path, int err) {
  char msg[512];
  snprintf(msg, sizeof msg, "%s %s: %s", what, path, strerror(err));
  napi_throw_error(env, err == ENOENT ? "ENOENT" : NULL, msg);
  return NULL;
}

typedef struct {
  double *nums;
  size_t count, cap;
  char **names;
  size_t total;
} dump_t;

static int keep(dump_t *d, const struct unix_diag_msg *m, int len) {
  const struct unix_diag_vfs *vfs = NULL;
  uint32_t peer = 0;
  const char *name = NULL;
  int name_len = 0;
  struct rtattr *attr = (struct rtattr *)(m + 1);
  int rest = len - (int)NLMSG_ALIGN(sizeof *m);
  for (; RTA_OK(attr, rest); attr = RTA_NEXT(attr, rest)) {
    if (attr->rta_type == UNIX_DIAG_VFS && RTA_PAYLOAD(attr) >= sizeof *vfs) vfs = RTA_DATA(attr);
    else if (attr->rta_type == UNIX_DIAG_PEER && RTA_PAYLOAD(attr) >= sizeof peer)
      memcpy(&peer, RTA_DATA(attr), sizeof peer);
    else if (attr->rta_type == UNIX_DIAG_NAME) {
      name = RTA_DATA(attr);
      name_len = (int)RTA_PAYLOAD(attr);
    }
  }
  d->total += 1;
  if (vfs == NULL) return 0;
  if (d->count == d->cap) {
    size_t cap = d->cap == 0 ? 16 : d->cap * 2;
    double *nums = realloc(d->nums, cap * UNIX_FIELDS * sizeof *nums);
    char **names = realloc(d->names, cap * sizeof *names);
    if (nums != NULL) d->nums = nums;
    if (names != NULL) d->names = names;
    if (nums == NULL || names == NULL) return ENOMEM;
    d->cap = cap;
  }
  /* the kernel's s_dev is MKDEV(major, minor) = major << 20 | minor; stat(2) reports makedev(major, minor) */
  double *o = d->nums + d->count * UNIX_FIELDS;
  o[0] = m->udiag_ino;
  o[1] = m->udiag_type;
  o[2] = m->udiag_state;
  o[3] = peer;
  o[4] = (double)makedev(vfs->udiag_vfs_dev >> 20, vfs->udiag_vfs_dev & 0xfffff);
  o[5] = vfs->udiag_vfs_ino;
  /* an abstract name starts with NUL and has no VFS entry, so a kept name is a path (not NUL-terminated) */
  char *copy = malloc((size_t)name_len + 1);
  if (copy == NULL) return ENOMEM;
  if (name_len > 0) memcpy(copy, name, (size_t)name_len);
  copy[name_len] = '\0';
  d->names[d->count] = copy;
  d->count += 1;
  return 0;
}

/* Sends the dump request and reads every answer; returns 0 or an errno. */
static int dump_unix(int fd, dump_t *d) {
  struct {
    struct nlmsghdr nlh;
    struct unix_diag_req req;
  } request = {
      .nlh = {.nlmsg_len = sizeof request,
              .nlmsg_type = SOCK_DIAG_BY_FAMILY,
              .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP,
              .nlmsg_seq = 1},
      .req = {.sdiag_family = AF_UNIX,
              .udiag_states = 0xffffffff,
              .udiag_show = UDIAG_SHOW_NAME | UDIAG_SHOW_VFS | UDIAG_SHOW_PEER},
  };
  struct sockaddr_nl kernel = {.nl_family = AF_NETLINK};
  if (sendto(fd, &request, sizeof request, 0, (struct sockaddr *)&kernel, sizeof kernel) < 0) return errno;
  static __thread char buf[32768] __attribute__((aligned(NLMSG_ALIGNTO)));
  for (;;) {
    ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    if (n == 0) return EPROTO;
    int len = (int)n;
    for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, len); h = NLMSG_NEXT(h, len)) {
      if (h->nlmsg_type == NLMSG_DONE) return 0;
      if (h->nlmsg_type == NLMSG_ERROR) {
        const struct nlmsgerr *e = NLMSG_DATA(h);
        return e->error == 0 ? 0 : -e->error;
      }
      if (h->nlmsg_type != SOCK_DIAG_BY_FAMILY || h->nlmsg_len < NLMSG_LENGTH(sizeof(struct unix_diag_msg)))
        continue;
      int err = keep(d, NLMSG_DATA(h), (int)(h->nlmsg_len - NLMSG_HDRLEN));
      if (err != 0) return err;
    }
  }
}

static void free_dump(dump_t *d) {
  for (size_t i = 0; i < d->count; i += 1) free(d->names[i]);
  free(d->names);
  free(d->nums);
}

/* unixSockets(nsPath) -> [Float64Array of UNIX_FIELDS per kept socket, names[], total sockets in the namespace] */
napi_value bh_unix_sockets(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  char path[4096];
  size_t path_len = 0;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 1 ||
      napi_get_value_string_utf8(env, argv[0], path, sizeof path, &path_len) != napi_ok) {
    napi_throw_type_error(env, NULL, "unixSockets(nsPath): nsPath must be a string");
    return NULL;
  }
  ns_open_t open_args = {.path = path, .fd = -1, .err = 0, .step = NULL};
  pthread_t thread;
  int err = pthread_create(&thread, NULL, open_in_namespace, &open_args);
  if (err != 0) return fail(env, "sock_diag thread for", path, err);
  pthread_join(thread, NULL);
  if (open_args.fd < 0) return fail(env, open_args.step, path, open_args.err);
  dump_t d = {0};
  err = dump_unix(open_args.fd, &d);
  close(open_args.fd);
  if (err != 0) {
    free_dump(&d);
    return fail(env, "sock_diag dump of unix sockets in", path, err);
  }
  napi_value out, nums, names, total, buffer;
  void *data = NULL;
  size_t n = d.count * UNIX_FIELDS;
  napi_status st = napi_create_arraybuffer(env, n * sizeof(double), &data, &buffer);
  if (st == napi_ok && n > 0) memcpy(data, d.nums, n * sizeof(double));
  if (st == napi_ok) st = napi_create_typedarray(env, napi_float64_array, n, buffer, 0, &nums);
  if (st == napi_ok) st = napi_create_array_with_length(env, d.count, &names);
  for (size_t i = 0; st == napi_ok && i < d.count; i += 1) {
    napi_value s;
    st = napi_create_string_utf8(env, d.names[i], NAPI_AUTO_LENGTH, &s);
    if (st == napi_ok) st = napi_set_element(env, names, (uint32_t)i, s);
  }
  if (st == napi_ok) st = napi_create_double(env, (double)d.total, &total);
  if (st == napi_ok) st = napi_create_array_with_length(env, 3, &out);
  if (st == napi_ok) st = napi_set_element(env, out, 0, nums);
  if (st == napi_ok) st = napi_set_element(env, out, 1, names);
  if (st == napi_ok) st = napi_set_element(env, out, 2, total);
  free_dump(&d);
  if (st != napi_ok) {
    napi_throw_error(env, NULL, "unixSockets: could not build the result");
    return NULL;
  }
  return out;
}
