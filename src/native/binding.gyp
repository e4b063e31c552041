{
  "targets": [
    {
      "target_name": "bulkhead_watch",
      "sources": ["watch.c", "unix_diag.c", "seqpacket.c"],
      "cflags": ["-std=gnu11", "-O2", "-Wall", "-Wextra", "-Wno-unused-parameter"],
      "libraries": ["-lpthread"]
    }
  ]
}
