/* bulkhead watch's event sources (N-API, C): a proc connector reader (NETLINK_CONNECTOR / CN_IDX_PROC,
 * Documentation/connector) and a fanotify permission-event loop (fanotify(7): FAN_CLASS_CONTENT,
 * FAN_OPEN_EXEC_PERM on container filesystems, FAN_OPEN_PERM on runtime binaries) answered on native threads
 * from in-memory tables that JS updates; events reach JS in batches through thread-safe functions, and a
 * watchdog drops the fanotify group (the kernel then allows pending events) when the verdict loop stalls. */
#define _GNU_SOURCE
#include <node_api.h>

#include "unix_diag.h"
#include "seqpacket.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/cn_proc.h>
#include <linux/connector.h>
#include <linux/netlink.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/fanotify.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

enum { K_FORK = 1, K_EXEC = 2, K_EXIT = 3, K_UID = 4, K_FAN_EXEC = 10, K_FAN_OPEN = 11, K_STALL = 20 };
/* negative reasons allow: R_CONTAINER a container's overlay exec seen on a host mark (its own mark judges it),
   R_INSTALLER a host file outside the allow-set run by the package manager that is installing it */
enum { R_INSTALLER = -2, R_CONTAINER = -1, R_NONE = 0, R_DRIFT = 1, R_PROFILE = 2, R_GUARD = 3 };

typedef struct {
  int kind, pid, tgid, ppid, ptgid, uid, tty, exit_code, verdict, reason, drift, in_profile, mark_id, setid;
  uint64_t ts_ns, dev, ino, verdict_ns;
  char comm[16];
  char *path, *cgroup, *cmdline, *filename, *parent, *invoked;
  int cmdline_len;
} rec_t;

typedef struct batch {
  rec_t *recs;
  int count, cap;
  struct batch *next;
} batch_t;

#define BATCH_MAX 512
/* verdict threads at most (see fan_loop) */
#define MAX_GATE_THREADS 4
/* Records a source holds for JS at most (about 5 s of a 3,000 execs/s stream): beyond it they are dropped and
   counted. The queue is the source's own list, not the thread-safe function's: with 1 ms batches a queue of N
   calls would hold only N small batches while the JS thread is busy. */
#define QUEUE_RECORDS 65536

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Reads a small /proc file into buf (NUL-terminated); returns the length or -1. */
static int read_small(const char *path, char *buf, int cap) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  int len = 0;
  while (len < cap - 1) {
    ssize_t n = read(fd, buf + len, (size_t)(cap - 1 - len));
    if (n <= 0) break;
    len += (int)n;
    /* a short read is the end: the /proc files read here produce their whole text in one read that has room for it
       (seq_file, cmdline), so the read that would return 0 is one system call per file saved */
    if (n < cap - 1 - (len - n)) break;
  }
  close(fd);
  buf[len] = 0;
  return len;
}

static char *dup_n(const char *s, int n) {
  char *d = malloc((size_t)n + 1);
  if (d == NULL) return NULL;
  memcpy(d, s, (size_t)n);
  d[n] = 0;
  return d;
}

/* comm, ppid and tty from /proc/<pid>/stat (after the comm's closing paren). */
static void read_pid_stat(int pid, rec_t *r) {
  char path[64], buf[512];
  snprintf(path, sizeof path, "/proc/%d/stat", pid);
  if (read_small(path, buf, 512) > 0) {
    char *close_paren = strrchr(buf, ')');
    char *open_paren = strchr(buf, '(');
    if (open_paren != NULL && close_paren != NULL && close_paren > open_paren) {
      int n = (int)(close_paren - open_paren - 1);
      if (n > 15) n = 15;
      memcpy(r->comm, open_paren + 1, (size_t)n);
      r->comm[n] = 0;
      int ppid = 0, pgrp = 0, session = 0, tty = 0;
      char state = 0;
      if (sscanf(close_paren + 1, " %c %d %d %d %d", &state, &ppid, &pgrp, &session, &tty) == 5) {
        r->ppid = ppid;
        r->tty = tty;
      }
    }
  }
}

/* uid of a process = owner of /proc/<pid>; then read_pid_stat, and the cmdline and cgroup when asked. */
static void read_pid_info(int pid, rec_t *r, int want_cmdline, int want_cgroup) {
  char path[64], buf[4096];
  struct stat st;
  snprintf(path, sizeof path, "/proc/%d", pid);
  r->uid = stat(path, &st) == 0 ? (int)st.st_uid : -1;
  read_pid_stat(pid, r);
  if (want_cmdline) {
    snprintf(path, sizeof path, "/proc/%d/cmdline", pid);
    int n = read_small(path, buf, 1024);
    if (n > 0) {
      r->cmdline = dup_n(buf, n);
      r->cmdline_len = n;
    }
  }
  if (want_cgroup) {
    snprintf(path, sizeof path, "/proc/%d/cgroup", pid);
    int n = read_small(path, buf, sizeof buf);
    if (n > 0) r->cgroup = dup_n(buf, n);
  }
}

/* The executable of a process (/proc/<pid>/exe) into r->path. */
static void read_exe(int pid, rec_t *r) {
  char path[64], link[PATH_MAX];
  snprintf(path, sizeof path, "/proc/%d/exe", pid);
  ssize_t n = readlink(path, link, sizeof link - 1);
  if (n > 0) r->path = dup_n(link, (int)n);
}

#if defined(__x86_64__)
#define NR_EXECVE 59
#define NR_EXECVEAT 322
#elif defined(__aarch64__)
#define NR_EXECVE 221
#define NR_EXECVEAT 281
#else
#define NR_EXECVE -1
#define NR_EXECVEAT -1
#endif

#define PAGE 4096ull
/* bytes from addr to the end of its page, at most cap: a remote read that stays inside one page is read whole or not
   at all (process_vm_readv stops at the first page it cannot read) */
static size_t in_page(uint64_t addr, size_t cap) {
  size_t room = (size_t)(PAGE - (addr & (PAGE - 1)));
  return room < cap ? room : cap;
}

/* Reads a NUL-terminated string at addr in the task's memory, page by page; returns its length or -1. */
static int read_remote_str(int pid, uint64_t addr, char *out, int cap) {
  if (cap < 1 || addr == 0) return -1;
  int len = 0, read_any = 0;
  while (len < cap - 1) {
    size_t want = in_page(addr + (uint64_t)len, (size_t)(cap - 1 - len));
    struct iovec local = {out + len, want}, remote = {(void *)(uintptr_t)(addr + (uint64_t)len), want};
    ssize_t n = process_vm_readv(pid, &local, 1, &remote, 1, 0);
    if (n <= 0) break;
    read_any = 1;
    size_t nul = strnlen(out + len, (size_t)n);
    len += (int)nul;
    if (nul < (size_t)n) break;
  }
  if (!read_any) return -1;
  out[len] = 0;
  return len;
}

static _Atomic uint64_t args_missed;
/* time the verdict thread waited for exec'ing tasks to go to sleep on their event (read_exec_args) */
static _Atomic uint64_t args_wait_ns;
/* the proc connector socket's receive buffer as the kernel set it (SO_RCVBUF reads twice the bytes asked for) */
static _Atomic int proc_rcvbuf;

static void tries_waited(uint64_t start) {
  uint64_t waited = now_ns() - start;
  atomic_fetch_add(&args_wait_ns, waited);
}
/* gated execs gone before their uid/ppid/tty could be read after the answer */
static _Atomic uint64_t info_missed;

/* The task is blocked inside execve(2) on our verdict, with its old memory still mapped: the syscall's
   arguments (/proc/<pid>/syscall) point at the filename and argv as the caller passed them. */
static void read_exec_args(int pid, rec_t *r) {
  char path[64], buf[512];
  snprintf(path, sizeof path, "/proc/%d/syscall", pid);
  /* the event can reach us before the task has finished going to sleep on it: the kernel then answers
     "running" (task_current_syscall's -EAGAIN). It is asleep within microseconds on an idle CPU, but a task
     preempted on a loaded machine stays "running" until it gets a CPU again: 20 ms was not always enough at
     load 13 (a /bin/true then went without its name, and its profile key became the busybox it links to).
     Give up well inside the watchdog's 2 s, and count it (counters().argsMissed). */
  uint64_t start = now_ns(), give_up = start + 250000000ull;
  for (int tries = 0;; tries++) {
    if (read_small(path, buf, sizeof buf) <= 0) {
      atomic_fetch_add(&args_missed, 1);
      return;
    }
    if (strncmp(buf, "running", 7) != 0) break;
    if (now_ns() > give_up) {
      atomic_fetch_add(&args_missed, 1);
      return;
    }
    /* sleep, not sched_yield: a SCHED_FIFO thread's yield never lets the (normal) exec'ing task run, and
       woken on the task's own CPU we are what keeps it from going to sleep. (Growing steps, 5-10-20... µs, to
       wake less often: 78 vs 56 µs per verdict in bench/watch/ab.ts, so short steps first.) */
    struct timespec ts = {0, tries < 10 ? 2000 : tries < 100 ? 20000 : 200000};
    nanosleep(&ts, NULL);
  }
  tries_waited(start);
  long nr = -1;
  unsigned long long a[6] = {0};
  if (sscanf(buf, "%ld %llx %llx %llx %llx %llx %llx", &nr, &a[0], &a[1], &a[2], &a[3], &a[4], &a[5]) < 4) return;
  uint64_t fname, argv;
  if (nr == NR_EXECVE) fname = a[0], argv = a[1];
  else if (nr == NR_EXECVEAT) fname = a[1], argv = a[2];
  else return;
  /* the filename and the argv pointers in one system call (each chunk inside its page), then every argument in
     one more, each in a slice of ARG_SLICE bytes; an argument longer than its slice, or on two pages, is read again
     alone (process_vm_readv: 2 calls for most execs, where open + preads + close of /proc/<pid>/mem took 5) */
  enum { ARG_SLICE = 256, MAX_ARGS = 64 };
  char str[PATH_MAX];
  uint64_t ptrs[MAX_ARGS];
  struct iovec local[MAX_ARGS], remote[MAX_ARGS];
  size_t fname_len = in_page(fname, sizeof str - 1);
  local[0] = (struct iovec){str, fname_len};
  remote[0] = (struct iovec){(void *)(uintptr_t)fname, fname_len};
  int nio = 1;
  size_t ptr_len = argv != 0 ? in_page(argv, sizeof ptrs) & ~(size_t)7 : 0;
  if (ptr_len > 0) {
    local[1] = (struct iovec){ptrs, ptr_len};
    remote[1] = (struct iovec){(void *)(uintptr_t)argv, ptr_len};
    nio = 2;
  }
  ssize_t got = fname != 0 ? process_vm_readv(pid, local, (unsigned long)nio, remote, (unsigned long)nio, 0) : -1;
  if (got < 0) return;
  if ((size_t)got >= fname_len) {
    size_t nul = strnlen(str, fname_len);
    int n = nul < fname_len ? (int)nul : read_remote_str(pid, fname, str, sizeof str);
    if (n >= 0) {
      str[n] = 0;
      r->filename = dup_n(str, n);
    }
  }
  int nptrs = (size_t)got > fname_len ? (int)(((size_t)got - fname_len) / 8) : 0;
  int count = 0;
  while (count < nptrs && ptrs[count] != 0) count++;
  if (count == nptrs && nptrs < MAX_ARGS && argv != 0 && (size_t)got >= fname_len) {
    /* no terminating NULL before the page ended: the rest of the array is on the next page */
    size_t rest = (MAX_ARGS - (size_t)nptrs) * 8;
    struct iovec l = {ptrs + nptrs, rest}, rm = {(void *)(uintptr_t)(argv + (uint64_t)nptrs * 8), rest};
    ssize_t m = process_vm_readv(pid, &l, 1, &rm, 1, 0);
    nptrs += m > 0 ? (int)(m / 8) : 0;
    while (count < nptrs && ptrs[count] != 0) count++;
  }
  static __thread char slices[MAX_ARGS][ARG_SLICE];
  for (int i = 0; i < count; i++) {
    size_t want = in_page(ptrs[i], ARG_SLICE);
    local[i] = (struct iovec){slices[i], want};
    remote[i] = (struct iovec){(void *)(uintptr_t)ptrs[i], want};
  }
  ssize_t read_args = count > 0 ? process_vm_readv(pid, local, (unsigned long)count, remote, (unsigned long)count, 0) : 0;
  char args[2048];
  int len = 0;
  size_t done = 0;
  for (int i = 0; i < count && len < (int)sizeof args - 1; i++) {
    size_t want = local[i].iov_len;
    size_t nul = read_args >= 0 && done + want <= (size_t)read_args ? strnlen(slices[i], want) : want;
    int m;
    if (nul < want) {
      m = (int)nul;
      if (m > (int)sizeof args - 1 - len) m = (int)sizeof args - 1 - len;
      memcpy(args + len, slices[i], (size_t)m);
    } else {
      /* longer than its slice, on two pages, or past a page the batch could not read */
      m = read_remote_str(pid, ptrs[i], args + len, (int)sizeof args - len);
      if (m < 0) break;
    }
    done += want;
    args[len + m] = 0;
    len += m + 1;
  }
  if (len > (int)sizeof args) len = (int)sizeof args;
  if (len > 0) {
    r->cmdline = dup_n(args, len);
    r->cmdline_len = len;
  }
}

/* Execs the gate has answered, by pid: the proc reader skips its /proc reads (cmdline, cgroup, stat) for an exec
   whose file the gate already reported with those facts, the bulk of its work at a few thousand execs/s. The
   check is the exec'd file's identity (stat of /proc/<pid>/exe against the gated dev/ino), so an exec the gate
   never saw (a volume, another filesystem) by the same pid is still read in full. Benign races: a torn entry only
   fails to match, and the exec is then read as before. */
#define GATED_SLOTS 8192
typedef struct {
  _Atomic int pid;
  _Atomic uint64_t dev[2], ino[2];
} gated_t;
static gated_t gated[GATED_SLOTS];
static _Atomic uint64_t proc_skipped;

static void gated_note(int pid, uint64_t dev, uint64_t ino) {
  gated_t *g = &gated[(unsigned)pid % GATED_SLOTS];
  if (atomic_load_explicit(&g->pid, memory_order_relaxed) == pid) {
    /* the same execve's second file (the dynamic loader, a script's interpreter): keep both */
    atomic_store_explicit(&g->dev[1], atomic_load_explicit(&g->dev[0], memory_order_relaxed), memory_order_relaxed);
    atomic_store_explicit(&g->ino[1], atomic_load_explicit(&g->ino[0], memory_order_relaxed), memory_order_relaxed);
  } else {
    atomic_store_explicit(&g->pid, 0, memory_order_release);
    atomic_store_explicit(&g->dev[1], 0, memory_order_relaxed);
    atomic_store_explicit(&g->ino[1], 0, memory_order_relaxed);
  }
  atomic_store_explicit(&g->dev[0], dev, memory_order_relaxed);
  atomic_store_explicit(&g->ino[0], ino, memory_order_relaxed);
  atomic_store_explicit(&g->pid, pid, memory_order_release);
}

/* Whether the gate answered pid's current executable (the exec the proc connector just reported). */
static int gated_exec(int pid) {
  gated_t *g = &gated[(unsigned)pid % GATED_SLOTS];
  if (atomic_load_explicit(&g->pid, memory_order_acquire) != pid) return 0;
  char path[64];
  struct stat st;
  snprintf(path, sizeof path, "/proc/%d/exe", pid);
  /* gone already: every /proc read would fail too, and the gate's record of its exec has what there was */
  if (stat(path, &st) != 0) return 1;
  for (int i = 0; i < 2; i++)
    if (atomic_load_explicit(&g->dev[i], memory_order_relaxed) == (uint64_t)st.st_dev &&
        atomic_load_explicit(&g->ino[i], memory_order_relaxed) == (uint64_t)st.st_ino)
      return atomic_load_explicit(&g->pid, memory_order_acquire) == pid;
  return 0;
}

/* ---------- proc connector ---------- */

/* Decodes one netlink message carrying a proc_event; returns 1 for a kind bulkhead uses, 0 otherwise. */
static int decode_proc(const void *data, size_t len, rec_t *r) {
  const struct nlmsghdr *nlh = data;
  if (len < sizeof *nlh || nlh->nlmsg_len > len || nlh->nlmsg_len < NLMSG_LENGTH(sizeof(struct cn_msg)))
    return 0;
  if (nlh->nlmsg_type == NLMSG_NOOP || nlh->nlmsg_type == NLMSG_ERROR) return 0;
  const struct cn_msg *cn = NLMSG_DATA(nlh);
  if (cn->id.idx != CN_IDX_PROC || cn->id.val != CN_VAL_PROC) return 0;
  if (NLMSG_LENGTH(sizeof *cn + cn->len) > nlh->nlmsg_len) return 0;
  if (cn->len < offsetof(struct proc_event, event_data)) return 0;
  const struct proc_event *ev = (const struct proc_event *)cn->data;
  memset(r, 0, sizeof *r);
  r->ts_ns = ev->timestamp_ns;
  r->uid = -1;
  r->mark_id = -1;
  r->in_profile = -1;
  switch (ev->what) {
    case PROC_EVENT_FORK:
      if (cn->len < offsetof(struct proc_event, event_data) + sizeof ev->event_data.fork) return 0;
      r->kind = K_FORK;
      r->ppid = ev->event_data.fork.parent_pid;
      r->ptgid = ev->event_data.fork.parent_tgid;
      r->pid = ev->event_data.fork.child_pid;
      r->tgid = ev->event_data.fork.child_tgid;
      return 1;
    case PROC_EVENT_EXEC:
      if (cn->len < offsetof(struct proc_event, event_data) + sizeof ev->event_data.exec) return 0;
      r->kind = K_EXEC;
      r->pid = ev->event_data.exec.process_pid;
      r->tgid = ev->event_data.exec.process_tgid;
      return 1;
    case PROC_EVENT_EXIT:
      if (cn->len < offsetof(struct proc_event, event_data) + sizeof ev->event_data.exit) return 0;
      r->kind = K_EXIT;
      r->pid = ev->event_data.exit.process_pid;
      r->tgid = ev->event_data.exit.process_tgid;
      r->exit_code = (int)ev->event_data.exit.exit_code;
      r->ppid = ev->event_data.exit.parent_pid;
      r->ptgid = ev->event_data.exit.parent_tgid;
      return 1;
    case PROC_EVENT_UID:
      if (cn->len < offsetof(struct proc_event, event_data) + sizeof ev->event_data.id) return 0;
      r->kind = K_UID;
      r->pid = ev->event_data.id.process_pid;
      r->tgid = ev->event_data.id.process_tgid;
      r->uid = (int)ev->event_data.id.e.euid;
      return 1;
    default:
      return 0;
  }
}

typedef struct {
  pthread_t thread;
  /* more threads of the same loop (the gate's verdict threads), joined with it */
  pthread_t extra[MAX_GATE_THREADS];
  int nextra;
  int running, sock, wake[2];
  napi_threadsafe_function tsfn;
  _Atomic uint64_t events, overflows, drops;
  /* batches waiting for JS, oldest first; `signaled`: a call to JS is pending and will take them all */
  pthread_mutex_t qlock;
  batch_t *qhead, *qtail;
  int qcount, signaled;
  intptr_t gen; /* start count: a call left over from a stopped run must not take the next run's records */
} source_t;

static source_t proc_src = {.qlock = PTHREAD_MUTEX_INITIALIZER};
/* host mode: the proc reader also records /proc/<pid>/exe of each exec (container-only mode does not pay for it) */
static _Atomic int proc_want_exe;

static void free_batch(batch_t *b) {
  for (int i = 0; i < b->count; i++) {
    free(b->recs[i].path);
    free(b->recs[i].cgroup);
    free(b->recs[i].cmdline);
    free(b->recs[i].filename);
    free(b->recs[i].parent);
    free(b->recs[i].invoked);
  }
  free(b->recs);
  free(b);
}

/* Queues a batch for JS without blocking and wakes JS unless a wake-up is already pending (that call drains
   everything queued by then); a full queue counts as a drop. */
static void flush_batch(source_t *src, batch_t **bp) {
  batch_t *b = *bp;
  if (b == NULL || b->count == 0) return;
  *bp = NULL;
  b->next = NULL;
  pthread_mutex_lock(&src->qlock);
  if (src->qcount + b->count > QUEUE_RECORDS) {
    pthread_mutex_unlock(&src->qlock);
    atomic_fetch_add(&src->drops, (uint64_t)b->count);
    free_batch(b);
    return;
  }
  if (src->qtail != NULL) src->qtail->next = b;
  else src->qhead = b;
  src->qtail = b;
  src->qcount += b->count;
  int wake = !src->signaled;
  src->signaled = 1;
  pthread_mutex_unlock(&src->qlock);
  if (wake && napi_call_threadsafe_function(src->tsfn, src, napi_tsfn_nonblocking) != napi_ok) {
    /* closing: the next flush tries again, start_source frees what is left */
    pthread_mutex_lock(&src->qlock);
    src->signaled = 0;
    pthread_mutex_unlock(&src->qlock);
  }
}

/* Takes every queued batch (the caller frees them). */
static batch_t *take_queue(source_t *src, int *count) {
  pthread_mutex_lock(&src->qlock);
  batch_t *list = src->qhead;
  *count = src->qcount;
  src->qhead = src->qtail = NULL;
  src->qcount = 0;
  src->signaled = 0;
  pthread_mutex_unlock(&src->qlock);
  return list;
}

static void free_list(batch_t *list) {
  while (list != NULL) {
    batch_t *next = list->next;
    free_batch(list);
    list = next;
  }
}

/* The slot for the next record of *bp (a new batch when NULL). A batch grows from 32 records as it fills: with
   a flush every millisecond most batches hold a few records, and a full BATCH_MAX allocation each time cost
   the reader a 72 KB calloc per batch. */
static rec_t *next_rec(batch_t **bp) {
  if (*bp == NULL) {
    *bp = calloc(1, sizeof(batch_t));
    if (*bp == NULL) return NULL;
  }
  batch_t *b = *bp;
  if (b->count == b->cap) {
    int cap = b->cap == 0 ? 32 : b->cap * 2;
    if (cap > BATCH_MAX) cap = BATCH_MAX;
    rec_t *recs = realloc(b->recs, (size_t)cap * sizeof(rec_t));
    if (recs == NULL) return NULL;
    b->recs = recs;
    b->cap = cap;
  }
  return &b->recs[b->count];
}

static int proc_listen(int sock, int op) {
  struct {
    struct nlmsghdr nl;
    struct cn_msg cn;
    int op;
  } __attribute__((packed)) msg;
  memset(&msg, 0, sizeof msg);
  msg.nl.nlmsg_len = sizeof msg;
  msg.nl.nlmsg_pid = (unsigned)getpid();
  msg.nl.nlmsg_type = NLMSG_DONE;
  msg.cn.id.idx = CN_IDX_PROC;
  msg.cn.id.val = CN_VAL_PROC;
  msg.cn.len = sizeof(int);
  msg.op = op;
  return send(sock, &msg, sizeof msg, 0) < 0 ? -1 : 0;
}

/* A batch goes to JS when it is full or FLUSH_NS after its first record, whichever comes first: under a steady
   stream poll() never times out, so waiting for a quiet moment would hold records until BATCH_MAX (hundreds of
   ms at a few thousand execs/s). */
#define FLUSH_NS 1000000ull
/* A proc batch holding only what JS keeps the process tree with (forks, exits, host execs) stores no row: it goes
   after TREE_FLUSH_NS, so a steady exec stream wakes JS for the gate's batches and not also for these (the gate's
   record carries each gated exec's parent; a fork record is waited for only by an exec whose task was gone before
   its ppid could be read). An exec that makes a row (a container's, or any in --host mode) brings it to FLUSH_NS. */
#define TREE_FLUSH_NS 5000000ull

/* poll() timeout for a source holding a batch due at due_ns: the time left to its flush (ms, rounded up). */
static int flush_timeout(const batch_t *batch, uint64_t due) {
  /* an empty batch (only skipped records so far) has nothing due: a 0 timeout here would spin the idle reader */
  if (batch == NULL || batch->count == 0) return 500;
  uint64_t now = now_ns();
  if (now >= due) return 0;
  return (int)((due - now + 999999ull) / 1000000ull);
}

#define PROC_VLEN 64

static int has_container_id(const char *cgroup);

/* An exec the gate did not answer: its facts from /proc, the most perishable that is used first. A task that exits loses its
   argv at once (its memory goes; /proc/<pid>/cmdline of the zombie is empty) but keeps its cgroup and stat until
   its parent reaps it: a short `ls` read ~9 ms late at load 12 still had a cgroup and uid, not its argv. A host
   process's argv and stat do not go to JS in container-only mode (nothing uses them). Returns 1 when JS stores a
   row for the exec (a container's, one whose cgroup could not be read, or any in --host mode), 0 for a host
   process's exec in container-only mode (JS only keeps the process tree with it). */
static int read_exec_facts(rec_t *r) {
  char path[64], buf[4096];
  int want_exe = atomic_load(&proc_want_exe);
  int n;
  if (!want_exe) {
    /* container-only mode: the cgroup first, and argv only for a container's process (reading argv takes the
       exec'ing task's mm lock; a host process's argv is not used) */
    snprintf(path, sizeof path, "/proc/%d/cgroup", r->pid);
    n = read_small(path, buf, sizeof buf);
    if (n > 0) r->cgroup = dup_n(buf, n);
    if (r->cgroup != NULL && !has_container_id(r->cgroup)) return 0;
  }
  snprintf(path, sizeof path, "/proc/%d/cmdline", r->pid);
  n = read_small(path, buf, 1024);
  if (n > 0) {
    r->cmdline = dup_n(buf, n);
    r->cmdline_len = n;
  }
  if (want_exe) {
    snprintf(path, sizeof path, "/proc/%d/cgroup", r->pid);
    n = read_small(path, buf, sizeof buf);
    if (n > 0) r->cgroup = dup_n(buf, n);
  }
  read_pid_info(r->pid, r, 0, 0);
  if (want_exe) read_exe(r->pid, r);
  return 1;
}

/* While events keep coming the reader drains the socket once per window instead of being woken by each one;
   an idle reader waits on the socket as before. The window bounds how late the exec-time /proc reads of an exec the
   gate did not answer can start (a short `ls` lives ~1 ms). BULKHEAD_WATCH_PROC_WINDOW_US (0 = woken by every
   event) is for A/B benchmarks. */
#define PROC_WINDOW_NS 500000ull

static uint64_t proc_window_ns(void) {
  const char *env = getenv("BULKHEAD_WATCH_PROC_WINDOW_US");
  if (env == NULL || *env == 0) return PROC_WINDOW_NS;
  long us = strtol(env, NULL, 10);
  return us <= 0 ? 0 : us > 100000 ? 100000000ull : (uint64_t)us * 1000ull;
}

static void *proc_loop(void *arg) {
  source_t *src = arg;
  batch_t *batch = NULL;
  uint64_t due_ns = 0;
  static char bufs[PROC_VLEN][512] __attribute__((aligned(8)));
  struct mmsghdr msgs[PROC_VLEN];
  struct iovec iov[PROC_VLEN];
  pthread_setname_np(pthread_self(), "bh-proc");
  /* the exec-time /proc reads race the task's exit (a short `ls` is gone in ~1 ms): on a loaded machine a woken
     normal thread can wait that long for a CPU, so the reader takes nice -20 (not real-time: its work follows the
     host's whole fork/exec rate) */
  if (getenv("BULKHEAD_WATCH_GATE_SCHED") == NULL || strcmp(getenv("BULKHEAD_WATCH_GATE_SCHED"), "normal") != 0)
    setpriority(PRIO_PROCESS, (id_t)gettid(), -20);
  struct pollfd fds[2] = {{.fd = src->sock, .events = POLLIN}, {.fd = src->wake[0], .events = POLLIN}};
  uint64_t window_ns = proc_window_ns();
  int busy = 0;
  while (src->running) {
    int n;
    if (busy) {
      /* events came in the last window: sleep through the next one instead of waiting on the socket, so the
         forking, exec'ing and exiting tasks wake nobody (each wake-up of this thread cost the exec'ing task ~25 µs
         on this VM: 3 per fork+exec+exit, +80 µs per host exec, bench/results/watch.md) */
      struct timespec ts = {0, (long)window_ns};
      nanosleep(&ts, NULL);
      n = 1;
    } else {
      n = poll(fds, 2, flush_timeout(batch, due_ns));
      if (n < 0) continue;
      if (n > 0 && fds[1].revents) break;
    }
    int drained = 0;
    /* one proc event per datagram: take up to PROC_VLEN per system call */
    for (int got = n > 0 ? PROC_VLEN : 0; got == PROC_VLEN;) {
      for (int i = 0; i < PROC_VLEN; i++) {
        iov[i] = (struct iovec){.iov_base = bufs[i], .iov_len = sizeof bufs[i]};
        msgs[i] = (struct mmsghdr){.msg_hdr = {.msg_iov = &iov[i], .msg_iovlen = 1}};
      }
      got = recvmmsg(src->sock, msgs, PROC_VLEN, MSG_DONTWAIT, NULL);
      if (got < 0) {
        if (errno == ENOBUFS) {
          atomic_fetch_add(&src->overflows, 1);
          got = PROC_VLEN;
        }
        continue;
      }
      drained += got;
      for (int i = 0; i < got; i++) {
        size_t len = msgs[i].msg_len;
        for (struct nlmsghdr *nlh = (struct nlmsghdr *)bufs[i]; NLMSG_OK(nlh, len); nlh = NLMSG_NEXT(nlh, len)) {
          /* the batch's clock starts with its first kept record (a skipped record leaves its slot free) */
          if (batch == NULL || batch->count == 0) due_ns = now_ns() + TREE_FLUSH_NS;
          rec_t *r = next_rec(&batch);
          if (r == NULL) {
            atomic_fetch_add(&src->drops, 1);
            continue;
          }
          if (!decode_proc(nlh, nlh->nlmsg_len, r)) continue;
          atomic_fetch_add(&src->events, 1);
          /* a thread's fork and exit say nothing about the process tree (JS tracks thread-group leaders) */
          if ((r->kind == K_FORK || r->kind == K_EXIT) && r->pid != r->tgid) continue;
          /* read the short-lived process's facts now, microseconds after the exec, not later in JS */
          if (r->kind == K_EXEC && r->pid == r->tgid) {
            if (gated_exec(r->pid)) {
              /* the gate's record of this exec carries its facts and JS attributes it by the mark: this record
                 would tell JS nothing (its slot is reused) */
              atomic_fetch_add(&proc_skipped, 1);
              continue;
            }
            if (read_exec_facts(r)) {
              uint64_t soon = now_ns() + FLUSH_NS;
              if (soon < due_ns) due_ns = soon;
            }
          }
          batch->count++;
          if (batch->count == BATCH_MAX) flush_batch(src, &batch);
        }
      }
      if (batch != NULL && now_ns() >= due_ns) flush_batch(src, &batch);
    }
    if (batch != NULL && now_ns() >= due_ns) flush_batch(src, &batch);
    busy = window_ns > 0 && drained > 0;
  }
  flush_batch(src, &batch);
  return NULL;
}

/* ---------- fanotify ---------- */

typedef struct {
  char **slots;
  size_t cap, count;
} strset_t;

static uint64_t hash_str(const char *s) {
  uint64_t h = 1469598103934665603ull;
  while (*s) h = (h ^ (unsigned char)*s++) * 1099511628211ull;
  return h;
}

static void strset_free(strset_t *set) {
  if (set == NULL) return;
  for (size_t i = 0; i < set->cap; i++) free(set->slots[i]);
  free(set->slots);
  free(set);
}

static int strset_has(const strset_t *set, const char *s) {
  for (size_t i = hash_str(s) & (set->cap - 1);; i = (i + 1) & (set->cap - 1)) {
    if (set->slots[i] == NULL) return 0;
    if (strcmp(set->slots[i], s) == 0) return 1;
  }
}

typedef struct {
  int id, in_use, enforce; /* 0 observe, 1 deny (EPERM), 2 kill (SIGKILL while the exec is still blocked) */
  int host; /* a host filesystem (watch --host): allow-set keys are "path\tino\tctime", container execs pass */
  char merged[PATH_MAX], upper[PATH_MAX];
  uint64_t dev; /* the overlay's superblock: one per container */
  strset_t *allow; /* NULL: no profile in force */
} mark_t;

typedef struct {
  uint64_t dev, ino;
  char path[PATH_MAX];
} guard_t;

#define MAX_MARKS 256
#define MAX_INSTALLERS 8
#define MAX_GUARDS 64

/* Verdict threads: one by default. BULKHEAD_WATCH_GATE_THREADS=N (N <= CPUs <= MAX_GATE_THREADS) runs one per
   CPU, each pinned to its CPU and all waiting on the one fanotify fd, so the thread on the exec'ing task's own CPU
   takes the event without a cross-CPU wake-up (on this VM ~45 µs each way when the other CPU is idle: a pipe round
   trip between threads on two CPUs p50 92 µs, on one CPU 2.5 µs). A minimal gate gained from it (+55-65 -> +20-30
   µs per exec), the watcher did not: in 5 interleaved rounds exec p50 959 vs 956 µs with one thread, and every
   event wakes every thread, +48 µs of CPU per exec (bench/results/watch.md). Kept for A/B on other machines. */

static struct {
  source_t src;
  pthread_t watchdog;
  /* marks, guards and allow-sets: read by the verdict threads, changed by JS */
  pthread_rwlock_t lock;
  /* the shared batch, appended in the order the events were read (one task's loader open follows its execve's
     verdict): a verdict thread appends its record when the ticket before it has been appended */
  pthread_mutex_t order;
  pthread_cond_t turn;
  uint64_t next_ticket, next_append, first_ns;
  batch_t *batch;
  int nthreads;
  pthread_t threads[MAX_GATE_THREADS];
  _Atomic uint64_t thread_busy_since[MAX_GATE_THREADS];
  mark_t marks[MAX_MARKS];
  guard_t guards[MAX_GUARDS];
  /* the host's package managers (dpkg, rpm), by device and inode: see run_by_installer */
  struct {
    uint64_t dev, ino;
  } installers[MAX_INSTALLERS];
  int nguards, ninstallers, devnull, watchdog_ms;
  int defer_info; /* 1: answer first, read pid info after (BULKHEAD_WATCH_GATE_INFO=before turns it off, for A/B) */
  _Atomic int fd;
  _Atomic int fired, test_delay_ms;
  _Atomic uint64_t stalls, denied, verdicts, verdict_ns_total, verdict_ns_max;
} fan = {.src = {.qlock = PTHREAD_MUTEX_INITIALIZER},
         .lock = PTHREAD_RWLOCK_INITIALIZER,
         .order = PTHREAD_MUTEX_INITIALIZER,
         .turn = PTHREAD_COND_INITIALIZER,
         .fd = -1};

static int has_container_id(const char *cgroup) {
  /* every cgroup path form a container runtime writes (docker/<id>, docker-<id>.scope, cri-containerd-<id>,
     kubepods .../<id>) carries the 64-hex container id; the host's own cgroups never do */
  int run = 0;
  for (const char *p = cgroup; *p; p++) {
    run = isxdigit((unsigned char)*p) && !isupper((unsigned char)*p) ? run + 1 : 0;
    if (run == 64 && !isxdigit((unsigned char)p[1])) return 1;
  }
  return 0;
}

/* Whether the exec'ing task, or one of its nearest ancestors, runs a package manager: a maintainer script that runs
   the binary its package has just unpacked (dpkg configures right after it unpacks) would otherwise be denied before
   watch re-reads the package database, failing the upgrade. The task still runs its pre-exec image (the script's
   shell, or dpkg itself). Only root runs a package manager; JS judges the exec again once it has re-read. */
static int run_by_installer(int pid) {
  if (fan.ninstallers == 0) return 0;
  char path[64];
  for (int depth = 0; depth < 6 && pid > 1; depth++) {
    struct stat st;
    snprintf(path, sizeof path, "/proc/%d/exe", pid);
    if (stat(path, &st) == 0)
      for (int i = 0; i < fan.ninstallers; i++)
        if (fan.installers[i].dev == (uint64_t)st.st_dev && fan.installers[i].ino == (uint64_t)st.st_ino) return 1;
    rec_t parent = {.ppid = 0};
    read_pid_stat(pid, &parent);
    pid = parent.ppid; /* 0 when gone: the walk ends */
  }
  return 0;
}

static int exe_is_trusted(int pid) {
  char path[64], link[PATH_MAX];
  struct stat st;
  snprintf(path, sizeof path, "/proc/%d/exe", pid);
  if (stat(path, &st) == 0) {
    for (int i = 0; i < fan.nguards; i++)
      if (fan.guards[i].dev == (uint64_t)st.st_dev && fan.guards[i].ino == (uint64_t)st.st_ino) return 1;
  }
  /* runc 1.1 re-executes itself from a sealed memfd copy (its CVE-2019-5736 fix) */
  ssize_t n = readlink(path, link, sizeof link - 1);
  if (n > 0) {
    link[n] = 0;
    if (strncmp(link, "/memfd:runc_cloned", 18) == 0) return 1;
  }
  return 0;
}

/* The path a profile lists an exec under: the filename given to execve; for a re-exec through /proc
   (/proc/self/exe, fexecve's /proc/self/fd/N) or an empty name, argv[0] next to the file (busybox applets
   re-exec themselves this way); else the file. argv[0] cannot name another file, only another name for it. */
static char *invoked_path(const char *filename, const char *argv, const char *file) {
  if (filename != NULL && filename[0] == '/' && strncmp(filename, "/proc/", 6) != 0 && strncmp(filename, "/dev/fd/", 8) != 0)
    return strdup(filename);
  if (argv != NULL && argv[0] != 0 && strchr(argv, '/') == NULL) {
    const char *slash = strrchr(file, '/');
    size_t dir = slash == NULL ? 0 : (size_t)(slash - file);
    char *out = malloc(dir + strlen(argv) + 2);
    if (out == NULL) return NULL;
    memcpy(out, file, dir);
    out[dir] = '/';
    strcpy(out + dir + 1, argv);
    return out;
  }
  return strdup(file);
}

/* Decides one permission event; fills r and returns FAN_ALLOW or FAN_DENY. Called with fan.lock held (read). Only what
   the verdict or the record can get nowhere else is read before the answer: the file (the event fd: path, dev/ino,
   mode), its container (the mark whose overlay st_dev it is), drift (the UpperDir inode), and the name and argv
   the caller gave execve, which /proc/<pid>/syscall and mem hold only while the task sleeps on this verdict (the
   profile key: busybox's /bin/true and /bin/tail are one file); also the image the task runs before the exec
   (the parent executable). *defer = 1: read_pid_info (uid, ppid, tty) after the answer (finish_exec). */
static int decide(const struct fanotify_event_metadata *m, rec_t *r, int *defer) {
  char fdpath[64], path[PATH_MAX];
  struct stat st;
  memset(r, 0, sizeof *r);
  *defer = 0;
  r->ts_ns = now_ns();
  r->pid = r->tgid = m->pid;
  r->uid = -1;
  r->mark_id = -1;
  r->in_profile = -1;
  snprintf(fdpath, sizeof fdpath, "/proc/self/fd/%d", m->fd);
  ssize_t n = readlink(fdpath, path, sizeof path - 1);
  if (n < 0) n = 0;
  path[n] = 0;
  if (fstat(m->fd, &st) == 0) {
    r->dev = (uint64_t)st.st_dev;
    r->ino = (uint64_t)st.st_ino;
    r->setid = (st.st_mode & (S_ISUID | S_ISGID)) != 0;
  }
  if (m->mask & FAN_OPEN_EXEC_PERM) {
    r->kind = K_FAN_EXEC;
    mark_t *mk = NULL;
    for (int i = 0; i < MAX_MARKS && mk == NULL; i++)
      if (fan.marks[i].in_use && fan.marks[i].dev == r->dev) mk = &fan.marks[i];
    if (mk != NULL && !mk->host) {
      /* the event file belongs to the container's mount namespace: its path is already container-relative */
      const char *rel = path;
      char upper[PATH_MAX * 2];
      struct stat ust;
      snprintf(upper, sizeof upper, "%s%s", mk->upper, rel);
      r->mark_id = mk->id;
      r->drift = mk->upper[0] != 0 && lstat(upper, &ust) == 0 && (uint64_t)ust.st_ino == r->ino;
    }
    /* after the fd work the task has usually gone to sleep on the event: read_exec_args rarely waits */
    read_exec_args(m->pid, r);
    /* before the exec completes the task still runs its parent's image: that is the parent executable */
    char exe_link[64], parent[PATH_MAX];
    snprintf(exe_link, sizeof exe_link, "/proc/%d/exe", m->pid);
    ssize_t pn = readlink(exe_link, parent, sizeof parent - 1);
    if (pn > 0) r->parent = dup_n(parent, (int)pn);
    if (mk != NULL && mk->host) {
      r->mark_id = mk->id;
      r->path = strdup(path);
      read_pid_info(m->pid, r, 0, 1);
      /* an overlay exec inside a container reaches the host filesystem too: the container's watch judges it */
      if (r->cgroup != NULL && has_container_id(r->cgroup)) {
        r->reason = R_CONTAINER;
        return FAN_ALLOW;
      }
      char key[PATH_MAX + 64];
      snprintf(key, sizeof key, "%s\t%llu\t%lld.%09ld", path, (unsigned long long)st.st_ino,
               (long long)st.st_ctim.tv_sec, (long)st.st_ctim.tv_nsec);
      r->in_profile = mk->allow == NULL ? -1 : strset_has(mk->allow, key);
      if (mk->enforce && r->in_profile == 0) r->reason = run_by_installer(m->pid) ? R_INSTALLER : R_PROFILE;
    } else if (mk != NULL) {
      if (fan.defer_info) {
        /* the uid now (one stat): a setuid exec changes the owner of /proc/<pid> */
        char proc[64];
        struct stat pst;
        snprintf(proc, sizeof proc, "/proc/%d", m->pid);
        if (stat(proc, &pst) == 0) r->uid = (int)pst.st_uid;
        *defer = 1;
      } else {
        read_pid_info(m->pid, r, 0, 0);
      }
      const char *rel = path;
      r->invoked = invoked_path(r->filename, r->cmdline, rel);
      r->in_profile = mk->allow == NULL ? -1 : strset_has(mk->allow, r->invoked);
      r->path = strdup(rel);
      if (mk->enforce && r->drift) r->reason = R_DRIFT;
      else if (mk->enforce && r->in_profile == 0) r->reason = R_PROFILE;
      /* the proc reader can skip this exec's /proc reads: this record has its facts */
      gated_note(m->pid, r->dev, r->ino);
      if (r->reason != R_NONE && mk->enforce == 2) {
        /* the signal is pending before the exec returns to user space: the new program never runs, and
           unlike a kill after the exec event there is no window for it to act */
        kill(m->pid, SIGKILL);
        r->verdict = 2;
        return FAN_ALLOW;
      }
    } else if (fan.defer_info) {
      *defer = 1;
    } else {
      read_pid_info(m->pid, r, 0, 0);
    }
    if (r->path == NULL) r->path = strdup(path);
  } else {
    r->kind = K_FAN_OPEN;
    r->path = strdup(path);
    read_pid_info(m->pid, r, 0, 1);
    if (r->cgroup != NULL && has_container_id(r->cgroup) && !exe_is_trusted(m->pid)) r->reason = R_GUARD;
  }
  r->verdict = r->reason > R_NONE;
  return r->verdict ? FAN_DENY : FAN_ALLOW;
}

/* After the answer: the task's uid, ppid and tty (they survive the exec; a task gone by then keeps uid -1 and
   ppid 0, and JS takes the parent from the proc connector's fork record). */
static void finish_exec(rec_t *r) {
  /* the uid was read before the answer (a setuid exec changes it): only a task gone by then needs it again */
  if (r->uid >= 0) read_pid_stat(r->pid, r);
  else read_pid_info(r->pid, r, 0, 0);
  if (r->ppid == 0) atomic_fetch_add(&info_missed, 1);
}

/* Test hook (setVerdictDelayForTest): hold the events just read for delay ms, or (-1) until stopped, as a hung
   verdict loop would; sleeps in small steps so stop still joins the thread. */
static void test_stall(void) {
  int delay = atomic_load(&fan.test_delay_ms);
  if (delay == 0) return;
  uint64_t until = delay < 0 ? UINT64_MAX : now_ns() + (uint64_t)delay * 1000000ull;
  while (fan.src.running && now_ns() < until) usleep(10000);
}

/* Every marked exec sleeps until this thread answers, so its wake-up latency is added to each exec: on a loaded
   machine a woken normal thread waits for a CPU behind everything runnable (bench/watch at load 10: ~300 µs per
   verdict, most of it waiting). SCHED_FIFO (lowest real-time priority) lets it preempt ordinary work at once; its
   work per event is bounded and the kernel's RT throttling (sched_rt_runtime_us) still caps it. Where real-time
   is refused (a cgroup without an RT budget) it takes nice -20. gate_sched: 1 FIFO, 2 nice, 0 neither.
   BULKHEAD_WATCH_GATE_SCHED=normal leaves the default (for A/B benchmarks). */
static _Atomic int gate_sched;

static void raise_priority(void) {
  const char *want = getenv("BULKHEAD_WATCH_GATE_SCHED");
  if (want != NULL && strcmp(want, "normal") == 0) return;
  struct sched_param sp = {.sched_priority = 1};
  if (pthread_setschedparam(pthread_self(), SCHED_FIFO, &sp) == 0) atomic_store(&gate_sched, 1);
  else if (setpriority(PRIO_PROCESS, (id_t)gettid(), -20) == 0) atomic_store(&gate_sched, 2);
}

static void free_rec(rec_t *r) {
  free(r->path);
  free(r->cgroup);
  free(r->cmdline);
  free(r->filename);
  free(r->parent);
  free(r->invoked);
}

/* Appends a verdict thread's record to the shared batch in ticket order. A thread whose turn does not come within
   the wait (the one before it stalled: the watchdog takes over) appends anyway rather than hang. */
static void append_in_order(rec_t *r, uint64_t ticket) {
  pthread_mutex_lock(&fan.order);
  struct timespec until;
  clock_gettime(CLOCK_REALTIME, &until);
  until.tv_sec += 1;
  while (fan.next_append != ticket && fan.next_append < ticket && fan.src.running &&
         pthread_cond_timedwait(&fan.turn, &fan.order, &until) == 0) {
  }
  if (fan.next_append <= ticket) fan.next_append = ticket + 1;
  pthread_cond_broadcast(&fan.turn);
  if (fan.batch == NULL) fan.first_ns = now_ns();
  rec_t *slot = next_rec(&fan.batch);
  if (slot == NULL) {
    atomic_fetch_add(&fan.src.drops, 1);
    free_rec(r);
  } else {
    *slot = *r;
    fan.batch->count++;
    if (fan.batch->count == BATCH_MAX) flush_batch(&fan.src, &fan.batch);
  }
  pthread_mutex_unlock(&fan.order);
}

/* poll() timeout for the shared batch, and its flush when due. */
static int gate_flush_due(void) {
  pthread_mutex_lock(&fan.order);
  if (fan.batch != NULL && now_ns() >= fan.first_ns + FLUSH_NS) flush_batch(&fan.src, &fan.batch);
  int timeout = flush_timeout(fan.batch, fan.first_ns + FLUSH_NS);
  pthread_mutex_unlock(&fan.order);
  return timeout;
}

static void *fan_loop(void *arg) {
  int index = (int)(intptr_t)arg;
  source_t *src = &fan.src;
  char buf[8192] __attribute__((aligned(8)));
  char name[16];
  snprintf(name, sizeof name, index == 0 ? "bh-gate" : "bh-gate%d", index);
  pthread_setname_np(pthread_self(), name);
  /* read_exec_args sleeps 20 µs steps while an exec'ing task finishes going to sleep on our verdict: with the
     default 50 µs timer slack each step took ~70 µs (bench/watch: 52 µs avg wait per verdict, 18 µs with 1 ns) */
  prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);
  raise_priority();
  for (;;) {
    int fd = atomic_load(&fan.fd);
    struct pollfd fds[2] = {{.fd = fd, .events = POLLIN}, {.fd = src->wake[0], .events = POLLIN}};
    int n = poll(fds, 2, gate_flush_due());
    if (!src->running || atomic_load(&fan.fired)) break;
    if (n <= 0) continue;
    if (fds[1].revents) break;
    /* every verdict thread is woken: the first to read takes the events, the others find none (FAN_NONBLOCK) */
    ssize_t len = read(fd, buf, sizeof buf);
    if (len <= 0) continue;
    atomic_store(&fan.thread_busy_since[index], now_ns());
    test_stall();
    for (struct fanotify_event_metadata *m = (void *)buf; FAN_EVENT_OK(m, len); m = FAN_EVENT_NEXT(m, len)) {
      if (m->vers != FANOTIFY_METADATA_VERSION) continue;
      if (m->mask & FAN_Q_OVERFLOW) {
        atomic_fetch_add(&src->overflows, 1);
        continue;
      }
      if (m->fd < 0) continue;
      uint64_t t0 = now_ns();
      pthread_mutex_lock(&fan.order);
      uint64_t ticket = fan.next_ticket++;
      pthread_mutex_unlock(&fan.order);
      rec_t r;
      int defer;
      pthread_rwlock_rdlock(&fan.lock);
      int response = decide(m, &r, &defer);
      pthread_rwlock_unlock(&fan.lock);
      struct fanotify_response resp = {.fd = m->fd, .response = (uint32_t)response};
      if (write(fd, &resp, sizeof resp) < 0) { /* the group was dropped by the watchdog */ }
      close(m->fd);
      uint64_t took = now_ns() - t0;
      /* at once, before the next event: a short-lived task is still there microseconds after its answer */
      if (defer) finish_exec(&r);
      r.verdict_ns = took;
      atomic_fetch_add(&fan.verdicts, 1);
      atomic_fetch_add(&fan.verdict_ns_total, took);
      uint64_t max = atomic_load(&fan.verdict_ns_max);
      while (took > max && !atomic_compare_exchange_weak(&fan.verdict_ns_max, &max, took)) {
      }
      if (response == FAN_DENY || r.verdict == 2) atomic_fetch_add(&fan.denied, 1);
      atomic_fetch_add(&src->events, 1);
      append_in_order(&r, ticket);
    }
    atomic_store(&fan.thread_busy_since[index], 0);
  }
  pthread_mutex_lock(&fan.order);
  flush_batch(src, &fan.batch);
  pthread_mutex_unlock(&fan.order);
  return NULL;
}

/* A stalled verdict loop would hang every marked exec: replace the fanotify fd with /dev/null, which drops the
   group so the kernel allows what is pending, and tell JS. */
static void *watchdog_loop(void *arg) {
  pthread_setname_np(pthread_self(), "bh-watchdog");
  /* as urgent as the loop it watches: a busy real-time verdict thread must not keep it off the CPU */
  raise_priority();
  while (fan.src.running && !atomic_load(&fan.fired)) {
    usleep(20000);
    uint64_t since = 0;
    for (int i = 0; i < fan.nthreads; i++) {
      uint64_t t = atomic_load(&fan.thread_busy_since[i]);
      if (t != 0 && (since == 0 || t < since)) since = t;
    }
    if (since != 0 && now_ns() - since > (uint64_t)fan.watchdog_ms * 1000000ull) {
      atomic_store(&fan.fired, 1);
      atomic_fetch_add(&fan.stalls, 1);
      dup2(fan.devnull, atomic_load(&fan.fd));
      batch_t *b = NULL;
      rec_t *r = next_rec(&b);
      if (r != NULL) {
        memset(r, 0, sizeof *r);
        r->kind = K_STALL;
        r->ts_ns = now_ns();
        r->verdict_ns = now_ns() - since;
        b->count = 1;
        flush_batch(&fan.src, &b);
      }
      write(fan.src.wake[1], "x", 1);
    }
  }
  return NULL;
}

/* ---------- N-API glue ---------- */

#define CHECK(call)                                        \
  do {                                                     \
    if ((call) != napi_ok) {                               \
      napi_throw_error(env, NULL, "N-API call failed: " #call); \
      return NULL;                                         \
    }                                                      \
  } while (0)

static void set_num(napi_env env, napi_value obj, const char *key, double v) {
  napi_value val;
  napi_create_double(env, v, &val);
  napi_set_named_property(env, obj, key, val);
}

static void set_str(napi_env env, napi_value obj, const char *key, const char *s, size_t len) {
  napi_value val;
  napi_create_string_utf8(env, s, len, &val);
  napi_set_named_property(env, obj, key, val);
}

static const char *kind_name(int kind) {
  switch (kind) {
    case K_FORK: return "fork";
    case K_EXEC: return "exec";
    case K_EXIT: return "exit";
    case K_UID: return "uid";
    case K_FAN_EXEC: return "gate-exec";
    case K_FAN_OPEN: return "gate-open";
    case K_STALL: return "stall";
    default: return "unknown";
  }
}

static napi_value rec_to_js(napi_env env, const rec_t *r) {
  napi_value o;
  napi_create_object(env, &o);
  set_str(env, o, "kind", kind_name(r->kind), NAPI_AUTO_LENGTH);
  set_num(env, o, "pid", r->pid);
  set_num(env, o, "tgid", r->tgid);
  set_num(env, o, "ppid", r->ppid);
  set_num(env, o, "ptgid", r->ptgid);
  set_num(env, o, "uid", r->uid);
  set_num(env, o, "tty", r->tty);
  set_num(env, o, "timeNs", (double)r->ts_ns);
  if (r->kind == K_EXIT) set_num(env, o, "exitCode", r->exit_code);
  if (r->kind >= K_FAN_EXEC) {
    set_num(env, o, "verdict", r->verdict);
    set_num(env, o, "reason", r->reason);
    set_num(env, o, "drift", r->drift);
    set_num(env, o, "inProfile", r->in_profile);
    set_num(env, o, "markId", r->mark_id);
    set_num(env, o, "setid", r->setid);
    set_num(env, o, "dev", (double)r->dev);
    set_num(env, o, "ino", (double)r->ino);
    set_num(env, o, "verdictNs", (double)r->verdict_ns);
  }
  if (r->comm[0]) set_str(env, o, "comm", r->comm, NAPI_AUTO_LENGTH);
  if (r->path != NULL) set_str(env, o, "path", r->path, NAPI_AUTO_LENGTH);
  if (r->cgroup != NULL) set_str(env, o, "cgroup", r->cgroup, NAPI_AUTO_LENGTH);
  if (r->cmdline != NULL) set_str(env, o, "cmdline", r->cmdline, (size_t)r->cmdline_len);
  if (r->filename != NULL) set_str(env, o, "filename", r->filename, NAPI_AUTO_LENGTH);
  if (r->parent != NULL) set_str(env, o, "parent", r->parent, NAPI_AUTO_LENGTH);
  if (r->invoked != NULL) set_str(env, o, "invoked", r->invoked, NAPI_AUTO_LENGTH);
  return o;
}

/* A batch reaches JS packed (src/native/index.ts unpacks it): a Float64Array of REC_FIELDS numbers per record
   (the last a bit mask of the strings present, in STR_* order) and one array of those strings. An object per
   record built here cost ~20 N-API property sets, each interning its key, on the JS thread. */
enum { STR_COMM, STR_PATH, STR_CGROUP, STR_CMDLINE, STR_FILENAME, STR_PARENT, STR_INVOKED };
#define REC_FIELDS 19

static void call_js(napi_env env, napi_value cb, void *context, void *data) {
  source_t *src = data;
  if ((intptr_t)context != src->gen) return;
  int count;
  batch_t *list = take_queue(src, &count);
  if (env != NULL && cb != NULL && count > 0) {
    napi_value argv[2], ab, undef;
    double *f = NULL;
    size_t nstr = 0;
    if (napi_create_arraybuffer(env, (size_t)count * REC_FIELDS * sizeof(double), (void **)&f, &ab) == napi_ok &&
        napi_create_typedarray(env, napi_float64_array, (size_t)count * REC_FIELDS, ab, 0, &argv[0]) == napi_ok &&
        napi_create_array(env, &argv[1]) == napi_ok) {
      for (batch_t *b = list; b != NULL; b = b->next)
        for (int i = 0; i < b->count; i++, f += REC_FIELDS) {
          const rec_t *r = &b->recs[i];
          const char *strs[7] = {r->comm[0] ? r->comm : NULL, r->path, r->cgroup, r->cmdline, r->filename, r->parent,
                                 r->invoked};
          unsigned mask = 0;
          for (int k = 0; k < 7; k++) {
            if (strs[k] == NULL) continue;
            napi_value v;
            napi_create_string_utf8(env, strs[k], k == STR_CMDLINE ? (size_t)r->cmdline_len : NAPI_AUTO_LENGTH, &v);
            napi_set_element(env, argv[1], (uint32_t)nstr++, v);
            mask |= 1u << k;
          }
          double row[REC_FIELDS] = {r->kind, r->pid, r->tgid, r->ppid, r->ptgid, r->uid, r->tty, (double)r->ts_ns,
                                    r->exit_code, r->verdict, r->reason, r->drift, r->in_profile, r->mark_id,
                                    r->setid, (double)r->dev, (double)r->ino, (double)r->verdict_ns, mask};
          memcpy(f, row, sizeof row);
        }
      napi_get_undefined(env, &undef);
      napi_call_function(env, undef, cb, 2, argv, NULL);
    }
  }
  free_list(list);
}

static napi_value throw_errno(napi_env env, const char *what, int err) {
  char msg[256];
  snprintf(msg, sizeof msg, "%s: %s", what, strerror(err));
  napi_value code, text, error;
  napi_create_string_utf8(env, strerror(err), NAPI_AUTO_LENGTH, &code);
  napi_create_string_utf8(env, msg, NAPI_AUTO_LENGTH, &text);
  napi_create_error(env, NULL, text, &error);
  set_num(env, error, "errno", err);
  napi_throw(env, error);
  return NULL;
}

static int start_source(napi_env env, source_t *src, napi_value cb, const char *name, void *(*loop)(void *),
                        void *arg) {
  napi_value res_name;
  napi_create_string_utf8(env, name, NAPI_AUTO_LENGTH, &res_name);
  if (pipe2(src->wake, O_CLOEXEC) != 0) return errno;
  int left;
  free_list(take_queue(src, &left)); /* a previous run's batches JS never took */
  src->gen++;
  /* at most one call is pending at a time (flush_batch), so the call queue needs no bound */
  if (napi_create_threadsafe_function(env, cb, NULL, res_name, 0, 1, NULL, NULL, (void *)src->gen, call_js,
                                      &src->tsfn) != napi_ok)
    return EINVAL;
  src->running = 1;
  src->nextra = 0;
  if (pthread_create(&src->thread, NULL, loop, arg) != 0) {
    src->running = 0;
    napi_release_threadsafe_function(src->tsfn, napi_tsfn_abort);
    return EAGAIN;
  }
  return 0;
}

static void stop_source(source_t *src) {
  if (!src->running) return;
  src->running = 0;
  if (write(src->wake[1], "x", 1) < 0) { /* the loop also wakes on its poll timeout */ }
  pthread_join(src->thread, NULL);
  for (int i = 0; i < src->nextra; i++) pthread_join(src->extra[i], NULL);
  src->nextra = 0;
  napi_release_threadsafe_function(src->tsfn, napi_tsfn_release);
  close(src->wake[0]);
  close(src->wake[1]);
}

static int get_int(napi_env env, napi_value v, int fallback);

static napi_value proc_start(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value args[2];
  CHECK(napi_get_cb_info(env, info, &argc, args, NULL, NULL));
  napi_value cb = args[0];
  if (proc_src.running) return NULL;
  atomic_store(&proc_want_exe, argc > 1 ? get_int(env, args[1], 0) : 0);
  int sock = socket(PF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_CONNECTOR);
  if (sock < 0) return throw_errno(env, "proc connector socket(NETLINK_CONNECTOR)", errno);
  int size = 8 * 1024 * 1024;
  if (setsockopt(sock, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof size) != 0)
    setsockopt(sock, SOL_SOCKET, SO_RCVBUF, &size, sizeof size); /* capped at net.core.rmem_max */
  int got = 0;
  socklen_t got_len = sizeof got;
  atomic_store(&proc_rcvbuf, getsockopt(sock, SOL_SOCKET, SO_RCVBUF, &got, &got_len) == 0 ? got : 0);
  struct sockaddr_nl addr = {.nl_family = AF_NETLINK, .nl_groups = CN_IDX_PROC, .nl_pid = 0};
  if (bind(sock, (struct sockaddr *)&addr, sizeof addr) != 0 || proc_listen(sock, PROC_CN_MCAST_LISTEN) != 0) {
    int err = errno;
    close(sock);
    return throw_errno(env, "proc connector subscribe (CN_IDX_PROC)", err);
  }
  proc_src.sock = sock;
  int err = start_source(env, &proc_src, cb, "bulkhead-proc", proc_loop, &proc_src);
  if (err != 0) {
    close(sock);
    return throw_errno(env, "proc connector thread", err);
  }
  return NULL;
}

static napi_value proc_stop(napi_env env, napi_callback_info info) {
  if (!proc_src.running) return NULL;
  proc_listen(proc_src.sock, PROC_CN_MCAST_IGNORE);
  stop_source(&proc_src);
  close(proc_src.sock);
  return NULL;
}

static int get_int(napi_env env, napi_value v, int fallback) {
  int32_t out;
  return napi_get_value_int32(env, v, &out) == napi_ok ? out : fallback;
}

static int get_str(napi_env env, napi_value v, char *buf, size_t cap) {
  size_t len;
  if (napi_get_value_string_utf8(env, v, buf, cap, &len) != napi_ok || len >= cap - 1) return -1;
  return (int)len;
}

static napi_value gate_start(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (fan.src.running) return NULL;
  fan.watchdog_ms = argc > 1 ? get_int(env, argv[1], 2000) : 2000;
  const char *when = getenv("BULKHEAD_WATCH_GATE_INFO");
  fan.defer_info = when == NULL || strcmp(when, "before") != 0;
  int fd = fanotify_init(FAN_CLASS_CONTENT | FAN_CLOEXEC | FAN_NONBLOCK | FAN_UNLIMITED_QUEUE | FAN_UNLIMITED_MARKS,
                         O_RDONLY | O_LARGEFILE | O_CLOEXEC);
  if (fd < 0) return throw_errno(env, "fanotify_init(FAN_CLASS_CONTENT)", errno);
  fan.devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
  atomic_store(&fan.fd, fd);
  atomic_store(&fan.fired, 0);
  /* one verdict thread, unless BULKHEAD_WATCH_GATE_THREADS asks for one per CPU (see fan_loop's struct) */
  cpu_set_t cpus;
  CPU_ZERO(&cpus);
  int ncpu = sched_getaffinity(0, sizeof cpus, &cpus) == 0 ? CPU_COUNT(&cpus) : 1;
  const char *want = getenv("BULKHEAD_WATCH_GATE_THREADS");
  int nthreads = 1;
  if (want != NULL && atoi(want) > 1 && ncpu <= MAX_GATE_THREADS) nthreads = atoi(want) < ncpu ? atoi(want) : ncpu;
  fan.next_ticket = fan.next_append = 0;
  for (int i = 0; i < MAX_GATE_THREADS; i++) atomic_store(&fan.thread_busy_since[i], 0);
  int err = start_source(env, &fan.src, argv[0], "bulkhead-gate", fan_loop, (void *)(intptr_t)0);
  if (err != 0) {
    close(fd);
    return throw_errno(env, "fanotify thread", err);
  }
  for (int i = 1; i < nthreads; i++) {
    if (pthread_create(&fan.src.extra[fan.src.nextra], NULL, fan_loop, (void *)(intptr_t)i) != 0) break;
    fan.src.nextra++;
  }
  fan.nthreads = 1 + fan.src.nextra;
  if (fan.nthreads > 1) {
    /* pin thread k to the k-th CPU of the set */
    pthread_t *all[MAX_GATE_THREADS] = {&fan.src.thread};
    for (int i = 1; i < fan.nthreads; i++) all[i] = &fan.src.extra[i - 1];
    int k = 0;
    for (int c = 0; c < CPU_SETSIZE && k < fan.nthreads; c++) {
      if (!CPU_ISSET(c, &cpus)) continue;
      cpu_set_t one;
      CPU_ZERO(&one);
      CPU_SET(c, &one);
      pthread_setaffinity_np(*all[k], sizeof one, &one);
      k++;
    }
  }
  pthread_create(&fan.watchdog, NULL, watchdog_loop, NULL);
  return NULL;
}

static napi_value gate_stop(napi_env env, napi_callback_info info) {
  if (!fan.src.running) return NULL;
  stop_source(&fan.src);
  pthread_join(fan.watchdog, NULL);
  close(atomic_load(&fan.fd)); /* closing the group removes every mark and allows anything pending */
  close(fan.devnull);
  atomic_store(&fan.fd, -1);
  pthread_rwlock_wrlock(&fan.lock);
  for (int i = 0; i < MAX_MARKS; i++) {
    strset_free(fan.marks[i].allow);
    memset(&fan.marks[i], 0, sizeof fan.marks[i]);
  }
  fan.nguards = 0;
  fan.ninstallers = 0;
  pthread_rwlock_unlock(&fan.lock);
  return NULL;
}

/* A JS array of strings (or null) -> a string set; *ok = 0 on a bad element. */
static strset_t *make_set(napi_env env, napi_value arr, int *ok) {
  *ok = 1;
  napi_valuetype t;
  napi_typeof(env, arr, &t);
  if (t == napi_null || t == napi_undefined) return NULL;
  uint32_t n;
  if (napi_get_array_length(env, arr, &n) != napi_ok) {
    *ok = 0;
    return NULL;
  }
  strset_t *set = calloc(1, sizeof *set);
  set->cap = 16;
  while (set->cap < (size_t)n * 2 + 2) set->cap *= 2;
  set->slots = calloc(set->cap, sizeof(char *));
  for (uint32_t i = 0; i < n; i++) {
    napi_value el;
    char buf[PATH_MAX];
    napi_get_element(env, arr, i, &el);
    if (get_str(env, el, buf, sizeof buf) < 0) {
      *ok = 0;
      strset_free(set);
      return NULL;
    }
    if (strset_has(set, buf)) continue;
    size_t j = hash_str(buf) & (set->cap - 1);
    while (set->slots[j] != NULL) j = (j + 1) & (set->cap - 1);
    set->slots[j] = strdup(buf);
    set->count++;
  }
  return set;
}

static mark_t *find_mark(int id) {
  for (int i = 0; i < MAX_MARKS; i++)
    if (fan.marks[i].in_use && fan.marks[i].id == id) return &fan.marks[i];
  return NULL;
}

/* markSet(id, merged, upper, enforce 0|1|2, allow|null[, host 0|1]): adds the filesystem mark on first use, else
   updates the policy. A host mark (watch --host) gates a host filesystem by "path\tino\tctime" keys. */
static napi_value mark_set(napi_env env, napi_callback_info info) {
  size_t argc = 6;
  napi_value argv[6];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 5) return throw_errno(env, "markSet(id, merged, upper, enforce, allow)", EINVAL);
  int id = get_int(env, argv[0], -1);
  char merged[PATH_MAX], upper[PATH_MAX];
  if (get_str(env, argv[1], merged, sizeof merged) <= 0 || get_str(env, argv[2], upper, sizeof upper) < 0)
    return throw_errno(env, "markSet: merged and upper must be paths", EINVAL);
  int enforce = get_int(env, argv[3], 0);
  int host = argc > 5 ? get_int(env, argv[5], 0) : 0;
  int ok;
  strset_t *allow = make_set(env, argv[4], &ok);
  if (!ok) return throw_errno(env, "markSet: allow must be an array of paths or null", EINVAL);
  pthread_rwlock_wrlock(&fan.lock);
  mark_t *mk = find_mark(id);
  if (mk == NULL) {
    pthread_rwlock_unlock(&fan.lock);
    if (fanotify_mark(atomic_load(&fan.fd), FAN_MARK_ADD | FAN_MARK_FILESYSTEM, FAN_OPEN_EXEC_PERM, AT_FDCWD,
                      merged) != 0) {
      int err = errno;
      strset_free(allow);
      return throw_errno(env, "fanotify_mark(FAN_MARK_FILESYSTEM, FAN_OPEN_EXEC_PERM)", err);
    }
    pthread_rwlock_wrlock(&fan.lock);
    for (int i = 0; i < MAX_MARKS && mk == NULL; i++)
      if (!fan.marks[i].in_use) mk = &fan.marks[i];
    if (mk == NULL) {
      pthread_rwlock_unlock(&fan.lock);
      strset_free(allow);
      return throw_errno(env, "markSet: too many watched containers", ENOSPC);
    }
    mk->in_use = 1;
    mk->id = id;
  }
  snprintf(mk->merged, sizeof mk->merged, "%s", merged);
  snprintf(mk->upper, sizeof mk->upper, "%s", upper);
  struct stat mst;
  mk->dev = stat(merged, &mst) == 0 ? (uint64_t)mst.st_dev : 0;
  mk->enforce = enforce;
  mk->host = host;
  strset_free(mk->allow);
  mk->allow = allow;
  pthread_rwlock_unlock(&fan.lock);
  return NULL;
}

static napi_value mark_remove(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  int id = get_int(env, argv[0], -1);
  pthread_rwlock_wrlock(&fan.lock);
  mark_t *mk = find_mark(id);
  if (mk != NULL) {
    /* the overlay may already be unmounted (container gone): its mark went with its superblock */
    fanotify_mark(atomic_load(&fan.fd), FAN_MARK_REMOVE | FAN_MARK_FILESYSTEM, FAN_OPEN_EXEC_PERM, AT_FDCWD,
                  mk->merged);
    strset_free(mk->allow);
    memset(mk, 0, sizeof *mk);
  }
  pthread_rwlock_unlock(&fan.lock);
  return NULL;
}

/* The one path argument of guardAdd / installerAdd and its stat; 0 after throwing (`what` names the call). */
static int stat_path_arg(napi_env env, napi_callback_info info, const char *what, char *path, struct stat *st) {
  size_t argc = 1;
  napi_value argv[1];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 1 ||
      get_str(env, argv[0], path, PATH_MAX) <= 0) {
    throw_errno(env, what, EINVAL);
    return 0;
  }
  if (stat(path, st) != 0) {
    throw_errno(env, path, errno);
    return 0;
  }
  return 1;
}

/* installerAdd(path): a package manager binary whose children may run files outside the host allow-set. */
static napi_value installer_add(napi_env env, napi_callback_info info) {
  char path[PATH_MAX];
  struct stat st;
  if (!stat_path_arg(env, info, "installerAdd(path)", path, &st)) return NULL;
  pthread_rwlock_wrlock(&fan.lock);
  int full = fan.ninstallers >= MAX_INSTALLERS;
  if (!full) {
    fan.installers[fan.ninstallers].dev = (uint64_t)st.st_dev;
    fan.installers[fan.ninstallers].ino = (uint64_t)st.st_ino;
    fan.ninstallers++;
  }
  pthread_rwlock_unlock(&fan.lock);
  if (full) return throw_errno(env, "installerAdd: too many package managers", ENOSPC);
  return NULL;
}

static napi_value guard_add(napi_env env, napi_callback_info info) {
  char path[PATH_MAX];
  struct stat st;
  if (!stat_path_arg(env, info, "guardAdd(path)", path, &st)) return NULL;
  if (fan.nguards >= MAX_GUARDS) return throw_errno(env, "guardAdd: too many guarded binaries", ENOSPC);
  if (fanotify_mark(atomic_load(&fan.fd), FAN_MARK_ADD, FAN_OPEN_PERM, AT_FDCWD, path) != 0)
    return throw_errno(env, "fanotify_mark(FAN_OPEN_PERM)", errno);
  pthread_rwlock_wrlock(&fan.lock);
  guard_t *g = &fan.guards[fan.nguards++];
  g->dev = (uint64_t)st.st_dev;
  g->ino = (uint64_t)st.st_ino;
  snprintf(g->path, sizeof g->path, "%s", path);
  pthread_rwlock_unlock(&fan.lock);
  return NULL;
}

static napi_value counters(napi_env env, napi_callback_info info) {
  napi_value o;
  napi_create_object(env, &o);
  set_num(env, o, "procEvents", (double)atomic_load(&proc_src.events));
  set_num(env, o, "procOverflows", (double)atomic_load(&proc_src.overflows));
  set_num(env, o, "procRcvbuf", (double)atomic_load(&proc_rcvbuf));
  set_num(env, o, "procDrops", (double)atomic_load(&proc_src.drops));
  set_num(env, o, "gateEvents", (double)atomic_load(&fan.src.events));
  set_num(env, o, "gateOverflows", (double)atomic_load(&fan.src.overflows));
  set_num(env, o, "gateDrops", (double)atomic_load(&fan.src.drops));
  set_num(env, o, "stalls", (double)atomic_load(&fan.stalls));
  set_num(env, o, "denied", (double)atomic_load(&fan.denied));
  set_num(env, o, "verdicts", (double)atomic_load(&fan.verdicts));
  set_num(env, o, "verdictNsTotal", (double)atomic_load(&fan.verdict_ns_total));
  set_num(env, o, "verdictNsMax", (double)atomic_load(&fan.verdict_ns_max));
  set_num(env, o, "gateActive", fan.src.running && !atomic_load(&fan.fired));
  set_num(env, o, "argsMissed", (double)atomic_load(&args_missed));
  set_num(env, o, "infoMissed", (double)atomic_load(&info_missed));
  set_num(env, o, "procSkipped", (double)atomic_load(&proc_skipped));
  set_num(env, o, "gateSched", (double)atomic_load(&gate_sched));
  set_num(env, o, "gateThreads", fan.src.running ? fan.nthreads : 0);
  set_num(env, o, "argsWaitNsTotal", (double)atomic_load(&args_wait_ns));
  return o;
}

/* decodeProc(buffer): the reader's decoder on one netlink message, for tests. */
static napi_value decode_proc_js(napi_env env, napi_callback_info info) {
  size_t argc = 1, len;
  napi_value argv[1], out;
  void *data;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (napi_get_buffer_info(env, argv[0], &data, &len) != napi_ok)
    return throw_errno(env, "decodeProc(buffer)", EINVAL);
  rec_t r;
  if (!decode_proc(data, len, &r)) {
    napi_get_null(env, &out);
    return out;
  }
  return rec_to_js(env, &r);
}

static napi_value set_test_delay(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  atomic_store(&fan.test_delay_ms, get_int(env, argv[0], 0));
  return NULL;
}

/* raiseEventThread(): the calling (JS) thread takes SCHED_FIFO priority 1, the verdict thread's, so that the batches
   the native threads queue are taken, judged and committed at once whatever the host's CFS load (nice and the
   session's autogroup did not do it: bench/watch/ab.ts). SCHED_RESET_ON_FORK: threads and processes it starts later
   (libuv's pool, child processes) get the default policy. Returns 1, or -errno when refused. */
#ifndef SCHED_RESET_ON_FORK
#define SCHED_RESET_ON_FORK 0x40000000
#endif
static napi_value raise_event_thread(napi_env env, napi_callback_info info) {
  struct sched_param sp = {.sched_priority = 1};
  int rc = sched_setscheduler(0, SCHED_FIFO | SCHED_RESET_ON_FORK, &sp) == 0 ? 1 : -errno;
  napi_value out;
  napi_create_int32(env, rc, &out);
  return out;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"procStart", NULL, proc_start, NULL, NULL, NULL, napi_default, NULL},
      {"procStop", NULL, proc_stop, NULL, NULL, NULL, napi_default, NULL},
      {"gateStart", NULL, gate_start, NULL, NULL, NULL, napi_default, NULL},
      {"gateStop", NULL, gate_stop, NULL, NULL, NULL, napi_default, NULL},
      {"markSet", NULL, mark_set, NULL, NULL, NULL, napi_default, NULL},
      {"markRemove", NULL, mark_remove, NULL, NULL, NULL, napi_default, NULL},
      {"guardAdd", NULL, guard_add, NULL, NULL, NULL, napi_default, NULL},
      {"installerAdd", NULL, installer_add, NULL, NULL, NULL, napi_default, NULL},
      {"counters", NULL, counters, NULL, NULL, NULL, napi_default, NULL},
      {"decodeProc", NULL, decode_proc_js, NULL, NULL, NULL, napi_default, NULL},
      {"setVerdictDelayForTest", NULL, set_test_delay, NULL, NULL, NULL, napi_default, NULL},
      {"raiseEventThread", NULL, raise_event_thread, NULL, NULL, NULL, napi_default, NULL},
      {"unixSockets", NULL, bh_unix_sockets, NULL, NULL, NULL, napi_default, NULL},
      {"seqpacketListen", NULL, bh_seqpacket_listen, NULL, NULL, NULL, napi_default, NULL},
      {"seqpacketAccept", NULL, bh_seqpacket_accept, NULL, NULL, NULL, napi_default, NULL},
      {"seqpacketRecv", NULL, bh_seqpacket_recv, NULL, NULL, NULL, napi_default, NULL},
      {"seqpacketSend", NULL, bh_seqpacket_send, NULL, NULL, NULL, napi_default, NULL},
      {"seqpacketConnect", NULL, bh_seqpacket_connect, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  /* bump with ADDON_INTERFACE in index.ts whenever what JS reads from the addon changes (an addon built from older
     sources then refuses to load with the rebuild command, not a schema error mid-run) */
  napi_value version;
  napi_create_int32(env, 4, &version);
  napi_set_named_property(env, exports, "interfaceVersion", version);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
