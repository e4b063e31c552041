/* Test helper: `seccomp-deny ERRNO NR,NR,... -- COMMAND ARGS` runs COMMAND under a seccomp filter that answers each
 * listed system call (x86-64 numbers) with -ERRNO, as systemd's SystemCallFilter=~... with SystemCallErrorNumber=
 * does (systemd.exec(5) "System Call Filtering"; the filter is inherited by every child and cannot be lifted).
 * Built by test/watch/install-caps.test.ts with cc; no libseccomp (seccomp(2) "EXAMPLES" shows the same program). */
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#define MAX_NR 250 /* BPF jump offsets are one byte */

int main(int argc, char **argv) {
  if (argc < 5 || strcmp(argv[3], "--") != 0) {
    fprintf(stderr, "usage: seccomp-deny ERRNO NR,NR,... -- COMMAND [ARG...]\n");
    return 2;
  }
  int err = atoi(argv[1]);
  unsigned nrs[MAX_NR];
  int n = 0;
  for (char *p = strtok(argv[2], ","); p != NULL && n < MAX_NR; p = strtok(NULL, ",")) nrs[n++] = (unsigned)atoi(p);
  /* arch check (another ABI passes: SystemCallArchitectures=native is not emulated), load nr, one JEQ per listed call (jump to the errno return), else allow */
  struct sock_filter f[3 + MAX_NR + 2];
  int i = 0;
  f[i++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch));
  f[i++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 0, (unsigned char)(n + 1));
  f[i++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr));
  for (int k = 0; k < n; k++)
    f[i++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, nrs[k], (unsigned char)(n - k), 0);
  f[i++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
  f[i++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ((unsigned)err & SECCOMP_RET_DATA));
  struct sock_fprog prog = {.len = (unsigned short)i, .filter = f};
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 || prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) != 0) {
    perror("seccomp-deny: prctl");
    return 2;
  }
  execvp(argv[4], argv + 4);
  perror("seccomp-deny: exec");
  return 127;
}
