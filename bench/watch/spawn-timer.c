/* bench/watch's exec timer: posix_spawn(PROGRAM) N times, each awaited, and prints one line of JSON with the
   count and every latency percentile the benchmark needs (built static so it runs inside busybox containers). */
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>

extern char **environ;

static int cmp(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: spawn-timer N PROGRAM [ARGS...]\n");
    return 2;
  }
  int n = atoi(argv[1]), failed = 0;
  double *us = calloc((size_t)n, sizeof(double));
  struct timespec t0, t1, start, end;
  clock_gettime(CLOCK_MONOTONIC, &start);
  for (int i = 0; i < n; i++) {
    pid_t pid;
    int status;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    if (posix_spawn(&pid, argv[2], NULL, NULL, argv + 2, environ) != 0) { failed++; continue; }
    waitpid(pid, &status, 0);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) failed++;
    us[i] = (double)(t1.tv_sec - t0.tv_sec) * 1e6 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e3;
  }
  clock_gettime(CLOCK_MONOTONIC, &end);
  qsort(us, (size_t)n, sizeof(double), cmp);
  double secs = (double)(end.tv_sec - start.tv_sec) + (double)(end.tv_nsec - start.tv_nsec) / 1e9;
  printf("{\"n\":%d,\"failed\":%d,\"seconds\":%.3f,\"p50\":%.1f,\"p99\":%.1f}\n", n, failed, secs, us[n / 2], us[(n * 99) / 100]);
  return 0;
}
